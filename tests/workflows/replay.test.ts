/**
 * Determinism: histories recorded from real runs (record-histories.ts) must replay on the current
 * workflow code, issuing the same commands and computing the same state: every persistCase input
 * (the case snapshot and the events it writes) must equal the one the history recorded. A change
 * that breaks either breaks, or silently rewrites, every case already running.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { defaultPayloadConverter } from '@temporalio/common';
import { bundleWorkflowCode, Worker, type InjectedSinks, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import '../helpers/temporal'; // its Runtime logger keeps the replay workers' chatter out of the output
import { HISTORIES_DIR, recordedState, statePath, type RecordedState } from './record-histories';
import type { ReplaySinks } from './replay-interceptors';

const names = readdirSync(HISTORIES_DIR)
  .filter((f) => f.endsWith('.json') && !f.endsWith('.state.json'))
  .map((f) => f.slice(0, -'.json'.length))
  .sort();
const historyOf = (name: string): unknown => JSON.parse(readFileSync(path.join(HISTORIES_DIR, `${name}.json`), 'utf8'));
const stateFileOf = (name: string): RecordedState => JSON.parse(readFileSync(statePath(path.join(HISTORIES_DIR, `${name}.json`)), 'utf8'));
let workflowBundle: WorkflowBundleWithSourceMap;

beforeAll(async () => {
  workflowBundle = await bundleWorkflowCode({
    workflowsPath: require.resolve('../../src/workflows'),
    // a prebuilt bundle makes the worker ignore interceptors.workflowModules: they are bundled here
    workflowInterceptorModules: [require.resolve('./replay-interceptors')],
    logger: { trace() {}, debug() {}, info() {}, warn() {}, error: console.error, log() {} } as never,
  });
});

/** Replays a history (throwing on non-determinism) and returns the persistCase and recordStep inputs it computed. */
async function replay(name: string, history: unknown): Promise<Required<RecordedState>> {
  const inputs: Required<RecordedState> = { persistCase: [], recordStep: [] };
  const sinks: InjectedSinks<ReplaySinks> = {
    replayed: {
      activityScheduled: {
        fn: (_info, activityType, args) => {
          if (activityType === 'persistCase' || activityType === 'recordStep') inputs[activityType].push(args[0]);
        },
        callDuringReplay: true,
      },
    },
  };
  await Worker.runReplayHistory({ workflowBundle, replayName: name, sinks }, history);
  return inputs;
}

const show = (v: unknown) => (v === undefined ? '(absent)' : JSON.stringify(v).slice(0, 200));
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The paths (e.g. `state.window.warnAt`) where two JSON values differ, in document order. */
function differences(a: unknown, b: unknown, at: string, out: string[]): string[] {
  if (isDeepStrictEqual(a, b)) return out;
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.max(a.length, b.length); i++) differences(a[i], b[i], `${at}[${i}]`, out);
  } else if (isRecord(a) && isRecord(b)) {
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) differences(a[k], b[k], at ? `${at}.${k}` : k, out);
  } else {
    out.push(at);
  }
  return out;
}

const valueAt = (v: unknown, at: string): unknown =>
  at ? at.split(/\.|(?=\[)/).reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k.startsWith('[') ? Number(k.slice(1, -1)) : k], v) : v;

/**
 * Undefined when both lists of persistCase (or recordStep) inputs are equal; otherwise one line naming
 * what is compared, the first differing input and field, both values, and how many more fields differ.
 */
function stateMismatch(what: string, expected: unknown[], actual: unknown[], labels = ['recorded', 'replayed'], activity = 'persistCase'): string | undefined {
  const count = expected.length === actual.length ? '' : ` (${labels[0]} ${expected.length} ${activity} calls, ${labels[1]} ${actual.length})`;
  for (let i = 0; i < Math.max(expected.length, actual.length); i++) {
    const paths = differences(expected[i], actual[i], '', []);
    if (!paths.length) continue;
    const first = paths[0]!;
    const more = paths.length > 1 ? `; ${paths.length - 1} more: ${paths.slice(1, 6).join(', ')}${paths.length > 6 ? ', …' : ''}` : '';
    const field = first ? `field ${first}` : 'the whole input';
    return `${what}: ${activity} #${i + 1} differs at ${field}: ${labels[0]} ${show(valueAt(expected[i], first))}, ${labels[1]} ${show(valueAt(actual[i], first))}${more}${count}`;
  }
  return undefined;
}

it('has recorded histories to replay, each with its state', () => {
  expect(names).toEqual([
    'closed-satisfied', 'departments-quiet', 'escalated-withdrawn', 'held-dropped',
    'lean-closed-satisfied', 'lean-departments-quiet', 'lean-escalated-withdrawn', 'paused-extended',
  ]);
  expect(readdirSync(HISTORIES_DIR).sort()).toEqual(names.flatMap((n) => [`${n}.json`, `${n}.state.json`]).sort());
});

it.each(names)('%s: the state file is what the history recorded', (name) => {
  // neither can drift: a hand-edited state file, or a history re-recorded without its state (a
  // local activity's input is not in the history: recordStep's were captured when it was recorded)
  const fromHistory = recordedState(historyOf(name)).persistCase;
  const { persistCase, recordStep = [] } = stateFileOf(name);
  expect(fromHistory.length + recordStep.length).toBeGreaterThan(0);
  expect(stateMismatch(`${name}.state.json`, fromHistory, persistCase, [`${name}.json`, 'state file'])).toBeUndefined();
});

it.each(names)('%s: replays with the same commands and writes the same state', async (name) => {
  const history = historyOf(name) as { events: unknown[] };
  expect(history.events.length).toBeGreaterThan(10);
  const replayed = await replay(name, history);
  const recorded = stateFileOf(name);
  expect(stateMismatch(name, recorded.persistCase, replayed.persistCase)).toBeUndefined();
  expect(stateMismatch(name, recorded.recordStep ?? [], replayed.recordStep, undefined, 'recordStep')).toBeUndefined();
});

it('fails a replay that issues the same commands but computes different state', async () => {
  // paused-extended warns at 75 % of its acknowledgement window; run the same history as if the
  // case had been opened with 37.5 %: the commands match, the warning point and its event do not
  const history = historyOf('paused-extended') as { events: { workflowExecutionStartedEventAttributes?: { input: { payloads: { data: string }[] } } }[] };
  const started = history.events[0]!.workflowExecutionStartedEventAttributes!.input.payloads[0]!;
  const input = JSON.parse(Buffer.from(started.data, 'base64').toString('utf8'));
  expect(input.policy.warnAt).toBe(0.75);
  input.policy.warnAt = 0.375;
  started.data = Buffer.from(defaultPayloadConverter.toPayload(input).data!).toString('base64');

  const replayed = await replay('paused-extended', history); // no non-determinism error
  const mismatch = stateMismatch('paused-extended', stateFileOf('paused-extended').persistCase, replayed.persistCase);
  expect(mismatch).toMatch(/^paused-extended: persistCase #1 differs at field state\.policy\.warnAt: recorded 0\.75, replayed 0\.375; \d+ more: state\.window\.warnAt/);
});
