/**
 * Per-category time limits (the service catalogue's 时限), in Chinese working time;
 * `time.ts` is the one place that turns them into deadlines.
 *
 * Defaults follow published 12345 rules: first response within a working day, enterprise
 * appeals resolved within 15 working days, 回访 the working day after resolution. The
 * categories themselves live in catalogue/catalogue.json and, once seeded, in the database.
 */
import type { SlaPolicy } from './case-model';

const d = (value: number) => ({ value, unit: 'working_days' as const });
const h = (value: number) => ({ value, unit: 'working_hours' as const });

export type PolicyDurations = typeof DEFAULT_POLICY;

export const DEFAULT_POLICY: Omit<SlaPolicy, 'category' | 'categoryName' | 'catalogueVersion' | 'departmentId'> = {
  response: d(1),
  urgentResponse: h(2),
  resolution: d(15),
  escalation: { 2: d(2), 3: d(2) },
  reminderEvery: d(1),
  departmentReply: d(5),
  followUpDelay: d(1),
  followUpWindow: d(5),
  warnAt: 0.75,
  extensionCap: d(30),
  enterpriseFeedback: false,
};

export interface CategoryDefinition {
  code: string;
  name: string;
  /** department that usually handles it (名称, for people) */
  departmentHint?: string;
  /** responsible department's id in the directory */
  departmentId?: string;
  overrides: Partial<PolicyDurations>;
}

export interface Catalogue {
  version: number;
  categories: readonly CategoryDefinition[];
  find(code: string): CategoryDefinition | undefined;
  /** the complete policy a new case of this category runs under */
  policyFor(code: string): SlaPolicy;
}

export function createCatalogue(version: number, categories: readonly CategoryDefinition[]): Catalogue {
  const find = (code: string) => categories.find((c) => c.code === code);
  return {
    version,
    categories,
    find,
    policyFor(code) {
      const def = find(code);
      if (!def) throw new Error(`unknown category ${code}`);
      return policyOf(def, version);
    },
  };
}

/** The complete policy of one catalogue item: its overrides over the defaults. */
export function policyOf(def: CategoryDefinition, version: number): SlaPolicy {
  return {
    category: def.code,
    categoryName: def.name,
    catalogueVersion: version,
    ...(def.departmentId ? { departmentId: def.departmentId } : {}),
    ...DEFAULT_POLICY,
    ...def.overrides,
  };
}

