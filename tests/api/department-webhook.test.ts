/**
 * A department on the webhook adapter, end to end: the worker POSTs the dispatch to the
 * department's own (local, real) HTTP system, signed; the department calls back, signed.
 */
import request from 'supertest';
import { signedHeaders, SIGNATURE_HEADER, TIMESTAMP_HEADER, verify } from '../../src/adapters/signing';
import { eventually } from '../helpers/eventually';
import { startHttpSink } from '../helpers/http-sink';
import { type Stack, startStack } from '../helpers/stack';

const ENTERPRISE = '91310107MA1G0AB10G';
const SECRET = 'fire-brigade-shared-secret';

let stack: Stack;
let sink: Awaited<ReturnType<typeof startHttpSink>>;

beforeAll(async () => {
  stack = await startStack();
  sink = await startHttpSink(() => ({ status: 200, body: { reference: 'XF-0001' } }));
  // stored sealed, as the directory administration stores it
  await stack.db.department.update({ where: { id: 'dept-fire' }, data: { adapter: 'webhook', webhookUrl: `${sink.url}/steward`, webhookSecret: stack.secrets.seal(SECRET) } });
});

afterAll(async () => {
  await sink?.close();
  await stack?.stop();
});

const callback = (body: object, headers: Record<string, string>) =>
  request(stack.app).post('/api/departments/dept-fire/callback').set('content-type', 'application/json').set(headers).send(JSON.stringify(body));

it('delivers the dispatch signed and takes the department\'s signed callbacks; bad signatures change nothing', async () => {
  const opened = await request(stack.app)
    .post('/api/cases')
    .set(await stack.auth('ent-qianshu'))
    .send({ buildingId: 'bld-tianan', enterprise: { creditCode: ENTERPRISE }, category: 'fire_safety', title: '消防验收', description: '装修后需消防验收', contact: { name: '周经理', phone: '13900000001' } });
  const id = opened.body.caseId as string;
  const steward = await stack.auth('stw-point-1');
  await request(stack.app).post(`/api/cases/${id}/acknowledge`).set(steward).send({});
  await request(stack.app).post(`/api/cases/${id}/dispatch`).set(steward).send({ departmentId: 'dept-fire' });

  const delivered = await eventually(() => {
    const r = sink.received.find((x) => JSON.parse(x.body).caseId === id);
    expect(r).toBeDefined();
    return r!;
  });
  expect(verify(SECRET, { signature: delivered.headers[SIGNATURE_HEADER] as string, timestamp: delivered.headers[TIMESTAMP_HEADER] as string }, delivered.body)).toBe('ok');
  const payload = JSON.parse(delivered.body);
  expect(payload).toMatchObject({ event: 'case.dispatched', role: 'lead', callbackUrl: expect.stringMatching(/\/api\/departments\/dept-fire\/callback$/) });
  await eventually(async () => {
    const s = await request(stack.app).get(`/api/cases/${id}`).set(steward);
    expect(s.body.tasks[0]).toMatchObject({ status: 'dispatched', delivery: { adapter: 'webhook', reference: 'XF-0001' } });
  });

  const reply = { caseId: id, action: 'reply', text: '已完成消防验收，合格', attachments: [{ name: '验收意见书.pdf' }] };
  const body = JSON.stringify(reply);
  const good = signedHeaders(SECRET, body);
  // wrong secret, tampered body, stale timestamp, no signature: 401 and nothing changes
  expect((await callback(reply, signedHeaders('not-the-secret', body))).status).toBe(401);
  expect((await callback({ ...reply, text: '篡改' }, good)).status).toBe(401);
  const stale = await callback(reply, signedHeaders(SECRET, body, Date.now() - 10 * 60_000));
  expect(stale.status).toBe(401);
  expect(stale.body.error.message).toMatch(/^回调签名已过期/);
  // signed ahead of our clock, it would outlive the replay receipts
  const future = await callback(reply, signedHeaders(SECRET, body, Date.now() + 5 * 60_000));
  expect(future.status).toBe(401);
  expect(future.body.error).toMatchObject({ code: 'bad_signature', message: expect.stringMatching(/^回调时间戳超前本服务器时钟/) });
  expect((await callback(reply, {})).status).toBe(401);
  // nor can another department's staff or system answer for the fire brigade on the plain routes
  expect((await request(stack.app).post(`/api/cases/${id}/department-reply`).set(await stack.auth('staff-market')).send({ text: '冒名答复' })).status).toBe(404);
  expect((await request(stack.app).post(`/api/cases/${id}/department-reply`).set(await stack.auth('dept-market-system')).send({ text: '冒名答复' })).status).toBe(404);
  expect((await request(stack.app).post(`/api/cases/${id}/department-reply`).set(steward).send({ text: '冒名答复' })).status).toBe(403);
  const untouched = await request(stack.app).get(`/api/cases/${id}`).set(steward);
  expect(untouched.body.stage).toBe('in_progress');
  expect(untouched.body.history.some((e: { type: string }) => e.type === 'department_replied')).toBe(false);

  const badShape = JSON.stringify({ caseId: id, action: 'reply' });
  const invalid = await callback(JSON.parse(badShape), signedHeaders(SECRET, badShape));
  expect(invalid.status).toBe(400);
  expect(invalid.body.error.issues[0].field).toBe('body.text');

  // a sender's clock a little ahead of ours is fine
  const acceptHeaders = signedHeaders(SECRET, JSON.stringify({ caseId: id, action: 'accept' }), Date.now() + 10_000);
  const accepted = await callback({ caseId: id, action: 'accept' }, acceptHeaders);
  expect(accepted.status).toBe(200);
  expect(accepted.body.tasks[0]).toMatchObject({ status: 'accepted' });
  const replied = await callback(reply, good);
  expect(replied.status).toBe(200);
  expect(replied.body).toMatchObject({ stage: 'pending_approval', tasks: [{ status: 'replied' }] });
  // a signed callback is taken once: the same request again is a replay, and changes nothing
  for (const [again, headers] of [[reply, good], [{ caseId: id, action: 'accept' }, acceptHeaders]] as const) {
    const replayed = await callback(again, headers);
    expect(replayed.status).toBe(409);
    expect(replayed.body.error).toMatchObject({ code: 'replayed', message: expect.stringMatching(/^该签名回调已收到过/) });
  }
  const after = await request(stack.app).get(`/api/cases/${id}?live=true`).set(steward);
  expect(after.body.history.filter((e: { type: string }) => e.type === 'department_replied')).toHaveLength(1);
  expect(after.body.history.filter((e: { type: string }) => e.type === 'department_accepted')).toHaveLength(1);
  expect(await stack.db.callbackReceipt.count({ where: { departmentId: 'dept-fire' } })).toBe(2);
  expect((await request(stack.app).post('/api/departments/dept-nowhere/callback').send({})).status).toBe(404);
  expect((await request(stack.app).post('/api/departments/dept-market/callback').send({})).status).toBe(401); // portal department: no secret
});

it('a callback that failed on our side (503) can be sent again, and is applied once', async () => {
  const opened = await request(stack.app)
    .post('/api/cases')
    .set(await stack.auth('ent-qianshu'))
    .send({ buildingId: 'bld-tianan', enterprise: { creditCode: ENTERPRISE }, category: 'fire_safety', title: '消防通道', description: '消防通道被占用', contact: { name: '周经理', phone: '13900000001' } });
  const id = opened.body.caseId as string;
  const steward = await stack.auth('stw-point-1');
  await request(stack.app).post(`/api/cases/${id}/acknowledge`).set(steward).send({});
  await request(stack.app).post(`/api/cases/${id}/dispatch`).set(steward).send({ departmentId: 'dept-fire' });

  const accept = { caseId: id, action: 'accept' };
  const headers = signedHeaders(SECRET, JSON.stringify(accept));
  // an API that cannot wait for the workflow: 503, the action may or may not have been applied
  const impatient = stack.appWith({ actionWaitMs: 1 });
  const lost = await request(impatient).post('/api/departments/dept-fire/callback').set('content-type', 'application/json').set(headers).send(JSON.stringify(accept));
  expect(lost.status).toBe(503);
  // the department's retry of the same signed request is not a replay, and applies it once
  const retried = await callback(accept, headers);
  expect(retried.status).toBe(200);
  expect(retried.body.tasks[0]).toMatchObject({ status: 'accepted' });
  expect((await callback(accept, headers)).status).toBe(409);
  const state = await request(stack.app).get(`/api/cases/${id}?live=true`).set(steward);
  expect(state.body.history.filter((e: { type: string }) => e.type === 'department_accepted')).toHaveLength(1);
});
