/** Department coordination on the time-skipping server (issue 4). */
import { ACTION_UPDATES } from '../../src/workflows/definitions';
import { steward } from '../fixtures/case-input';
import { useTimeSkippingCases } from '../helpers/case-harness';
import { eventually } from '../helpers/eventually';

const { env, state, sleepUntil, withCase } = useTimeSkippingCases();

const market = { kind: 'department' as const, id: 'dept-market', name: '市场监管所' };
const tax = { kind: 'department' as const, id: 'dept-tax', name: '税务所' };
const fire = { kind: 'department' as const, id: 'dept-fire', name: '消防救援站' };
const named = (d: { id: string; name: string }) => ({ id: d.id, name: d.name });
const refusal = (type: string, message?: RegExp) => ({ cause: { type, ...(message ? { message: expect.stringMatching(message) } : {}) } });

describe('department coordination', () => {
  it('dispatches to a lead and assisting departments, each with its own task; the lead reply becomes the proposal', async () => {
    await withCase(async (h, caseId, fake) => {
      await h.executeUpdate(ACTION_UPDATES.acknowledge, { args: [{ actor: steward(1) }] });
      const dispatched = await h.executeUpdate(ACTION_UPDATES.dispatch, {
        args: [{ actor: steward(1), lead: named(market), assisting: [named(tax), named(fire)], instructions: '联合核查' }],
      });
      // delivery runs beside the update, so a task may already be delivered when it answers
      const sent = expect.stringMatching(/^(pending|dispatched)$/);
      expect(dispatched.tasks.map((t) => [t.departmentId, t.role, t.status])).toEqual([
        ['dept-market', 'lead', sent],
        ['dept-tax', 'assist', sent],
        ['dept-fire', 'assist', sent],
      ]);
      await eventually(async () => expect((await state(h)).tasks.every((t) => t.status === 'dispatched')).toBe(true));
      expect(fake.dispatches.map((d) => d.departmentId).sort()).toEqual(['dept-fire', 'dept-market', 'dept-tax']);
      await eventually(() => expect(fake.sentTo(caseId)).toEqual(expect.arrayContaining(['dispatch_to_department->dept-market', 'dispatch_to_department->dept-tax'])));

      await h.executeUpdate(ACTION_UPDATES.departmentAccept, { args: [{ actor: tax }] });
      await expect(h.executeUpdate(ACTION_UPDATES.departmentAccept, { args: [{ actor: tax }] })).rejects.toMatchObject(refusal('ActionRefused', /already accepted/));
      const assisted = await h.executeUpdate(ACTION_UPDATES.departmentReply, {
        args: [{ actor: tax, text: '税务方面无异议', attachments: [{ name: '核查意见.pdf', size: 20480, mimeType: 'application/pdf' }] }],
      });
      expect(assisted.stage).toBe('in_progress'); // an assisting reply is an opinion, not the answer
      expect(assisted.tasks[1]).toMatchObject({ status: 'replied', reply: { attachments: [{ name: '核查意见.pdf' }] } });
      await eventually(() => expect(fake.sentTo(caseId)).toContain('department_replied->stw-point-1'));

      const led = await h.executeUpdate(ACTION_UPDATES.departmentReply, { args: [{ actor: market, text: '已现场核查并指导整改' }] });
      expect(led).toMatchObject({ stage: 'pending_approval', proposal: { source: 'department', text: '已现场核查并指导整改' } });
      const approved = await h.executeUpdate(ACTION_UPDATES.approve, { args: [{ actor: steward(1) }] });
      // the assisting department that never answered is released
      expect(approved.tasks.map((t) => t.status)).toEqual(['replied', 'replied', 'closed']);
    });
  });

  it('takes a 退单 back to the owner, who redispatches; a rejected reply goes back to the department', async () => {
    await withCase(async (h, caseId) => {
      await h.executeUpdate(ACTION_UPDATES.acknowledge, { args: [{ actor: steward(1) }] });
      await h.executeUpdate(ACTION_UPDATES.dispatch, { args: [{ actor: steward(1), lead: named(market) }] });
      await expect(h.executeUpdate(ACTION_UPDATES.departmentReturn, { args: [{ actor: market, reason: ' ' }] })).rejects.toMatchObject(refusal('ActionInvalid'));
      await expect(h.executeUpdate(ACTION_UPDATES.dispatch, { args: [{ actor: steward(1), lead: named(tax) }] })).rejects.toMatchObject(
        refusal('ActionRefused', /already with 市场监管所/),
      );
      const returned = await h.executeUpdate(ACTION_UPDATES.departmentReturn, { args: [{ actor: market, reason: '不属于本部门职责，建议转税务所' }] });
      expect(returned.tasks[0]).toMatchObject({ status: 'returned', returned: { reason: '不属于本部门职责，建议转税务所' } });
      expect(returned.events.at(-1)).toMatchObject({ type: 'department_returned', reason: '不属于本部门职责，建议转税务所' });
      await expect(h.executeUpdate(ACTION_UPDATES.departmentReply, { args: [{ actor: market, text: 'x' }] })).rejects.toMatchObject(refusal('ActionRefused', /no open task/));

      const redispatched = await h.executeUpdate(ACTION_UPDATES.dispatch, { args: [{ actor: steward(1), lead: named(tax) }] });
      expect(redispatched.tasks.map((t) => [t.departmentId, t.status])).toEqual([
        ['dept-market', 'returned'],
        ['dept-tax', expect.stringMatching(/^(pending|dispatched)$/)],
      ]);
      await h.executeUpdate(ACTION_UPDATES.departmentReply, { args: [{ actor: tax, text: '已答复' }] });
      await env().sleep('2 days');
      const rejected = await h.executeUpdate(ACTION_UPDATES.rejectProposal, { args: [{ actor: steward(1), reason: '未回应企业关切' }] });
      expect(rejected.stage).toBe('in_progress');
      expect(rejected.tasks[1]).toMatchObject({ status: 'accepted' });
      expect(Date.parse(rejected.tasks[1]!.dueAt)).toBeGreaterThan(Date.parse(redispatched.tasks[1]!.dueAt));
      await h.executeUpdate(ACTION_UPDATES.departmentReply, { args: [{ actor: tax, text: '补充答复：已与企业沟通' }] });
      expect((await state(h)).stage).toBe('pending_approval');
      void caseId;
    });
  });

  it('sends a department past its deadline 督办 reminders, warns the owner, and counts its overdue time separately', async () => {
    await withCase(async (h, caseId, fake) => {
      await h.executeUpdate(ACTION_UPDATES.acknowledge, { args: [{ actor: steward(1) }] });
      const dispatched = await h.executeUpdate(ACTION_UPDATES.dispatch, { args: [{ actor: steward(1), lead: named(market) }] });
      const dueAt = dispatched.tasks[0]!.dueAt; // 5 working days
      await sleepUntil(dueAt);
      const overdue = await eventually(async () => {
        const s = await state(h);
        expect(s.tasks[0]!.overdueSince).toBeDefined();
        return s;
      });
      expect(overdue.history.filter((e) => e.type === 'department_overdue')).toHaveLength(1);
      await eventually(() => expect(fake.sentTo(caseId)).toEqual(expect.arrayContaining(['department_reminder->dept-market', 'department_overdue->stw-point-1'])));
      // the steward's own resolution clock is a different account
      expect(overdue.overdue).toBe(false);

      await sleepUntil(overdue.tasks[0]!.nextReminderAt!);
      await eventually(async () => expect((await state(h)).tasks[0]!.reminders).toBe(2));
      expect((await state(h)).history.filter((e) => e.type === 'department_reminder')).toHaveLength(1);

      await env().sleep('1 hour');
      const replied = await h.executeUpdate(ACTION_UPDATES.departmentReply, { args: [{ actor: market, text: '迟到的答复' }] });
      const task = replied.tasks[0]!;
      expect(task.overdueSince).toBeUndefined();
      expect(task.overdueMs).toBeGreaterThan(0);
      expect(replied.overdue).toBe(false);
    });
  });
});
