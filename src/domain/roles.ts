/** The roles a person can be granted, and their Chinese names: shared by the API and the console. */
import type { RoleName } from '../db/seed';

export const ROLES = ['enterprise', 'steward', 'department_staff', 'department_system', 'manager', 'admin'] as const satisfies readonly RoleName[];
export type Role = (typeof ROLES)[number];

export const ROLE_NAMES: Record<Role, string> = {
  enterprise: '企业用户',
  steward: '楼长',
  department_staff: '部门工作人员',
  department_system: '部门业务系统',
  manager: '管理者/督查',
  admin: '管理员',
};
