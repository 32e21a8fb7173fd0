/**
 * Per-category time limits (the service catalogue's 时限). Plain calendar durations for now;
 * `time.ts` is the one place that turns them into deadlines.
 *
 * Defaults follow published 12345 rules: first response within a working day, enterprise
 * appeals resolved within 15 days, 回访 the day after resolution.
 */
import type { SlaPolicy } from './case-model';

const d = (value: number) => ({ value, unit: 'days' as const });
const h = (value: number) => ({ value, unit: 'hours' as const });

export const DEFAULT_POLICY: Omit<SlaPolicy, 'category'> = {
  response: d(1),
  urgentResponse: h(2),
  resolution: d(15),
  escalation: { 2: d(2), 3: d(2) },
  reminderEvery: d(1),
  departmentReply: d(5),
  followUpDelay: d(1),
  followUpWindow: d(5),
};

export interface CategoryDefinition {
  code: string;
  name: string;
  /** department that usually handles it (used by later dispatch defaults) */
  departmentHint?: string;
  overrides: Partial<Omit<SlaPolicy, 'category'>>;
}

export const CATEGORIES: readonly CategoryDefinition[] = [
  { code: 'outdoor_promotion', name: '外摆活动审批', departmentHint: '城管', overrides: { response: h(4), resolution: d(2), escalation: { 2: d(1), 3: d(1) } } },
  { code: 'residence_permit', name: '居住证办理', departmentHint: '派出所', overrides: { resolution: d(10) } },
  { code: 'tax_consultation', name: '税务咨询', departmentHint: '税务所', overrides: { resolution: d(3) } },
  { code: 'recruitment', name: '用工招聘', departmentHint: '人社局', overrides: { resolution: d(10) } },
  { code: 'fire_safety', name: '消防审批', departmentHint: '消防', overrides: { resolution: d(15) } },
  { code: 'other', name: '其他', overrides: {} },
];

export const CATEGORY_CODES = CATEGORIES.map((c) => c.code) as [string, ...string[]];

export function findCategory(code: string): CategoryDefinition | undefined {
  return CATEGORIES.find((c) => c.code === code);
}

export function policyFor(category: string): SlaPolicy {
  const def = findCategory(category);
  if (!def) throw new Error(`unknown category ${category}`);
  return { category, ...DEFAULT_POLICY, ...def.overrides };
}
