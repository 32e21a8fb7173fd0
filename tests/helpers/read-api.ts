/**
 * The HTTP API over a seeded database for tests that only read it (lists, figures, exports): no
 * Temporal (its client never connects), tokens from the local identity provider. Made in beforeAll,
 * stopped in afterAll; call it after useSeededDatabase so the database is there first.
 */
import request from 'supertest';
import type { Express } from 'express';
import { createApp } from '../../src/api/app';
import { createTokenVerifier } from '../../src/auth/verify';
import { silentLogger } from '../../src/logger';
import { createTemporalClient } from '../../src/runtime';
import type { Db } from '../../src/db/client';
import type { SeededDatabase } from './database';
import { type Idp, spawnIdp } from './idp';
import { testCodec, testSecrets } from './secrets';

const AUDIENCE = 'steward-api';

export interface ReadApi {
  app: Express;
  /** a GET as this user (subject), with their bearer token */
  get(who: string, path: string): request.Test;
  token(who: string): string;
  /** another app, over another database handle (one that fails on purpose), trusting the same tokens */
  appOver(db: Db): Express;
}

export function useReadApi(database: SeededDatabase, users: readonly { subject: string; name: string }[], signIn: readonly string[]): ReadApi {
  let idp: Idp | undefined;
  let verifier: ReturnType<typeof createTokenVerifier>;
  const connections: { close(): Promise<void> }[] = [];
  const tokens = new Map<string, string>();
  const appOver = (db: Db) => {
    const { client, connection } = createTemporalClient({ address: '127.0.0.1:1', namespace: 'default' });
    connections.push(connection);
    return createApp({ db, temporal: client, taskQueue: 'reads', logger: silentLogger, verifier, secrets: testSecrets(), codec: testCodec(), quietHours: false });
  };
  const api: ReadApi = {
    app: undefined as unknown as Express, // made in beforeAll
    get: (who: string, path: string) => request(api.app).get(path).set('Authorization', `Bearer ${tokens.get(who)}`),
    token: (who: string) => tokens.get(who)!,
    appOver,
  };
  beforeAll(async () => {
    idp = await spawnIdp({ audience: AUDIENCE, users: users.map(({ subject, name }) => ({ subject, name })), password: 'demo' });
    verifier = createTokenVerifier({ issuer: idp.issuer, audience: AUDIENCE, clockToleranceS: 0 });
    api.app = appOver(database.db);
    for (const who of signIn) tokens.set(who, await idp.userToken(who));
  });
  afterAll(async () => {
    for (const c of connections) await c.close().catch(() => {});
    await idp?.stop();
  });
  return api;
}
