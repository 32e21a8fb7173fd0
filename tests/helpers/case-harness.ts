/**
 * Shared set-up for workflow tests on the time-skipping server: one server and one workflow
 * bundle per test file, a fresh worker and task queue per case, and no case left running
 * (a workflow task nobody polls would stop the server from skipping time for the next test).
 */
import { randomUUID } from 'node:crypto';
import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { CaseWorkflowInput } from '../../src/domain/case-model';
import type { caseWorkflow } from '../../src/workflows';
import { ACTION_UPDATES, awaitRecordedUpdate, caseWorkflowId, getCaseStateQuery } from '../../src/workflows/definitions';
import { caseInput, enterprise } from '../fixtures/case-input';
import { fakeActivities } from './fake-activities';
import { createTimeSkippingEnv } from './temporal';

export type CaseHandle = WorkflowHandle<typeof caseWorkflow>;
export type Fake = ReturnType<typeof fakeActivities>;

const quietBundler = { trace() {}, debug() {}, info() {}, warn() {}, error: console.error, log() {} } as never;

export function useTimeSkippingCases() {
  let env: TestWorkflowEnvironment;
  let bundle: WorkflowBundleWithSourceMap;

  beforeAll(async () => {
    env = await createTimeSkippingEnv();
    bundle = await bundleWorkflowCode({ workflowsPath: require.resolve('../../src/workflows'), logger: quietBundler });
  });

  afterAll(async () => {
    await env?.teardown();
  });

  const state = (h: WorkflowHandle) => h.query(getCaseStateQuery);

  /** Skips the server's clock to `plusMs` past an instant. */
  const sleepUntil = async (iso: string, plusMs = 1000) => env.sleep(Math.max(Date.parse(iso) - (await env.currentTimeMs()) + plusMs, 1));

  /** Skips to just past the case's current deadline (working time varies by weekday). */
  const passDeadline = async (h: WorkflowHandle) => sleepUntil((await state(h)).window!.dueAt);

  /** Awaits the case's end (the server skips time meanwhile) and answers its final state. */
  const ended = async (h: WorkflowHandle) => {
    await h.result(); // a case ends with how it ended, not its state
    return h.query(getCaseStateQuery);
  };

  /** Runs `fn` on a new case; a case still running afterwards is withdrawn and awaited. */
  async function withCase<T>(
    fn: (h: CaseHandle, caseId: string, fake: Fake) => Promise<T>,
    opts: { input?: CaseWorkflowInput; fake?: Fake; activities?: Fake['activities'] } = {},
  ): Promise<T> {
    const fake = opts.fake ?? fakeActivities();
    const taskQueue = `test-${randomUUID()}`;
    const caseId = `C20261121-${randomUUID().slice(0, 6).toUpperCase()}`;
    const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle: bundle, activities: opts.activities ?? fake.activities });
    return worker.runUntil(async () => {
      const handle = await env.client.workflow.start<typeof caseWorkflow>('caseWorkflow', {
        workflowId: caseWorkflowId(caseId),
        taskQueue,
        args: [{ ...(opts.input ?? caseInput()), caseId }],
      });
      try {
        await handle.executeUpdate(awaitRecordedUpdate);
        const result = await fn(handle, caseId, fake);
        if ((await handle.describe()).status.name === 'RUNNING') {
          const { stage } = await handle.query(getCaseStateQuery);
          // a resolved case runs out its follow-up window (awaiting the result skips time)
          if (stage !== 'resolved' && stage !== 'follow_up') {
            await handle.executeUpdate(ACTION_UPDATES.withdraw, { args: [{ actor: enterprise, reason: 'test finished' }] });
          }
          await handle.result();
        }
        return result;
      } catch (err) {
        await handle.terminate('test failed').catch(() => undefined);
        throw err;
      }
    });
  }

  return { env: () => env, state, sleepUntil, passDeadline, withCase, ended };
}
