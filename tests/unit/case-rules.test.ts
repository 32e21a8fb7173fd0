import type { CaseState } from '../../src/domain/case-model';
import { ACTIONS, newCaseState, onTimer, onWindowElapsed, openAndAssign, type ActionArgs, type ActionName } from '../../src/domain/case-rules';
import { onDepartmentDue } from '../../src/domain/department-rules';
import { beijingTime } from '../../src/domain/readable-time';
import { caseInput, department, enterprise, steward } from '../fixtures/case-input';

const T0 = new Date('2026-03-02T01:00:00Z');
const at = (hours: number) => new Date(T0.getTime() + hours * 3_600_000);

function opened(): CaseState {
  const s = newCaseState(caseInput(), T0);
  openAndAssign(s, T0);
  return s;
}

function act<K extends ActionName>(s: CaseState, name: K, args: ActionArgs[K], now = at(1)) {
  const refusal = ACTIONS[name].check(s, args, now);
  if (refusal) throw new Error(`${refusal.code}: ${refusal.message}`);
  return ACTIONS[name].apply(s, args, now);
}

describe('case rules', () => {
  it('opens, assigns to the 点楼长 and notifies them', () => {
    const s = newCaseState(caseInput(), T0);
    const effects = openAndAssign(s, T0);
    expect(s.stage).toBe('assigned');
    expect(s.owner.id).toBe('stw-point-1');
    expect(s.window).toMatchObject({ step: 'acknowledge', level: 1, dueAt: '2026-03-03T01:00:00.000Z' });
    expect(effects.notify).toEqual([{ recipient: { kind: 'steward', id: 'stw-point-1' }, template: 'assigned_to_you', eventSeq: 2, urgent: false }]);
    expect(s.history.map((e) => e.type)).toEqual(['opened', 'assigned']);
  });

  it('gives urgent cases the urgent response limit', () => {
    const s = newCaseState(caseInput('C1', { request: { ...caseInput().request, urgency: 'urgent' } }), T0);
    expect(s.deadlines.responseDueAt).toBe(at(2).toISOString());
  });

  it('runs the happy path through to closed with the satisfaction recorded', () => {
    const s = opened();
    act(s, 'acknowledge', { actor: steward(1) });
    expect(s.stage).toBe('acknowledged');
    expect(s.window).toMatchObject({ step: 'resolve', dueAt: s.deadlines.resolutionDueAt });
    act(s, 'propose', { actor: steward(1), text: '已协调周边停车场' });
    expect(s.stage).toBe('pending_approval');
    const approved = act(s, 'approve', { actor: steward(1) }, at(5));
    expect(approved.notify[0]).toMatchObject({ recipient: { kind: 'enterprise' }, template: 'case_resolved' });
    expect(s.stage).toBe('resolved');
    expect(s.window).toMatchObject({ step: 'follow_up_delay', dueAt: at(29).toISOString() });
    onWindowElapsed(s, at(29));
    expect(s.stage).toBe('follow_up');
    act(s, 'recordFollowUp', { actor: steward(1), satisfaction: 'basically_satisfied' }, at(30));
    expect(s).toMatchObject({ stage: 'closed', outcome: 'closed', satisfaction: 'basically_satisfied', window: null });
    expect(s.history.map((e) => e.seq)).toEqual(s.history.map((_, i) => i + 1));
  });

  it('escalates 点楼长 → 分楼长 → 总楼长 and then sends 督办 reminders', () => {
    const s = opened();
    const first = onWindowElapsed(s, at(24));
    expect(s.owner.id).toBe('stw-area-east');
    expect(s.overdue).toBe(true);
    expect(first.notify.map((n) => [n.recipient.id, n.template])).toEqual([
      ['stw-area-east', 'escalated_to_you'],
      ['stw-point-1', 'escalated_from_you'],
    ]);
    expect(s.window).toMatchObject({ level: 2, dueAt: at(24 + 48).toISOString() });
    onWindowElapsed(s, at(72));
    expect(s.owner.id).toBe('stw-chief');
    const reminder = onWindowElapsed(s, at(120));
    expect(s.owner.id).toBe('stw-chief');
    expect(s.reminders).toBe(1);
    // a 督办 issued on Saturday 7 March counts its working day from Monday: due Tuesday 09:00
    expect(s.window).toMatchObject({ reminding: true, dueAt: '2026-03-10T01:00:00.000Z' });
    expect(reminder.notify.map((n) => n.template)).toEqual(['overdue_reminder', 'overdue_reminder']);
    expect(s.escalations.map((e) => [e.fromLevel, e.toLevel])).toEqual([[1, 2], [2, 3]]);
    // the chief acknowledges at last: no longer overdue on response
    act(s, 'acknowledge', { actor: steward(3) }, at(121));
    expect(s.overdue).toBe(false);
    expect(s.breaches.response).toBe(at(24).toISOString());
  });

  it('refuses actions out of turn, with the reason', () => {
    const s = opened();
    expect(ACTIONS.approve.check(s, { actor: steward(1) }, at(1))).toMatchObject({ code: 'conflict', message: expect.stringContaining('pending_approval') });
    expect(ACTIONS.acknowledge.check(s, { actor: { kind: 'steward', id: 'stw-point-3', level: 1 } }, at(1))).toMatchObject({ code: 'forbidden' });
    expect(ACTIONS.withdraw.check(s, { actor: steward(1) }, at(1))).toMatchObject({ code: 'forbidden' });
    expect(ACTIONS.recordFollowUp.check(s, { actor: steward(1), satisfaction: 'satisfied' }, at(1))).toMatchObject({ code: 'conflict' });
    onWindowElapsed(s, at(24)); // now owned by the 分楼长
    expect(ACTIONS.acknowledge.check(s, { actor: steward(1) }, at(1))).toMatchObject({ code: 'forbidden', message: expect.stringContaining('分楼长') });
    expect(ACTIONS.acknowledge.check(s, { actor: steward(3) }, at(1))).toBeNull(); // anyone above may act
  });

  it('says every refusal in Chinese too, naming stages, levels and people as a steward does', () => {
    const s = opened();
    expect(ACTIONS.approve.check(s, { actor: steward(1) }, at(1))).toMatchObject({
      zh: '无法审核通过：案件当前状态为“待签收”，仅在“待审核”状态下可以审核通过',
    });
    expect(ACTIONS.withdraw.check(s, { actor: steward(1) }, at(1))).toMatchObject({ zh: '只有提出诉求的企业可以撤回本案件' });
    expect(ACTIONS.decline.check(s, { actor: steward(1), reason: ' ' }, at(1))).toMatchObject({ code: 'invalid', zh: '原因不能为空' });
    onWindowElapsed(s, at(24));
    expect(ACTIONS.acknowledge.check(s, { actor: steward(1) }, at(25))).toMatchObject({
      zh: '本案件现由分楼长李明（stw-area-east）负责，点楼长陈静（stw-point-1）无权签收',
    });
    expect(ACTIONS.dispatch.check(s, { actor: department, lead: { id: 'dept-tax', name: '税务所' } }, at(25))).toMatchObject({ code: 'conflict' });
  });

  it('writes the instants of a Chinese refusal in Beijing time, never as UTC', () => {
    const s = opened();
    act(s, 'acknowledge', { actor: steward(1) });
    // the 其他 category: 15 working days, extensions capped at 30 working days in total
    const refusal = ACTIONS.requestExtension.check(s, { actor: steward(1), reason: '需协调', newDueAt: '2027-06-01T09:00:00+08:00' }, at(2));
    expect(refusal).toEqual({
      code: 'conflict',
      message: 'extensions are capped at 30 working days in total: the latest possible deadline is 2026-05-08T01:00:00.000Z',
      zh: '延期累计不得超过 30 个工作日：办结期限最晚可延至 2026-05-08 09:00（北京时间）',
    });
    const early = ACTIONS.requestExtension.check(s, { actor: steward(1), reason: '需协调', newDueAt: at(3).toISOString() }, at(2));
    expect(early!.zh).toBe(`申请的新期限须晚于当前办结期限 ${beijingTime(s.deadlines.resolutionDueAt)}`);
  });

  it('sends a department reply to approval and a rejection back to the department', () => {
    const s = opened();
    act(s, 'acknowledge', { actor: steward(1) });
    const d = act(s, 'dispatch', { actor: steward(1), lead: { id: 'dept-market', name: '市场监管所' } });
    expect(d.deliver).toEqual([0]);
    expect(s.stage).toBe('in_progress');
    expect(ACTIONS.dispatch.check(s, { actor: steward(1), lead: { id: 'dept-tax', name: '税务所' } }, at(1))).toMatchObject({ code: 'conflict' });
    expect(ACTIONS.departmentReply.check(s, { actor: { kind: 'department', id: 'dept-tax' }, text: 'x' }, at(1))).toMatchObject({ code: 'forbidden' });
    act(s, 'departmentReply', { actor: department, text: '已现场核查并指导整改' });
    expect(s.stage).toBe('pending_approval');
    expect(s.proposal).toMatchObject({ source: 'department' });
    const rejected = act(s, 'rejectProposal', { actor: steward(1), reason: '未答复企业关切' });
    expect(s.stage).toBe('in_progress');
    expect(s.tasks[0]).toMatchObject({ status: 'accepted', role: 'lead' }); // back with the department
    expect(rejected.notify[0]).toMatchObject({ recipient: { kind: 'department', id: 'dept-market' }, template: 'reply_rejected' });
  });

  it('keeps the overdue time of an assisting department whose task a redispatch closes', () => {
    const s = opened();
    act(s, 'acknowledge', { actor: steward(1) });
    act(s, 'dispatch', { actor: steward(1), lead: { id: 'dept-market', name: '市场监管所' }, assisting: [{ id: 'dept-tax', name: '税务所' }] });
    const dueAt = new Date(s.tasks[1]!.dueAt);
    onDepartmentDue(s, 1, dueAt); // the assisting department misses its deadline
    onDepartmentDue(s, 0, dueAt);
    act(s, 'departmentReturn', { actor: department, reason: '非本部门职责' }, new Date(dueAt.getTime() + 3_600_000));
    act(s, 'dispatch', { actor: steward(1), lead: { id: 'dept-fire', name: '消防救援站' } }, new Date(dueAt.getTime() + 2 * 3_600_000));
    expect(s.tasks[1]).toMatchObject({ status: 'closed', overdueMs: 2 * 3_600_000 });
    expect(s.tasks[1]!.overdueSince).toBeUndefined();
  });

  it('reopens one level up on 不满意 and closes as no feedback when the window passes', () => {
    const s = opened();
    act(s, 'acknowledge', { actor: steward(1) });
    act(s, 'propose', { actor: steward(1), text: 'x' });
    act(s, 'approve', { actor: steward(1) });
    onWindowElapsed(s, at(30));
    act(s, 'recordFollowUp', { actor: steward(1), satisfaction: 'dissatisfied' }, at(31));
    expect(s).toMatchObject({ stage: 'in_progress', owner: { level: 2 } });
    expect(s.window).toMatchObject({ step: 'resolve', level: 2 });
    act(s, 'propose', { actor: steward(2), text: 'y' }, at(32));
    act(s, 'approve', { actor: steward(2) }, at(33));
    onWindowElapsed(s, at(60));
    onWindowElapsed(s, at(200));
    expect(s).toMatchObject({ stage: 'closed_no_feedback', outcome: 'closed_no_feedback', window: null });
  });

  it('lets only the filing enterprise withdraw, and only before resolution', () => {
    const s = opened();
    expect(ACTIONS.withdraw.check(s, { actor: { ...enterprise, id: '91350100M000100Y43' } }, at(1))).toMatchObject({ code: 'forbidden' });
    act(s, 'withdraw', { actor: enterprise, reason: '已自行解决' });
    expect(s).toMatchObject({ stage: 'withdrawn', outcome: 'withdrawn' });
    expect(ACTIONS.withdraw.check(s, { actor: enterprise }, at(1))).toMatchObject({ code: 'conflict' });
  });

  it('reassigns only within the same level', () => {
    const s = opened();
    expect(ACTIONS.reassign.check(s, { actor: steward(1), to: { id: 'stw-area-west', name: '张华', level: 2 } }, at(1))).toMatchObject({ code: 'conflict' });
    act(s, 'reassign', { actor: steward(1), to: { id: 'stw-point-2', name: '刘洋', level: 1 } });
    expect(s.owner.id).toBe('stw-point-2');
    expect(s.chain[1].id).toBe('stw-point-2');
    expect(ACTIONS.acknowledge.check(s, { actor: steward(1) }, at(1))).toMatchObject({ code: 'forbidden' });
  });

  it('declines a case as rejected with its reason', () => {
    const s = opened();
    expect(ACTIONS.decline.check(s, { actor: steward(1), reason: ' ' }, at(1))).toMatchObject({ code: 'invalid' });
    act(s, 'decline', { actor: steward(1), reason: '重复诉求' });
    expect(s).toMatchObject({ stage: 'rejected', outcome: 'rejected' });
    expect(s.history.at(-1)).toMatchObject({ type: 'declined', reason: '重复诉求', from: 'assigned', to: 'rejected' });
  });

  it('flags an approved extension whose deadline lies in a year the calendar does not cover', () => {
    // CALENDAR covers 2025-2026: a deadline in January 2027 counts 元旦 as a working day
    const s = newCaseState(caseInput('C1', { policy: { ...caseInput().policy, extensionCap: { value: 400, unit: 'days' } } }), new Date('2026-12-01T01:00:00Z'));
    openAndAssign(s, new Date('2026-12-01T01:00:00Z'));
    const now = new Date('2026-12-01T02:00:00Z');
    act(s, 'acknowledge', { actor: steward(1) }, now);
    expect(s.calendarUnknown).toBeUndefined();
    act(s, 'requestExtension', { actor: steward(1), reason: '需协调', newDueAt: '2027-01-08T09:00:00Z' }, now);
    act(s, 'decideExtension', { actor: steward(2), approve: true }, now);
    expect(s.calendarUnknown?.message).toMatch(/calendar unknown/);
    expect(s.history.map((e) => e.type).slice(-2)).toEqual(['calendar_unknown', 'extension_approved']);
  });

  it('stamps a late-noticed breach with its deadline and skips a warning that would arrive after it', () => {
    const s = opened();
    const { warnAt, dueAt } = s.window!;
    const late = new Date(Date.parse(dueAt) + 48 * 3_600_000);
    // the warning timer fires first, but its deadline has passed: no warning, no event
    expect(onTimer(s, new Date(warnAt!), late).notify).toEqual([]);
    expect(s.history.map((e) => e.type)).toEqual(['opened', 'assigned']);
    onTimer(s, new Date(dueAt), late);
    expect(s.overdueSince).toBe(dueAt);
    expect(s.escalations[0]!.at).toBe(dueAt);
    expect(s.history.at(-1)).toMatchObject({ type: 'escalated', at: dueAt });
  });
});
