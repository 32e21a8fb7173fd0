/**
 * Department coordination (职能部门协调): a case is dispatched to one lead department (主办)
 * and any number of assisting ones (协办), each with its own deadline and status. Departments
 * accept, reply (the lead's reply becomes the proposal) or return (退单) with a reason; a
 * department past its deadline gets 督办 reminders and the owner is warned, and its overdue
 * time is kept apart from the steward's.
 */
import { type Actor, type Attachment, type CaseState, type DepartmentTask, SYSTEM_ACTOR } from './case-model';
import {
  type ActionRule,
  approvalNeeded,
  closeOpenTasks,
  due,
  type Effects,
  first,
  isOpenTask,
  iso,
  needOwnerOrAbove,
  needStage,
  needText,
  type Refusal,
  record,
  settleOverdue,
  toSteward,
  UNRESOLVED_STAGES,
  who,
  WORKING_STAGES,
} from './case-kernel';

export interface DepartmentActionArgs {
  dispatch: { actor: Actor; lead: { id: string; name: string }; assisting?: { id: string; name: string }[]; instructions?: string };
  departmentAccept: { actor: Actor };
  departmentReply: { actor: Actor; text: string; attachments?: Attachment[] };
  departmentReturn: { actor: Actor; reason: string };
}

/** The open task of the acting department, or why it has none. */
function openTaskOf(s: CaseState, actor: Actor): DepartmentTask | Refusal {
  if (actor.kind !== 'department') return { code: 'forbidden', message: 'only a department can do this', zh: '只有承办部门可以进行此操作' };
  const task = s.tasks.find((t) => t.departmentId === actor.id && isOpenTask(t));
  if (task) return task;
  const any = s.tasks.some((t) => t.departmentId === actor.id);
  return any
    ? { code: 'conflict', message: `department ${actor.id} has no open task on this case`, zh: `部门${who(actor)}在本案件中没有待办任务` }
    : { code: 'forbidden', message: `the case is not dispatched to department ${actor.id}`, zh: `本案件未派给部门${who(actor)}` };
}

const isRefusal = (x: DepartmentTask | Refusal): x is Refusal => 'code' in x;
const openTask = (s: CaseState, actor: Actor) => openTaskOf(s, actor) as DepartmentTask;
const taskRefusal = (s: CaseState, actor: Actor) => {
  const t = openTaskOf(s, actor);
  return isRefusal(t) ? t : null;
};
const toDepartment = (t: DepartmentTask) => ({ kind: 'department' as const, id: t.departmentId });

export const DEPARTMENT_ACTIONS: { [K in keyof DepartmentActionArgs]: ActionRule<DepartmentActionArgs[K]> } = {
  dispatch: {
    check: (s, { actor, lead, assisting = [] }) => {
      const ids = [lead.id, ...assisting.map((a) => a.id)];
      const openLead = s.tasks.find((t) => t.role === 'lead' && isOpenTask(t) && t.status !== 'delivery_failed');
      return first(
        needStage(s, 'dispatch', WORKING_STAGES),
        needOwnerOrAbove(s, actor, 'dispatch'),
        openLead
          ? {
              code: 'conflict',
              message: `the case is already with ${openLead.departmentName} (${openLead.departmentId}) as lead department, awaiting its reply`,
              zh: `本案件已由${who({ id: openLead.departmentId, name: openLead.departmentName })}主办，正在等待其答复`,
            }
          : null,
        new Set(ids).size !== ids.length ? { code: 'invalid', message: 'a department can appear only once in a dispatch', zh: '同一部门在一次派单中只能出现一次' } : null,
      );
    },
    apply(s, { actor, lead, assisting = [], instructions }, now) {
      const dueAt = iso(due(s, now, s.policy.departmentReply));
      // a redispatch replaces tasks still open from an earlier round (e.g. an undeliverable lead)
      closeOpenTasks(s, now);
      const departments = [{ ...lead, role: 'lead' as const }, ...assisting.map((a) => ({ ...a, role: 'assist' as const }))];
      const created = departments.map(
        (d, i): DepartmentTask => ({
          no: s.tasks.length + i,
          departmentId: d.id,
          departmentName: d.name,
          role: d.role,
          status: 'pending',
          by: actor,
          dispatchedAt: iso(now),
          dueAt,
          ...(instructions ? { instructions } : {}),
          overdueMs: 0,
          reminders: 0,
        }),
      );
      s.tasks.push(...created);
      record(s, now, 'dispatched', actor, {
        to: 'in_progress',
        detail: { lead: lead.id, assisting: assisting.map((a) => a.id), instructions, dueAt },
      });
      return { notify: [], deliver: created.map((t) => t.no) };
    },
  },

  departmentAccept: {
    check: (s, { actor }) => {
      const refusal = taskRefusal(s, actor);
      if (refusal) return refusal;
      return openTask(s, actor).status === 'accepted' ? { code: 'conflict', message: 'the task is already accepted', zh: '该任务已签收' } : null;
    },
    apply(s, { actor }, now) {
      const task = openTask(s, actor);
      task.status = 'accepted';
      task.acceptedAt = iso(now);
      record(s, now, 'department_accepted', actor, { detail: { task: task.no, role: task.role } });
      return { notify: [] };
    },
  },

  departmentReply: {
    check: (s, { actor, text }) => {
      const refusal = first(taskRefusal(s, actor), needText(text, 'text'));
      if (refusal) return refusal;
      const task = openTask(s, actor);
      return task.role === 'lead' ? needStage(s, 'reply as lead department', ['in_progress']) : needStage(s, 'reply', UNRESOLVED_STAGES);
    },
    apply(s, { actor, text, attachments = [] }, now) {
      const task = openTask(s, actor);
      settleOverdue(s, task, now);
      task.status = 'replied';
      task.reply = { text, attachments, at: iso(now), by: actor };
      if (task.role === 'assist') {
        const ev = record(s, now, 'department_replied', actor, { detail: { task: task.no, role: 'assist', text, attachments } });
        return { notify: [{ recipient: toSteward(s.owner), template: 'department_replied', eventSeq: ev.seq, urgent: false }] };
      }
      s.proposal = { text, by: actor, at: iso(now), source: 'department' };
      const ev = record(s, now, 'department_replied', actor, { to: 'pending_approval', detail: { task: task.no, role: 'lead', text, attachments } });
      return approvalNeeded(s, actor, ev);
    },
  },

  // 退单: back to the owner with a reason; the owner redispatches
  departmentReturn: {
    check: (s, { actor, reason }) => first(taskRefusal(s, actor), needText(reason, 'reason')),
    apply(s, { actor, reason }, now) {
      const task = openTask(s, actor);
      settleOverdue(s, task, now);
      task.status = 'returned';
      task.returned = { reason, at: iso(now), by: actor };
      const ev = record(s, now, 'department_returned', actor, { reason, detail: { task: task.no, role: task.role } });
      return { notify: [{ recipient: toSteward(s.owner), template: 'department_returned', eventSeq: ev.seq, urgent: task.role === 'lead' }] };
    },
  },
};

/** After the owner rejects the lead department's reply, the task goes back to it with a new deadline. */
export function reopenLeadTask(s: CaseState, now: Date): DepartmentTask | undefined {
  const lead = [...s.tasks].reverse().find((t) => t.role === 'lead' && t.status === 'replied');
  if (!lead) return undefined;
  lead.status = 'accepted';
  delete lead.reply;
  lead.dueAt = iso(due(s, now, s.policy.departmentReply));
  return lead;
}

export function onTaskDelivered(s: CaseState, no: number, now: Date, detail: { adapter?: string; reference?: string }): Effects {
  const task = s.tasks[no];
  if (!task || task.status !== 'pending') return { notify: [] };
  task.status = 'dispatched';
  task.delivery = { at: iso(now), ...detail };
  const ev = record(s, now, 'dispatch_delivered', SYSTEM_ACTOR, { detail: { task: no, departmentId: task.departmentId, ...detail } });
  return { notify: [{ recipient: toDepartment(task), template: 'dispatch_to_department', eventSeq: ev.seq, urgent: s.request.urgency === 'urgent' }] };
}

/** The department's system stayed unreachable: visible on the task, and the owner is told. */
export function onTaskDeliveryFailed(s: CaseState, no: number, now: Date, error: string): Effects {
  const task = s.tasks[no];
  if (!task || task.delivery) return { notify: [] };
  task.delivery = { at: iso(now), error };
  const ev = record(s, now, 'dispatch_failed', SYSTEM_ACTOR, { reason: error, detail: { task: no, departmentId: task.departmentId } });
  // a task closed meanwhile (case withdrawn, redispatched) needs no one's attention
  if (task.status !== 'pending') return { notify: [] };
  task.status = 'delivery_failed';
  return { notify: [{ recipient: toSteward(s.owner), template: 'dispatch_failed', eventSeq: ev.seq, urgent: true }] };
}

/** The earliest department deadline or 督办 reminder still to come. */
export function nextDepartmentTimer(s: CaseState): { at: string; task: number } | null {
  let best: { at: string; task: number } | null = null;
  for (const t of s.tasks) {
    if (!isOpenTask(t) || t.status === 'delivery_failed') continue;
    const at = t.nextReminderAt ?? t.dueAt;
    if (!best || at < best.at) best = { at, task: t.no };
  }
  return best;
}

/** A department missed its deadline: 督办 to the department, a warning to the owner, then reminders. */
export function onDepartmentDue(s: CaseState, no: number, now: Date): Effects {
  const task = s.tasks[no];
  if (!task || !isOpenTask(task)) return { notify: [] };
  task.reminders += 1;
  task.nextReminderAt = iso(due(s, now, s.policy.reminderEvery));
  if (!task.overdueSince) {
    task.overdueSince = iso(now);
    const ev = record(s, now, 'department_overdue', SYSTEM_ACTOR, {
      reason: `${task.departmentName}未在期限内答复`,
      detail: { task: no, departmentId: task.departmentId, role: task.role, dueAt: task.dueAt },
    });
    return {
      notify: [
        { recipient: toDepartment(task), template: 'department_reminder', eventSeq: ev.seq, urgent: true },
        { recipient: toSteward(s.owner), template: 'department_overdue', eventSeq: ev.seq, urgent: false },
      ],
    };
  }
  const ev = record(s, now, 'department_reminder', SYSTEM_ACTOR, {
    reason: `${task.departmentName}超期未答复，督办第${task.reminders}次`,
    detail: { task: no, departmentId: task.departmentId, count: task.reminders },
  });
  return { notify: [{ recipient: toDepartment(task), template: 'department_reminder', eventSeq: ev.seq, urgent: true }] };
}
