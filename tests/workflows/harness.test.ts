/**
 * Proves the two real Temporal servers the suite relies on work here: the time-skipping test server
 * (timers skip, updates + validators work) and `temporal server start-dev` (SQLite, search attributes, UI).
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { NativeConnection, Worker } from '@temporalio/worker';
import { Client, Connection, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { createTimeSkippingEnv, startDevServer, type TestDevServer } from '../helpers/temporal';
import type { quick, sleepy } from './fixtures/sleepy';

const workflowsPath = require.resolve('./fixtures/sleepy');
const THREE_DAYS_MS = 3 * 24 * 60 * 60 * 1000;

const timings: Record<string, number> = {};
async function timed<T>(label: string, fn: () => Promise<T>): Promise<T> {
  const t0 = performance.now();
  try {
    return await fn();
  } finally {
    timings[label] = Math.round(performance.now() - t0);
  }
}
afterAll(() => {
  if (process.env.HARNESS_TIMINGS) process.stdout.write(`harness timings (ms): ${JSON.stringify(timings)}\n`);
});

async function expectValidatorRejection(promise: Promise<unknown>): Promise<void> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
  const updateErr = err as WorkflowUpdateFailedError;
  expect(updateErr.name).toBe('WorkflowUpdateFailedError');
  expect(updateErr.message).toBe('Workflow Update failed');
  expect(updateErr.cause).toBeInstanceOf(ApplicationFailure);
  const cause = updateErr.cause as ApplicationFailure;
  expect(cause.name).toBe('ApplicationFailure');
  expect(cause.type).toBe('InvalidNote');
  expect(cause.message).toBe('rejected note: bad');
}

describe('time-skipping test server', () => {
  let env: TestWorkflowEnvironment;

  beforeAll(async () => {
    env = await timed('timeSkippingEnvStart', createTimeSkippingEnv);
  });
  afterAll(async () => {
    await env?.teardown();
  });

  test('a 3-day sleep completes in seconds; updates and their validators work', async () => {
    const worker = await timed('workerCreateWithBundle', () =>
      Worker.create({ connection: env.nativeConnection, taskQueue: 'harness-ts', workflowsPath }),
    );
    await worker.runUntil(async () => {
      const wallStart = Date.now();
      const serverStart = await env.currentTimeMs();
      const handle = await env.client.workflow.start<typeof sleepy>('sleepy', {
        taskQueue: 'harness-ts',
        workflowId: 'harness-sleepy',
      });

      // Updates do not trigger time skipping: the workflow is still in its sleep afterwards.
      await expect(handle.executeUpdate('setNote', { args: ['good'] })).resolves.toBe('note=good');
      await expect(handle.query<string>('note')).resolves.toBe('good');
      await expectValidatorRejection(handle.executeUpdate('setNote', { args: ['bad'] }));
      expect((await handle.describe()).status.name).toBe('RUNNING');

      await expect(timed('timeSkippingWorkflowResult', () => handle.result())).resolves.toBe('done');
      expect((await env.currentTimeMs()) - serverStart).toBeGreaterThanOrEqual(THREE_DAYS_MS);
      expect(Date.now() - wallStart).toBeLessThan(30_000);
    });
  });
});

describe('temporal server start-dev', () => {
  let server: TestDevServer & { pid: number; namespace: string };
  let connection: Connection;

  beforeAll(async () => {
    server = await timed('devServerStart', () =>
      startDevServer({ namespace: 'harness', searchAttributes: { HarnessStatus: 'Keyword' } }),
    );
    connection = await Connection.connect({ address: server.address });
  });
  afterAll(async () => {
    await connection?.close();
    if (server) await timed('devServerStop', () => server.stop());
  });

  test('runs a workflow, registers search attributes, serves the UI', async () => {
    const client = new Client({ connection, namespace: 'harness' });
    const native = await NativeConnection.connect({ address: server.address });
    try {
      const worker = await timed('devWorkerCreateWithBundle', () =>
        Worker.create({ connection: native, namespace: 'harness', taskQueue: 'harness-dev', workflowsPath }),
      );
      await worker.runUntil(async () => {
        const result = await timed('devQuickWorkflow', () =>
          client.workflow.execute<typeof quick>('quick', {
            taskQueue: 'harness-dev',
            workflowId: 'harness-quick',
            args: ['dev'],
          }),
        );
        expect(result).toBe('hello dev');

        const handle = await client.workflow.start<typeof sleepy>('sleepy', {
          taskQueue: 'harness-dev',
          workflowId: 'harness-sleepy',
        });
        await expect(handle.executeUpdate('setNote', { args: ['good'] })).resolves.toBe('note=good');
        await expectValidatorRejection(handle.executeUpdate('setNote', { args: ['bad'] }));
        await handle.terminate('harness done');
      });
    } finally {
      await native.close();
    }

    const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace: 'harness' });
    expect(customAttributes).toHaveProperty('HarnessStatus');

    const ui = await fetch(server.uiUrl);
    expect(ui.status).toBe(200);
  });

  test('stop() terminates the server process', async () => {
    const pid = server.pid;
    await server.stop();
    expect(() => process.kill(pid, 0)).toThrow(expect.objectContaining({ code: 'ESRCH' }));
    await server.stop(); // idempotent
  });
});
