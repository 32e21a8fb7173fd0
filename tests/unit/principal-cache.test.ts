/**
 * The principal loader's short memory: within its freshness a caller's grants are not read again
 * (so a grant revoked in the database is still seen), `forget()` and a freshness of 0 read them anew.
 */
import { principalLoader } from '../../src/auth/principal';
import { useSeededDatabase } from '../helpers/database';

const store = useSeededDatabase('sqlite');

const revokeAdmin = () => store.db.roleGrant.updateMany({ where: { person: { subject: 'stw-chief' }, role: 'admin' }, data: { revokedAt: new Date() } });
const restoreAdmin = () => store.db.roleGrant.updateMany({ where: { person: { subject: 'stw-chief' }, role: 'admin' }, data: { revokedAt: null } });
afterEach(restoreAdmin);

it('answers from memory within its freshness, and reads the grants again once told to forget', async () => {
  const load = principalLoader(store.db, { freshMs: 60_000 });
  expect((await load('stw-chief'))!.roles).toContain('admin');
  await revokeAdmin();
  expect((await load('stw-chief'))!.roles).toContain('admin'); // still fresh: not read again
  load.forget();
  expect((await load('stw-chief'))!.roles).not.toContain('admin');
});

it('with no freshness reads the grants on every call', async () => {
  const load = principalLoader(store.db, { freshMs: 0 });
  expect((await load('stw-chief'))!.roles).toContain('admin');
  await revokeAdmin();
  expect((await load('stw-chief'))!.roles).not.toContain('admin');
});
