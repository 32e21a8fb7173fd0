/**
 * Determinism: histories recorded from real runs (record-histories.ts) must replay on the
 * current workflow code. A change that breaks this breaks every case already running.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';

const dir = path.join(__dirname, 'histories');
const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
let workflowBundle: WorkflowBundleWithSourceMap;

beforeAll(async () => {
  workflowBundle = await bundleWorkflowCode({ workflowsPath: require.resolve('../../src/workflows'), logger: { trace() {}, debug() {}, info() {}, warn() {}, error: console.error, log() {} } as never });
});

it('has recorded histories to replay', () => {
  expect(files.sort()).toEqual(['closed-satisfied.json', 'departments-quiet.json', 'escalated-withdrawn.json', 'paused-extended.json']);
});

it.each(files)('replays %s deterministically', async (file) => {
  const history = JSON.parse(readFileSync(path.join(dir, file), 'utf8'));
  expect(history.events.length).toBeGreaterThan(10);
  await expect(Worker.runReplayHistory({ workflowBundle, replayName: file }, history)).resolves.toBeUndefined();
});
