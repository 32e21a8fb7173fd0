/**
 * Records the committed histories that replay.test.ts replays, and beside each `<name>.json` its
 * `<name>.state.json`: the input of every persistCase the history scheduled (the snapshot and events
 * the case wrote), which replay must compute again, and for cases since 'lean-steps' the input of
 * every recordStep, the local activity that writes a step and sends its notices (a local activity's
 * input is not in the history: it is captured from the recording's worker). Histories are cases already running: never
 * re-record one because a change stopped replaying it; version the change with patched() instead.
 * To add a history, add a scenario below and record only it:
 *   node --import tsx tests/workflows/record-histories.ts held-dropped
 * Without scenario names this only rewrites the .state.json files from the histories.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { defaultPayloadConverter } from '@temporalio/common';
import { historyFromJSON, historyToJSON } from '@temporalio/common/lib/proto-utils';
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import { ACTION_UPDATES, awaitRecordedUpdate, caseWorkflowId, getCaseStateQuery } from '../../src/workflows/definitions';
import type { caseWorkflow } from '../../src/workflows';
import type { CaseWorkflowInput } from '../../src/domain/case-model';
import type { CalendarData } from '../../src/domain/working-time';
import { CALENDAR, caseInput, department, enterprise, steward } from '../fixtures/case-input';
import { fakeActivities } from '../helpers/fake-activities';
import { createTimeSkippingEnv } from '../helpers/temporal';

export const HISTORIES_DIR = path.join(__dirname, 'histories');
export const statePath = (historyPath: string) => historyPath.replace(/\.json$/, '.state.json');

/** What a history's case wrote: the input of each persistCase it scheduled, in order, and of each recordStep. */
export interface RecordedState {
  persistCase: unknown[];
  recordStep?: unknown[];
}

/** Decodes the persistCase inputs from a history as stored (histories are recorded without a codec). */
export function recordedState(historyJson: unknown): RecordedState {
  const persistCase = [];
  for (const event of historyFromJSON(historyJson).events ?? []) {
    const scheduled = event.activityTaskScheduledEventAttributes;
    if (scheduled?.activityType?.name !== 'persistCase') continue;
    const payloads = scheduled.input?.payloads ?? [];
    if (payloads.length !== 1) throw new Error(`event ${event.eventId}: persistCase scheduled with ${payloads.length} arguments, expected 1`);
    persistCase.push(defaultPayloadConverter.fromPayload(payloads[0]!));
  }
  return { persistCase };
}

function writeStateFiles(): void {
  for (const file of readdirSync(HISTORIES_DIR).filter((f) => f.endsWith('.json') && !f.endsWith('.state.json'))) {
    const historyPath = path.join(HISTORIES_DIR, file);
    // what only the recording saw is kept
    const { recordStep } = JSON.parse(readFileSync(statePath(historyPath), 'utf8')) as RecordedState;
    const state = { ...recordedState(JSON.parse(readFileSync(historyPath, 'utf8'))), ...(recordStep ? { recordStep } : {}) };
    writeFileSync(statePath(historyPath), JSON.stringify(state, null, 1) + '\n');
    console.log(`${path.basename(statePath(historyPath))}: ${state.persistCase.length} persistCase inputs, ${state.recordStep?.length ?? 0} recordStep inputs`);
  }
}

async function main(names: string[]) {
  const env = await createTimeSkippingEnv();
  const workflowBundle = await bundleWorkflowCode({ workflowsPath: require.resolve('../../src/workflows') });
  // calendar years a scenario lets the worker "learn" after its case opened
  let published: CalendarData | undefined;
  const fake = fakeActivities();
  const steps = new Map<string, unknown[]>();
  const activities = {
    ...fake.activities,
    recordStep: async (input: Parameters<typeof fake.activities.recordStep>[0]) => {
      steps.set(input.state.caseId, [...(steps.get(input.state.caseId) ?? []), JSON.parse(JSON.stringify(input))]);
      return fake.activities.recordStep(input);
    },
    calendarYearsAfter: async (year: number) => ({ ...(published ?? { source: 'none', holidays: [], workdays: [] }), years: (published?.years ?? []).filter((y) => y > year) }),
  };
  const worker = await Worker.create({ connection: env.nativeConnection, taskQueue: 'record', workflowBundle, activities });
  const scenarios: Record<string, (caseId: string) => Promise<void>> = {
    // dispatch, department reply, approval, follow-up: satisfied
    'closed-satisfied': async (caseId) => {
      const h = await start(caseId);
      await h.executeUpdate(ACTION_UPDATES.acknowledge, { args: [{ actor: steward(1) }] });
      await h.executeUpdate(ACTION_UPDATES.dispatch, { args: [{ actor: steward(1), lead: { id: 'dept-market', name: '市场监管所' } }] });
      await env.sleep('1 minute');
      await h.executeUpdate(ACTION_UPDATES.departmentReply, { args: [{ actor: department, text: '已核查' }] });
      await h.executeUpdate(ACTION_UPDATES.approve, { args: [{ actor: steward(1) }] });
      await env.sleep('4 days'); // past the 1-working-day follow-up delay, whatever the weekday
      await h.executeUpdate(ACTION_UPDATES.recordFollowUp, { args: [{ actor: steward(1), satisfaction: 'satisfied' }] });
      await h.result();
    },
    // warning, pause for the enterprise, an extension refused then approved, resolved
    'paused-extended': async (caseId) => {
      const h = await start(caseId);
      await h.executeUpdate(ACTION_UPDATES.acknowledge, { args: [{ actor: steward(1) }] });
      const s = await h.query(getCaseStateQuery);
      await env.sleep(Date.parse(s.window!.warnAt!) - (await env.currentTimeMs()) + 1000);
      await h.executeUpdate(ACTION_UPDATES.pause, { args: [{ actor: steward(1), reason: '请补充营业执照副本' }] });
      await env.sleep('3 days');
      await h.executeUpdate(ACTION_UPDATES.resume, { args: [{ actor: enterprise, info: '已上传' }] });
      const resumed = await h.query(getCaseStateQuery);
      const later = new Date(Date.parse(resumed.deadlines.resolutionDueAt) + 5 * 86_400_000).toISOString();
      await h.executeUpdate(ACTION_UPDATES.requestExtension, { args: [{ actor: steward(1), reason: '需现场核查', newDueAt: later }] });
      await h.executeUpdate(ACTION_UPDATES.decideExtension, { args: [{ actor: steward(2), approve: false, reason: '理由不足' }] });
      await h.executeUpdate(ACTION_UPDATES.requestExtension, { args: [{ actor: steward(1), reason: '需消防部门现场核查', newDueAt: later }] });
      await h.executeUpdate(ACTION_UPDATES.decideExtension, { args: [{ actor: steward(2), approve: true }] });
      await h.executeUpdate(ACTION_UPDATES.propose, { args: [{ actor: steward(1), text: '已核查' }] });
      await h.executeUpdate(ACTION_UPDATES.approve, { args: [{ actor: steward(1) }] });
      await h.result();
    },
    // quiet hours on; lead + assisting departments, a 退单, redispatch, a department overdue, approval
    'departments-quiet': async (caseId) => {
      // the next three days are holidays on this case's calendar, so its notices are held
      const now = await env.currentTimeMs();
      const holidays = [0, 1, 2].map((i) => new Date(now + 8 * 3_600_000 + i * 86_400_000).toISOString().slice(0, 10));
      const year = new Date(now).getUTCFullYear();
      const calendar = { data: { source: 'recorded', years: [year, year + 1], holidays, workdays: [] }, hours: CALENDAR.hours };
      const h = await start(caseId, { quietHours: true, calendar });
      const tax = { kind: 'department' as const, id: 'dept-tax', name: '税务所' };
      const fire = { kind: 'department' as const, id: 'dept-fire', name: '消防救援站' };
      await h.executeUpdate(ACTION_UPDATES.acknowledge, { args: [{ actor: steward(1) }] });
      await h.executeUpdate(ACTION_UPDATES.dispatch, { args: [{ actor: steward(1), lead: { id: 'dept-market', name: '市场监管所' }, assisting: [{ id: tax.id, name: tax.name }] }] });
      await h.executeUpdate(ACTION_UPDATES.departmentReturn, { args: [{ actor: department, reason: '非本部门职责' }] });
      await h.executeUpdate(ACTION_UPDATES.dispatch, { args: [{ actor: steward(1), lead: { id: fire.id, name: fire.name } }] });
      await h.executeUpdate(ACTION_UPDATES.departmentAccept, { args: [{ actor: fire }] });
      await env.sleep('16 days'); // past the 5-working-day department deadline (after the holidays): 督办
      await h.executeUpdate(ACTION_UPDATES.departmentReply, { args: [{ actor: fire, text: '已验收', attachments: [{ name: '验收意见.pdf' }] }] });
      await h.executeUpdate(ACTION_UPDATES.approve, { args: [{ actor: steward(1) }] });
      await h.result();
    },
    // missed acknowledgement up to 总楼长 and two 督办 reminders, then withdrawn
    'escalated-withdrawn': async (caseId) => {
      const h = await start(caseId);
      for (let i = 0; i < 4; i++) await env.sleep('3 days'); // up the chain, then 督办
      await h.executeUpdate(ACTION_UPDATES.withdraw, { args: [{ actor: enterprise, reason: '已自行解决' }] });
      await h.result();
    },
    // opened at 22:00 Beijing with quiet hours and no calendar years: its call to act is held, the
    // years are learnt (calendar-refresh), then the withdrawal drops the held notice (held-notice-recheck)
    'held-dropped': async (caseId) => {
      const now = await env.currentTimeMs();
      const beijing = now + 8 * 3_600_000;
      const toTenPm = ((22 * 3_600_000 - (beijing % 86_400_000)) + 86_400_000) % 86_400_000;
      await env.sleep(toTenPm);
      const opened = now + toTenPm;
      const year = new Date(opened).getUTCFullYear();
      const holidays = [1, 2, 3].map((i) => new Date(opened + 8 * 3_600_000 + i * 86_400_000).toISOString().slice(0, 10));
      published = { source: 'recorded-later', years: [year, year + 1], holidays, workdays: [] };
      const unknown = { data: { source: 'recorded', years: [], holidays: [], workdays: [] }, hours: CALENDAR.hours };
      const h = await start(caseId, { quietHours: true, calendar: unknown });
      await waitFor(async () => (await h.query(getCaseStateQuery)).history.some((e) => e.type === 'calendar_updated'));
      await waitFor(() => fake.held.some((n) => n.caseId === caseId));
      await h.executeUpdate(ACTION_UPDATES.withdraw, { args: [{ actor: enterprise, reason: '已自行解决' }] });
      await h.result();
      if (!fake.dropped.some((d) => d.caseId === caseId)) throw new Error('held-dropped: no held notice was dropped; the scenario no longer covers its path');
    },
  };
  // the same cases as the code since 'lean-steps' runs them (a step's write and notices in one local activity)
  for (const name of ['closed-satisfied', 'escalated-withdrawn', 'departments-quiet']) scenarios[`lean-${name}`] = scenarios[name]!;
  const unknownNames = names.filter((n) => !(n in scenarios));
  if (unknownNames.length) throw new Error(`unknown scenarios ${unknownNames.join(', ')}; known: ${Object.keys(scenarios).join(', ')}`);
  async function start(caseId: string, overrides: Partial<CaseWorkflowInput> = {}) {
    const h = await env.client.workflow.start<typeof caseWorkflow>('caseWorkflow', {
      workflowId: caseWorkflowId(caseId),
      taskQueue: 'record',
      args: [caseInput(caseId, overrides)],
    });
    await h.executeUpdate(awaitRecordedUpdate);
    return h;
  }
  async function waitFor(done: () => boolean | Promise<boolean>) {
    for (let i = 0; !(await done()); i++) {
      if (i > 100) throw new Error('recording: timed out waiting for the workflow');
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  await worker.runUntil(async () => {
    for (const name of names) {
      const run = scenarios[name]!;
      const caseId = `C20260302-${name.slice(0, 6).toUpperCase().replace(/[^A-Z]/g, 'X')}`;
      await run(caseId);
      const history = await env.client.workflow.getHandle(caseWorkflowId(caseId)).fetchHistory();
      const historyPath = path.join(HISTORIES_DIR, `${name}.json`);
      writeFileSync(historyPath, JSON.stringify(JSON.parse(historyToJSON(history)), null, 1));
      const recordStep = steps.get(caseId) ?? [];
      writeFileSync(statePath(historyPath), JSON.stringify({ persistCase: [], ...(recordStep.length ? { recordStep } : {}) }) + '\n');
      console.log(`recorded ${name}: ${history.events?.length} history events`);
    }
  });
  await env.teardown();
}

async function record(names: string[]) {
  if (names.length) await main(names);
  writeStateFiles();
}

// replay.test.ts imports the decoding above; only running this file records
if (require.main === module) {
  record(process.argv.slice(2)).catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
