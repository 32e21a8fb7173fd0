/**
 * Chinese notification texts. `notificationContext` runs in the workflow (it only reads the
 * state); `renderMessage` runs in the notify activity.
 */
import { type CaseState, type DepartmentTask, LEVEL_NAMES } from './case-model';
import type { NotificationIntent, Template } from './case-rules';
import { beijingTime } from './readable-time';

export interface NotificationContext {
  caseId: string;
  title: string;
  category: string;
  buildingName: string;
  enterpriseName: string;
  stage: string;
  ownerName: string;
  ownerLevel: string;
  /** deadline relevant to the recipient, ISO */
  dueAt?: string;
  reason?: string;
  text?: string;
  departmentName?: string;
  /** 主办 or 协办 */
  departmentRole?: string;
}

/** The department task a notification is about: named by its event, or the recipient's latest. */
function taskFor(state: CaseState, intent: NotificationIntent | null, eventTask: unknown): DepartmentTask | undefined {
  if (typeof eventTask === 'number') return state.tasks[eventTask];
  if (intent?.recipient.kind === 'department') return state.tasks.filter((t) => t.departmentId === intent.recipient.id).at(-1);
  return state.tasks.filter((t) => t.role === 'lead').at(-1);
}

export function notificationContext(state: CaseState, intent: NotificationIntent | null, taskNo?: number): NotificationContext {
  const event = intent ? state.history.find((e) => e.seq === intent.eventSeq) : undefined;
  const task = taskFor(state, intent, taskNo ?? event?.detail.task);
  const forDepartment = intent === null || intent.recipient.kind === 'department';
  const dueAt = forDepartment ? (task?.nextReminderAt ?? task?.dueAt) : state.window?.dueAt;
  const text = state.proposal?.text ?? task?.reply?.text ?? task?.instructions;
  return {
    caseId: state.caseId,
    title: state.request.title,
    category: state.policy.categoryName,
    buildingName: state.parties.building.name,
    enterpriseName: state.parties.enterprise.name,
    stage: state.stage,
    ownerName: state.owner.name,
    ownerLevel: LEVEL_NAMES[state.owner.level],
    ...(dueAt ? { dueAt } : {}),
    ...(event?.reason ? { reason: event.reason } : {}),
    ...(text ? { text } : {}),
    ...(task ? { departmentName: task.departmentName, departmentRole: task.role === 'lead' ? '主办' : '协办' } : {}),
  };
}

const HEADLINES: Record<Template, string> = {
  assigned_to_you: '新诉求待签收',
  escalated_to_you: '诉求超期升级，请您督办处理',
  escalated_from_you: '您名下诉求已超期升级',
  overdue_reminder: '【督办】诉求超期未办结',
  approval_needed: '诉求办理答复待审核',
  dispatch_to_department: '楼长制诉求派单',
  reply_rejected: '答复被退回，请重新办理',
  dispatch_failed: '派单送达失败，请处理',
  follow_up_due: '诉求待回访',
  reopened_to_you: '企业不满意，诉求重新办理',
  case_resolved: '您的诉求已办结',
  case_declined: '您的诉求未予受理',
  case_withdrawn: '企业已撤回诉求',
  deadline_warning: '【预警】诉求办理期限将至',
  extension_requested: '延期申请待您审批',
  extension_decided: '延期申请已审批',
  info_requested: '请补充诉求材料',
  info_supplied: '企业已补充材料，计时恢复',
  department_replied: '协办部门已答复',
  department_returned: '部门退单，请重新派单',
  department_overdue: '【预警】承办部门超期未答复',
  department_reminder: '【督办】诉求办理超期，请尽快答复',
};

export function renderMessage(template: Template, ctx: NotificationContext): { subject: string; body: string } {
  const lines = [
    `诉求编号：${ctx.caseId}`,
    `楼宇：${ctx.buildingName}`,
    `企业：${ctx.enterpriseName}`,
    `事项：${ctx.category}｜${ctx.title}`,
    `当前责任人：${ctx.ownerLevel} ${ctx.ownerName}`,
  ];
  if (ctx.departmentName && template.match(/^(dispatch_|reply_rejected|department_)/)) {
    lines.push(`承办部门：${ctx.departmentName}${ctx.departmentRole ? `（${ctx.departmentRole}）` : ''}`);
  }
  if (ctx.text && (template === 'approval_needed' || template === 'case_resolved' || template === 'dispatch_to_department' || template === 'department_replied')) {
    lines.push(`${template === 'dispatch_to_department' ? '办理要求' : '答复内容'}：${ctx.text}`);
  }
  if (ctx.reason) lines.push(`原因：${ctx.reason}`);
  if (ctx.dueAt && !['case_resolved', 'case_declined', 'case_withdrawn', 'escalated_from_you'].includes(template)) {
    lines.push(`办理时限：${beijingTime(ctx.dueAt)}`);
  }
  return { subject: HEADLINES[template], body: lines.join('\n') };
}
