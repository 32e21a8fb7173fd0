/**
 * A deadline that passes while no worker runs (a restart, an outage) is noticed late, but the
 * case records it at the deadline itself, and a warning that would now come after the deadline
 * is not sent. On a real dev server: the time-skipping server cannot skip time while a
 * workflow task waits for a worker.
 */
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, NativeConnection, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { caseWorkflow } from '../../src/workflows';
import { ACTION_UPDATES, caseWorkflowId, getCaseStateQuery, intakeUpdate } from '../../src/workflows/definitions';
import { POLICY, caseInput, enterprise } from '../fixtures/case-input';
import { eventually } from '../helpers/eventually';
import { fakeActivities } from '../helpers/fake-activities';
import { startDevServer, type TestDevServer } from '../helpers/temporal';

let server: TestDevServer;
let connection: NativeConnection;
let clientConnection: Connection;
let client: Client;
let bundle: WorkflowBundleWithSourceMap;

beforeAll(async () => {
  server = await startDevServer();
  connection = await NativeConnection.connect({ address: server.address });
  clientConnection = await Connection.connect({ address: server.address });
  client = new Client({ connection: clientConnection });
  bundle = await bundleWorkflowCode({ workflowsPath: require.resolve('../../src/workflows'), logger: { trace() {}, debug() {}, info() {}, warn() {}, error: console.error, log() {} } as never });
}, 60_000);

afterAll(async () => {
  await clientConnection?.close();
  await connection?.close();
  await server?.stop();
});

it('stamps a breach noticed late with its deadline, and skips a warning whose deadline has passed', async () => {
  const fake = fakeActivities();
  const taskQueue = `late-${randomUUID()}`;
  const caseId = `C20261122-${randomUUID().slice(0, 6).toUpperCase()}`;
  const seconds = (value: number) => ({ value, unit: 'seconds' as const });
  // a four-second response window (warning at three), in wall-clock time
  const policy = { ...POLICY, response: seconds(4), urgentResponse: seconds(4), escalation: { 2: seconds(3600), 3: seconds(3600) } };
  const worker = () => Worker.create({ connection, taskQueue, workflowBundle: bundle, activities: fake.activities, stickyQueueScheduleToStartTimeout: '1s' });
  const h = client.workflow.getHandle<typeof caseWorkflow>(caseWorkflowId(caseId));
  const opened = await (await worker()).runUntil(async () => {
    await client.workflow.start<typeof caseWorkflow>('caseWorkflow', { workflowId: caseWorkflowId(caseId), taskQueue, args: [{ ...caseInput(), caseId, policy }] });
    return h.executeUpdate(intakeUpdate);
  });
  expect(opened.window!.warnAt).toBeDefined();
  // no worker while both the warning point and the deadline pass
  await new Promise((r) => setTimeout(r, Date.parse(opened.window!.dueAt) - Date.now() + 3000));
  await (await worker()).runUntil(async () => {
    const s = await eventually(async () => {
      const now = await h.query(getCaseStateQuery);
      expect(now.owner.level).toBe(2);
      return now;
    }, { timeoutMs: 20_000 });
    expect(s.escalations[0]!.at).toBe(opened.window!.dueAt);
    expect(s.overdueSince).toBe(opened.window!.dueAt);
    expect(s.history.find((e) => e.type === 'escalated')!.at).toBe(opened.window!.dueAt);
    expect(s.history.some((e) => e.type === 'deadline_warning')).toBe(false);
    expect(fake.notifications.map((n) => n.intent.template)).not.toContain('deadline_warning');
    await h.executeUpdate(ACTION_UPDATES.withdraw, { args: [{ actor: enterprise, reason: 'test finished' }] });
    await h.result();
  });
}, 60_000);
