/**
 * Records the committed histories that replay.test.ts replays. Run it only when a workflow
 * change is intended to be incompatible (and then version the change with patched() instead
 * of re-recording, once cases run in production):
 *   node --import tsx tests/workflows/record-histories.ts
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import { ACTION_UPDATES, awaitRecordedUpdate, caseWorkflowId, getCaseStateQuery } from '../../src/workflows/definitions';
import type { caseWorkflow } from '../../src/workflows';
import type { CaseWorkflowInput } from '../../src/domain/case-model';
import { CALENDAR, caseInput, department, enterprise, steward } from '../fixtures/case-input';
import { fakeActivities } from '../helpers/fake-activities';
import { createTimeSkippingEnv } from '../helpers/temporal';

async function main() {
  const env = await createTimeSkippingEnv();
  const workflowBundle = await bundleWorkflowCode({ workflowsPath: require.resolve('../../src/workflows') });
  const worker = await Worker.create({ connection: env.nativeConnection, taskQueue: 'record', workflowBundle, activities: fakeActivities().activities });
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
  };
  async function start(caseId: string, overrides: Partial<CaseWorkflowInput> = {}) {
    const h = await env.client.workflow.start<typeof caseWorkflow>('caseWorkflow', {
      workflowId: caseWorkflowId(caseId),
      taskQueue: 'record',
      args: [caseInput(caseId, overrides)],
    });
    await h.executeUpdate(awaitRecordedUpdate);
    return h;
  }
  await worker.runUntil(async () => {
    for (const [name, run] of Object.entries(scenarios)) {
      const caseId = `C20260302-${name.slice(0, 6).toUpperCase().replace(/[^A-Z]/g, 'X')}`;
      await run(caseId);
      const history = await env.client.workflow.getHandle(caseWorkflowId(caseId)).fetchHistory();
      writeFileSync(path.join(__dirname, 'histories', `${name}.json`), JSON.stringify(JSON.parse(historyToJSON(history)), null, 1));
      console.log(`recorded ${name}: ${history.events?.length} history events`);
    }
  });
  await env.teardown();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
