/**
 * Intake is exactly once: per caller and Idempotency-Key one case, across retries after lost
 * answers (injected client timeouts), across two API processes racing, and across key expiry.
 * Real stack: Temporal dev server, worker, SQLite; the "second API process" is a second app with
 * its own database connection and its own Temporal connection, listening on its own port.
 */
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { InterceptingCall, type Interceptor, Metadata, status } from '@grpc/grpc-js';
import { Client, Connection, defaultGrpcRetryOptions, makeGrpcRetryInterceptor } from '@temporalio/client';
import { createDb, type Db } from '../../src/db/client';
import { caseWorkflowId } from '../../src/workflows/definitions';
import { eventually } from '../helpers/eventually';
import { testCodec } from '../helpers/secrets';
import { type Stack, startStack } from '../helpers/stack';

const ENTERPRISE = '91310107MA1G0AB10G'; // in bld-tianan, seeded

const openBody = (title: string, overrides: Record<string, unknown> = {}) => ({
  buildingId: 'bld-tianan',
  enterprise: { creditCode: ENTERPRISE },
  category: 'other',
  title,
  description: '员工停车困难，希望协调周边停车资源。',
  contact: { name: '周经理', phone: '13900000001' },
  ...overrides,
});

let stack: Stack;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  stack = await startStack();
  for (const s of ['ent-qianshu', 'stw-point-1']) tokens[s] = await stack.token(s);
});

afterAll(async () => {
  await stack?.stop();
});

const as = (subject: string) => ({ Authorization: `Bearer ${tokens[subject]}` });
/** POST /api/cases to an app (or a listening process's URL) */
const open = (target: Parameters<typeof request>[0], body: object, key?: string, who = 'ent-qianshu') => {
  const req = request(target).post('/api/cases').set(as(who));
  if (key) req.set('Idempotency-Key', key);
  return req.send(body);
};

const CASE_ID = /C\d{8}-[0-9A-Z]{6}/;

/** every case workflow in Temporal (visibility lags a moment: call within `eventually`) */
async function workflowIds(): Promise<Set<string>> {
  const ids = new Set<string>();
  for await (const wf of stack.client.workflow.list({ query: `WorkflowType = 'caseWorkflow'` })) ids.add(wf.workflowId);
  return ids;
}

/**
 * Exactly `n` cases carry this title, and Temporal holds exactly the workflows the database has
 * rows for (so no workflow was started without its case, e.g. a duplicate whose row never came).
 */
async function expectCases(title: string, n: number): Promise<string[]> {
  return eventually(
    async () => {
      const rows = await stack.db.case.findMany({ where: { title }, select: { id: true } });
      expect(rows).toHaveLength(n);
      const all = await stack.db.case.findMany({ select: { workflowId: true } });
      expect(await workflowIds()).toEqual(new Set(all.map((r) => r.workflowId)));
      return rows.map((r) => r.id);
    },
    { timeoutMs: 15_000, intervalMs: 200 },
  );
}

/** What happens to the n-th call of an RPC (by its name, e.g. ExecuteMultiOperation) on the wire. */
type Fault = 'pass' | 'lose-answer' | 'unreachable';
type FaultPlan = (rpc: string, n: number) => Fault;

/**
 * gRPC faults under the Temporal client, below the SDK: `lose-answer` lets the call reach the
 * server and be carried out, then turns its answer into DEADLINE_EXCEEDED (a client-side timeout);
 * `unreachable` fails the call with UNAVAILABLE without sending it.
 */
function injecting(plan: FaultPlan): Interceptor {
  const calls = new Map<string, number>();
  return (options, nextCall) => {
    const rpc = options.method_definition.path.split('/').pop()!;
    const n = (calls.get(rpc) ?? 0) + 1;
    calls.set(rpc, n);
    const fault = plan(rpc, n);
    if (fault === 'pass') return new InterceptingCall(nextCall(options));
    if (fault === 'unreachable') {
      // the call is opened and refused at once; its request never goes on the wire
      const call: InterceptingCall = new InterceptingCall(nextCall(options), {
        start: (metadata, listener, next) => {
          next(metadata, listener);
          setImmediate(() => call.cancelWithStatus(status.UNAVAILABLE, 'connection refused (injected)'));
        },
        sendMessage: () => undefined,
        halfClose: () => undefined,
      });
      return call;
    }
    return new InterceptingCall(nextCall(options), {
      start: (metadata, listener, next) =>
        next(metadata, {
          // the server carried the call out and answered; the answer arrives too late
          onReceiveStatus: (st, nextStatus) =>
            nextStatus(st.code === status.OK ? { code: status.DEADLINE_EXCEEDED, details: 'Deadline exceeded (injected after the server answered)', metadata: new Metadata() } : st),
        }),
    });
  };
}

/** the RPCs that start a workflow, whichever way the API starts one */
const STARTS = /^(StartWorkflowExecution|ExecuteMultiOperation|SignalWithStartWorkflowExecution)$/;

/**
 * A second API process: its own database connection, its own Temporal connection (with the
 * production retry policy, and optionally injected faults), its own port.
 */
async function apiProcess(plan: FaultPlan = () => 'pass') {
  const [main] = await stack.db.$queryRawUnsafe<{ file: string }[]>("SELECT file FROM pragma_database_list WHERE name = 'main'");
  const db: Db = createDb(`file:${main!.file}`);
  const connection = Connection.lazy({
    address: stack.address,
    interceptors: [makeGrpcRetryInterceptor(defaultGrpcRetryOptions({ maxAttempts: 4 })), injecting(plan)],
  });
  const client = new Client({ connection, namespace: 'default', dataConverter: { payloadCodecs: [testCodec()] } });
  const app = stack.appWith({ db, temporal: client, actionWaitMs: 3000 });
  const server: Server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async stop() {
      await new Promise((r) => server.close(r));
      await connection.close();
      await db.$disconnect();
    },
  };
}

describe('POST /api/cases with an Idempotency-Key', () => {
  it('replays the same request: 201, then 200 with the same case, one workflow', async () => {
    const title = '幂等-顺序';
    const first = await open(stack.app, openBody(title), 'intake-seq-0001');
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ stage: 'assigned', source: 'workflow', owner: { id: 'stw-point-1' } });
    expect(first.body.clocks).toBeDefined();
    const again = await open(stack.app, openBody(title), 'intake-seq-0001');
    expect(again.status).toBe(200);
    expect(again.body.caseId).toBe(first.body.caseId);
    expect(await expectCases(title, 1)).toEqual([first.body.caseId]);
  });

  it('(a) a start the server took but whose answer timed out at the client is the same case on retry', async () => {
    const title = '幂等-超时';
    // the first start reaches the server, which starts the workflow; its answer times out
    const flaky = await apiProcess((rpc, n) => (STARTS.test(rpc) && n === 1 ? 'lose-answer' : 'pass'));
    try {
      const first = await open(flaky.url, openBody(title), 'intake-timeout-01');
      // the answer was lost, but the start was acknowledged: the case is open and named
      expect(first.status).toBe(202);
      expect(first.body.caseId).toMatch(CASE_ID);
      const retry = await open(flaky.url, openBody(title), 'intake-timeout-01');
      expect(retry.status).toBe(200);
      expect(retry.body).toMatchObject({ caseId: first.body.caseId, stage: 'assigned' });
      expect(await expectCases(title, 1)).toEqual([first.body.caseId]);
    } finally {
      await flaky.stop();
    }
  });

  it('(b) two API processes racing the same key open one case', async () => {
    const title = '幂等-双进程';
    const other = await apiProcess();
    try {
      const key = 'intake-race-0001';
      const answers = await Promise.all([0, 1, 2].flatMap(() => [open(stack.app, openBody(title), key), open(other.url, openBody(title), key)]));
      expect(answers.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 200, 201]);
      expect(new Set(answers.map((r) => r.body.caseId)).size).toBe(1);
      expect(await expectCases(title, 1)).toEqual([answers[0]!.body.caseId]);
      expect(await stack.db.intakeKey.count({ where: { key } })).toBe(1);
    } finally {
      await other.stop();
    }
  });

  it('(c) the same key from two people is two requests, and neither refusal names a case', async () => {
    const title = '幂等-两人';
    const key = 'intake-shared-001';
    const enterprise = await open(stack.app, openBody(title), key, 'ent-qianshu');
    const steward = await open(stack.app, openBody(title), key, 'stw-point-1');
    expect([enterprise.status, steward.status]).toEqual([201, 201]);
    expect(enterprise.body.caseId).not.toBe(steward.body.caseId);
    expect((await expectCases(title, 2)).sort()).toEqual([enterprise.body.caseId, steward.body.caseId].sort());
    expect(await stack.db.intakeKey.count({ where: { key } })).toBe(2);

    for (const who of ['ent-qianshu', 'stw-point-1']) {
      const reused = await open(stack.app, openBody('幂等-两人-另一件事'), key, who);
      expect(reused.status).toBe(422);
      expect(reused.body.error.code).toBe('idempotency_key_reused');
      expect(reused.body.error.message).not.toMatch(CASE_ID);
    }
    // and each replay finds its own case
    expect((await open(stack.app, openBody(title), key, 'stw-point-1')).body.caseId).toBe(steward.body.caseId);
    expect((await open(stack.app, openBody(title), key, 'ent-qianshu')).body.caseId).toBe(enterprise.body.caseId);
  });

  it('(d) a different request under a used key is refused with 422, opening nothing', async () => {
    const key = 'intake-reuse-0001';
    expect((await open(stack.app, openBody('幂等-原请求'), key)).status).toBe(201);
    const reused = await open(stack.app, openBody('幂等-换了内容'), key);
    expect(reused.status).toBe(422);
    expect(reused.body.error).toMatchObject({ code: 'idempotency_key_reused', message: expect.stringContaining(key) });
    expect(reused.body.error.message).not.toMatch(CASE_ID);
    await expectCases('幂等-原请求', 1);
    await expectCases('幂等-换了内容', 0);
  });

  it('(e) an expired key may be used afresh, and expired keys are pruned', async () => {
    const key = 'intake-expiry-001';
    const first = await open(stack.app, openBody('幂等-过期前'), key);
    expect(first.status).toBe(201);
    const row = await stack.db.intakeKey.findFirstOrThrow({ where: { key } });
    expect(row).toMatchObject({ caseId: first.body.caseId, fingerprint: expect.any(String) });
    // kept about a day
    expect(row.expiresAt.getTime() - row.createdAt.getTime()).toBe(24 * 3_600_000);
    await stack.db.intakeKey.update({ where: { ownerId_key: { ownerId: row.ownerId, key } }, data: { expiresAt: new Date(Date.now() - 1000) } });

    const stale = { ownerId: row.ownerId, key: 'intake-long-gone-1', caseId: 'C20250101-AAAAAA', fingerprint: 'x', expiresAt: new Date(Date.now() - 3_600_000) };
    await stack.db.intakeKey.create({ data: stale });
    // a fresh process prunes on its first keyed intake
    const fresh = await apiProcess();
    try {
      const reused = await open(fresh.url, openBody('幂等-过期后'), key); // even another request
      expect(reused.status).toBe(201);
      expect(reused.body.caseId).not.toBe(first.body.caseId);
      expect(await stack.db.intakeKey.findFirstOrThrow({ where: { key } })).toMatchObject({ caseId: reused.body.caseId });
      await eventually(async () => expect(await stack.db.intakeKey.count({ where: { key: stale.key } })).toBe(0));
    } finally {
      await fresh.stop();
    }
    await expectCases('幂等-过期前', 1);
    await expectCases('幂等-过期后', 1);
  });

  it('(f) a workflow started whose answer was lost, even long ago, is found by a retry in another process', async () => {
    const title = '幂等-答复丢失';
    // the server starts the workflow; its answer is lost and the connection drops: this process cannot tell
    let gone = false;
    const dying = await apiProcess((rpc) => {
      if (gone) return 'unreachable';
      if (!STARTS.test(rpc)) return 'pass';
      gone = true;
      return 'lose-answer';
    });
    let lost;
    try {
      lost = await open(dying.url, openBody(title), 'intake-lost-0001');
    } finally {
      await dying.stop();
    }
    expect(lost.status).toBe(503);
    expect(lost.body.error.message).toMatch(/案件可能已受理，也可能未受理.*使用相同的 Idempotency-Key 重试是安全的/);
    // the key was kept (never released on failure), and long past the old 60 s "stale" takeover
    const row = await stack.db.intakeKey.findFirstOrThrow({ where: { key: 'intake-lost-0001' } });
    await stack.db.intakeKey.update({ where: { ownerId_key: { ownerId: row.ownerId, key: row.key } }, data: { createdAt: new Date(Date.now() - 10 * 60_000) } });

    const other = await apiProcess();
    try {
      const retry = await open(other.url, openBody(title), 'intake-lost-0001');
      expect(retry.status).toBe(200);
      expect(retry.body).toMatchObject({ caseId: row.caseId, stage: 'assigned' });
    } finally {
      await other.stop();
    }
    expect(await expectCases(title, 1)).toEqual([row.caseId]);
  });

  it('a key whose request died before starting its workflow is started by the retry, under the recorded id, at once', async () => {
    const title = '幂等-启动前中断';
    const key = 'intake-died-00001';
    // Temporal becomes unreachable just as the start is sent: it never arrives
    const dying = await apiProcess((rpc) => (STARTS.test(rpc) ? 'unreachable' : 'pass'));
    try {
      const res = await open(dying.url, openBody(title), key);
      expect(res.status).toBe(503);
      expect(res.body.error.message).toMatch(/案件可能已受理，也可能未受理.*使用相同的 Idempotency-Key 重试是安全的/);
    } finally {
      await dying.stop();
    }
    const row = await stack.db.intakeKey.findFirstOrThrow({ where: { key } });
    await expect(stack.client.workflow.getHandle(caseWorkflowId(row.caseId)).describe()).rejects.toMatchObject({ name: 'WorkflowNotFoundError' });
    // no waiting for a "stale" window, no second case id
    const retry = await open(stack.app, openBody(title), key);
    expect(retry.status).toBe(200);
    expect(retry.body).toMatchObject({ caseId: row.caseId, stage: 'assigned' });
    expect(await expectCases(title, 1)).toEqual([row.caseId]);
  });

  it('a retry after the case finished answers with the finished case, never starting it again', async () => {
    const title = '幂等-已撤回';
    const key = 'intake-closed-001';
    const first = await open(stack.app, openBody(title), key);
    expect(first.status).toBe(201);
    const caseId = first.body.caseId as string;
    const withdrawn = await request(stack.app).post(`/api/cases/${caseId}/withdraw`).set(as('ent-qianshu')).send({ reason: '已自行解决' });
    expect(withdrawn.status).toBe(200);
    await eventually(async () => expect((await stack.client.workflow.getHandle(caseWorkflowId(caseId)).describe()).status.name).toBe('COMPLETED'), {
      timeoutMs: 15_000,
    });
    const retry = await open(stack.app, openBody(title), key);
    expect(retry.status).toBe(200);
    expect(retry.body).toMatchObject({ caseId, stage: 'withdrawn' });
    expect(await expectCases(title, 1)).toEqual([caseId]);
    const runs = [];
    for await (const wf of stack.client.workflow.list({ query: `WorkflowId = '${caseWorkflowId(caseId)}'` })) runs.push(wf.runId);
    expect(runs).toHaveLength(1);
  });
});

describe('POST /api/cases when the answer is lost', () => {
  it('without a key, a 503 says the case may exist and that a retry is not safe', async () => {
    const title = '无键-答复丢失';
    let gone = false;
    const dying = await apiProcess((rpc) => {
      if (gone) return 'unreachable';
      if (!STARTS.test(rpc)) return 'pass';
      gone = true;
      return 'lose-answer';
    });
    try {
      const res = await open(dying.url, openBody(title));
      expect(res.status).toBe(503);
      expect(res.body.error.code).toBe('unavailable');
      expect(res.body.error.message).toMatch(/案件可能已受理，也可能未受理.*不带 Idempotency-Key 重试并不安全/);
    } finally {
      await dying.stop();
    }
  });
});

describe('POST /api/cases for a category whose time limits cannot be computed', () => {
  it('answers 422 naming the category and the reason, and starts no workflow', async () => {
    // written straight into the catalogue, as an old or hand-edited item would be
    await stack.db.catalogueItem.create({
      data: { code: 'absurd_limits', version: 1, name: '时限错误的事项', policy: { resolution: { value: 3000, unit: 'working_days' } }, changedBy: 'test' },
    });
    const before = await expectCases('时限错误', 0);
    const res = await open(stack.app, openBody('时限错误', { category: 'absurd_limits' }), 'intake-absurd-001');
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('category_unusable');
    expect(res.body.error.message).toMatch(/^服务事项“时限错误的事项”（absurd_limits）的时限无法计算.*ten years.*请管理员修正服务清单$/);
    const inEnglish = await open(stack.app, openBody('时限错误', { category: 'absurd_limits' }), 'intake-absurd-002').set('Accept-Language', 'en');
    expect(inEnglish.body.error.message).toMatch(/absurd_limits.*时限错误的事项.*time limits cannot be computed.*ten years/);
    expect(before).toEqual([]);
    await expectCases('时限错误', 0);
    expect(await stack.db.intakeKey.count({ where: { key: 'intake-absurd-001' } })).toBe(0);
  });
});
