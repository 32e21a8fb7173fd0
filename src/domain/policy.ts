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

export const DEFAULT_POLICY: Omit<SlaPolicy, 'category' | 'categoryName'> = {
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
  overrides: Partial<typeof DEFAULT_POLICY>;
}

export const CATEGORIES: readonly CategoryDefinition[] = [
  { code: 'outdoor_promotion', name: '外摆活动审批', departmentHint: '城管', overrides: { response: h(4), resolution: d(2), escalation: { 2: d(1), 3: d(1) } } },
  { code: 'residence_permit', name: '居住证办理', departmentHint: '派出所', overrides: { resolution: d(10) } },
  { code: 'tax_consultation', name: '税务咨询', departmentHint: '税务所', overrides: { resolution: d(3) } },
  { code: 'recruitment', name: '用工招聘', departmentHint: '人社局', overrides: { resolution: d(10) } },
  { code: 'fire_safety', name: '消防审批', departmentHint: '消防', overrides: { resolution: d(15) } },
  { code: 'other', name: '其他', overrides: {} },
];

export interface Catalogue {
  version: string;
  categories: readonly CategoryDefinition[];
  find(code: string): CategoryDefinition | undefined;
  /** the complete policy a new case of this category runs under */
  policyFor(code: string): SlaPolicy;
}

export function createCatalogue(version: string, categories: readonly CategoryDefinition[]): Catalogue {
  const find = (code: string) => categories.find((c) => c.code === code);
  return {
    version,
    categories,
    find,
    policyFor(code) {
      const def = find(code);
      if (!def) throw new Error(`unknown category ${code}`);
      return { category: code, categoryName: def.name, ...DEFAULT_POLICY, ...def.overrides };
    },
  };
}

export const BUILT_IN_CATALOGUE = createCatalogue('built-in', CATEGORIES);

export const findCategory = BUILT_IN_CATALOGUE.find;
export const policyFor = BUILT_IN_CATALOGUE.policyFor;
