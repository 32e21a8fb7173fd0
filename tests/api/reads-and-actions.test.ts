/**
 * Issue 8 at the API: reading a case needs no worker (the read model's versioned snapshot), an
 * action's answer carries the version the lists will show, a 503 on an action says it may have
 * been applied and an Idempotency-Key makes the retry safe, overdue lists follow the stored
 * deadlines and the clock, and actions keep working while only the database is down.
 */
import request from 'supertest';
import type { Db } from '../../src/db/client';
import { startStack, type Stack } from '../helpers/stack';
import { eventually } from '../helpers/eventually';
import { toBeijing } from '../../src/api/beijing-time';

let stack: Stack;
const tokens: Record<string, string> = {};
const as = (subject: string) => ({ Authorization: `Bearer ${tokens[subject]}` });
const openBody = () => ({
  buildingId: 'bld-tianan',
  enterprise: { creditCode: '91310107MA1G0AB10G' },
  category: 'other',
  urgency: 'normal',
  title: '园区停车位不足',
  description: '员工停车困难，希望协调周边停车资源。',
  contact: { name: '周经理', phone: '13900000001' },
});

beforeAll(async () => {
  stack = await startStack();
  for (const s of ['ent-qianshu', 'stw-point-1', 'manager-town']) tokens[s] = await stack.token(s);
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

/** a case on its own task queue, so its worker can be killed without touching the others */
async function caseOnOwnWorker(queue: string) {
  const app = stack.appWith({ taskQueue: queue, actionWaitMs: 1500 });
  const worker = await stack.startWorker(queue);
  const opened = await request(app).post('/api/cases').set(as('ent-qianshu')).send(openBody());
  expect(opened.status).toBe(201);
  const caseId: string = opened.body.caseId;
  await eventually(async () => expect(await stack.db.case.findUnique({ where: { id: caseId } })).not.toBeNull());
  return { app, worker, caseId };
}

it('reads a case from the read model without a worker, with its version; live reads and actions say the worker is missing', async () => {
  const { app, worker, caseId } = await caseOnOwnWorker('reads-no-worker');
  const acked = await request(app).post(`/api/cases/${caseId}/acknowledge`).set(as('stw-point-1')).send({});
  expect(acked.status).toBe(200);
  expect(acked.body).toMatchObject({ source: 'workflow', stage: 'acknowledged', version: acked.body.events.at(-1).seq });
  expect(acked.body.events.map((e: { type: string }) => e.type)).toEqual(['acknowledged']);
  expect(acked.body.history).toBeUndefined(); // an action answers what it added, not the whole history
  await eventually(async () => expect((await stack.db.case.findUnique({ where: { id: caseId } }))!.version).toBe(acked.body.version));
  await worker.stop();

  const started = Date.now();
  const read = await request(app).get(`/api/cases/${caseId}`).set(as('stw-point-1'));
  expect(read.status).toBe(200);
  expect(Date.now() - started).toBeLessThan(1000); // no waiting for a worker
  expect(read.body).toMatchObject({ source: 'database', stage: 'acknowledged', version: acked.body.version, recordedAt: expect.any(String) });
  expect(read.body.history.at(-1)).toMatchObject({ seq: acked.body.version, type: 'acknowledged' });

  const live = await request(app).get(`/api/cases/${caseId}?live=true`).set(as('stw-point-1'));
  expect(live.status).toBe(503);

  const lost = await request(app).post(`/api/cases/${caseId}/pause`).set(as('stw-point-1')).send({ reason: '请补充材料' });
  expect(lost.status).toBe(503);
  expect(lost.body.error.message).toMatch(/本次操作可能已生效，也可能未生效/);
  expect(lost.body.error.message).not.toMatch(/未作任何更改/);
  const inEnglish = await request(app).post(`/api/cases/${caseId}/pause`).set(as('stw-point-1')).set('Accept-Language', 'en').send({ reason: '请补充材料' });
  expect(inEnglish.body.error.message).toMatch(/may or may not have been applied/);
  await stack.client.workflow.getHandle(`case-${caseId}`).terminate('test over');
});

it('applies an action sent twice with the same Idempotency-Key once, and answers the retry', async () => {
  const { app, worker, caseId } = await caseOnOwnWorker('reads-idem');
  try {
    await request(app).post(`/api/cases/${caseId}/acknowledge`).set(as('stw-point-1')).send({});
    const send = () => request(app).post(`/api/cases/${caseId}/pause`).set(as('stw-point-1')).set('Idempotency-Key', 'pause-once-0001').send({ reason: '请补充材料' });
    const first = await send();
    const again = await send();
    expect(first.status).toBe(200);
    expect(again.status).toBe(200); // not 409 "already awaiting the enterprise"
    expect(again.body.version).toBe(first.body.version);
    expect(again.body.events).toEqual(first.body.events); // Temporal answers a repeated Update id with its first answer
    const read = await request(app).get(`/api/cases/${caseId}?live=true`).set(as('stw-point-1'));
    expect(read.body.history.filter((e: { type: string }) => e.type === 'paused')).toHaveLength(1);
    // without the key the same request is a second, refused action
    const unkeyed = await request(app).post(`/api/cases/${caseId}/pause`).set(as('stw-point-1')).send({ reason: '请补充材料' });
    expect(unkeyed.status).toBe(409);
  } finally {
    await stack.client.workflow.getHandle(`case-${caseId}`).terminate('test over').catch(() => undefined);
    await worker.stop();
  }
});

it('answers a keyed retry of the action that finished a case as applied; another action on it is refused', async () => {
  const { app, worker, caseId } = await caseOnOwnWorker('reads-idem-final');
  try {
    const withdraw = (key: string) => request(app).post(`/api/cases/${caseId}/withdraw`).set(as('ent-qianshu')).set('Idempotency-Key', key).send({ reason: '已自行解决' });
    const first = await withdraw('withdraw-once-0001');
    expect(first.body.stage).toBe('withdrawn');
    // at once (the workflow has closed, the read model may not show it yet), and once it does
    expect((await withdraw('withdraw-once-0001')).body).toMatchObject({ stage: 'withdrawn', version: first.body.version });
    await eventually(async () => expect(await stack.db.case.findUniqueOrThrow({ where: { id: caseId } })).toMatchObject({ stage: 'withdrawn' }));
    const again = await withdraw('withdraw-once-0001');
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ stage: 'withdrawn', version: first.body.version, source: 'database' });
    expect(again.body.events).toEqual([]);
    const read = await request(app).get(`/api/cases/${caseId}`).set(as('ent-qianshu'));
    expect(read.body.history.filter((e: { type: string }) => e.type === 'withdrawn')).toHaveLength(1);
    const other = await withdraw('withdraw-other-0002');
    expect(other.status).toBe(409);
    expect(other.body.error.message).toBe(`案件 ${caseId} 已办结（已撤回），不再受理任何操作`);
  } finally {
    await worker.stop();
  }
});

it('lists a case as overdue once its stored deadline passes, even before the worker has flagged it', async () => {
  const { app, worker, caseId } = await caseOnOwnWorker('reads-derived');
  await worker.stop(); // the worker lags: nobody will flag the breach
  const past = new Date(Date.now() - 60_000);
  await stack.db.case.update({ where: { id: caseId }, data: { currentDueAt: past, currentWarnAt: new Date(past.getTime() - 60_000) } });
  const overdue = await request(app).get('/api/cases?overdue=true&pageSize=100').set(as('manager-town'));
  const row = overdue.body.items.find((r: { id: string }) => r.id === caseId);
  expect(row).toMatchObject({ overdue: true, atRisk: false, overdueSince: toBeijing(past.toISOString()), version: expect.any(Number) });
  expect(overdue.body.generatedAt).toMatch(/\+08:00$/);
  const notOverdue = await request(app).get('/api/cases?overdue=false&pageSize=100').set(as('manager-town'));
  expect(notOverdue.body.items.map((r: { id: string }) => r.id)).not.toContain(caseId);
  // between the warning point and the deadline it is at risk
  await stack.db.case.update({ where: { id: caseId }, data: { currentDueAt: new Date(Date.now() + 3_600_000), currentWarnAt: past } });
  const atRisk = await request(app).get('/api/cases?atRisk=true&pageSize=100').set(as('manager-town'));
  expect(atRisk.body.items.find((r: { id: string }) => r.id === caseId)).toMatchObject({ atRisk: true, overdue: false });
  await stack.client.workflow.getHandle(`case-${caseId}`).terminate('test over');
});

it('keeps taking actions on a running case while the database is down', async () => {
  let down = false;
  const outage = () => Object.assign(new Error("Can't reach database server at `db.internal:5432`"), { code: 'P1001' });
  // every query the API makes fails while `down`; the worker keeps its own (working) database
  const wrap = <T extends object>(target: T): T =>
    new Proxy(target, {
      get(t, k) {
        const v = Reflect.get(t, k) as unknown;
        if (typeof v === 'function') return (...args: unknown[]) => (down ? Promise.reject(outage()) : (v as (...a: unknown[]) => unknown).apply(t, args));
        return v && typeof v === 'object' ? wrap(v as object) : v;
      },
    });
  const queue = 'reads-db-down';
  const worker = await stack.startWorker(queue);
  const app = stack.appWith({ taskQueue: queue, db: wrap(stack.db) as Db });
  try {
    const opened = await request(app).post('/api/cases').set(as('ent-qianshu')).send(openBody());
    const caseId: string = opened.body.caseId;
    await request(app).get(`/api/cases/${caseId}`).set(as('stw-point-1')); // signs the steward in once
    down = true;
    const acked = await request(app).post(`/api/cases/${caseId}/acknowledge`).set(as('stw-point-1')).send({});
    expect(acked.status).toBe(200);
    expect(acked.body).toMatchObject({ source: 'workflow', stage: 'acknowledged' });
    const read = await request(app).get(`/api/cases/${caseId}`).set(as('stw-point-1'));
    expect(read.body).toMatchObject({ source: 'workflow', stage: 'acknowledged' });
    // lists need the read model: an honest 503
    expect((await request(app).get('/api/cases').set(as('stw-point-1'))).status).toBe(503);
    // someone never seen before cannot be checked: 503, not a guess
    tokens['stw-area-east'] ??= await stack.token('stw-area-east');
    expect((await request(app).get(`/api/cases/${caseId}`).set(as('stw-area-east'))).status).toBe(503);
    down = false;
    await eventually(async () => expect((await stack.db.case.findUnique({ where: { id: caseId } }))!.stage).toBe('acknowledged'));
    // the audit entry of the action taken during the outage waited, and is written now
    await eventually(async () => expect(await stack.db.auditLog.count({ where: { target: `case:${caseId}`, action: 'case.acknowledge', status: 200 } })).toBe(1), { timeoutMs: 15_000 });
    await stack.client.workflow.getHandle(`case-${caseId}`).terminate('test over');
  } finally {
    down = false;
    await worker.stop();
  }
});

it("lists a department's task as overdue once its deadline passes, even before the worker has flagged it", async () => {
  tokens['staff-market'] ??= await stack.token('staff-market');
  const { app, worker, caseId } = await caseOnOwnWorker('reads-derived-task');
  await request(app).post(`/api/cases/${caseId}/acknowledge`).set(as('stw-point-1')).send({});
  const dispatched = await request(app).post(`/api/cases/${caseId}/dispatch`).set(as('stw-point-1')).send({ departmentId: 'dept-market' });
  expect(dispatched.status).toBe(200);
  await eventually(async () => expect(await stack.db.departmentTask.count({ where: { caseId } })).toBe(1));
  await worker.stop();
  const past = new Date(Date.now() - 60_000);
  await stack.db.departmentTask.updateMany({ where: { caseId }, data: { dueAt: past } });
  const list = async (overdue: boolean) =>
    (await request(app).get(`/api/departments/dept-market/tasks?overdue=${overdue}&pageSize=100`).set(as('staff-market'))).body.items.filter((t: { caseId: string }) => t.caseId === caseId);
  expect(await list(true)).toEqual([expect.objectContaining({ overdue: true, overdueSince: toBeijing(past.toISOString()) })]);
  expect(await list(false)).toEqual([]);
  await stack.client.workflow.getHandle(`case-${caseId}`).terminate('test over');
});
