/**
 * The service catalogue (服务清单) file: categories and their time limits, versioned in git
 * (catalogue/catalogue.json by default, CATALOGUE_FILE to use a district's own). It seeds an
 * empty database; after that the database's versions are authoritative. Validated at start-up
 * so a typo stops the service with the field named.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { ConfigError } from './config';
import { type Catalogue, createCatalogue, type CategoryDefinition } from './domain/policy';
import { CALENDAR_UNITS, type DurationUnit, WORKING_UNITS } from './domain/time';
import { line, text } from './api/schemas';

export const DEFAULT_CATALOGUE_FILE = path.resolve(__dirname, '..', 'catalogue', 'catalogue.json');

/**
 * The longest time limit a catalogue may set, per unit: about a year. Longer ones are typos, and
 * a count the calendar cannot reckon must never reach workflow code.
 */
export const DURATION_MAX: Record<DurationUnit, number> = { seconds: 31_536_000, minutes: 525_600, hours: 8_760, days: 365, working_hours: 2_000, working_days: 250 };
const LONGEST = Math.max(...Object.values(DURATION_MAX));
const DURATION_LIMITS = Object.entries(DURATION_MAX)
  .map(([unit, max]) => `${max} ${unit}`)
  .join(', ');
/** a 督办 reminder more often than this is noise, not supervision */
export const MIN_REMINDER_HOURS = 1;
// approximate, for floors only: a working hour is an hour, a working day at least a day
const approxHours = (d: { value: number; unit: DurationUnit }) =>
  d.value * { seconds: 1 / 3_600, minutes: 1 / 60, hours: 1, days: 24, working_hours: 1, working_days: 24 }[d.unit];

export const DurationSchema = z
  .object({
    value: z
      .number()
      .int('must be a whole number (use a smaller unit)')
      .min(1, 'must be at least 1')
      // the largest any unit allows, so the OpenAPI document has a maximum; each unit's own is below
      .max(LONGEST, `must be at most about a year (${DURATION_LIMITS})`)
      .meta({ description: `at most about a year: ${DURATION_LIMITS}` }),
    unit: z.enum([...CALENDAR_UNITS, ...WORKING_UNITS]),
  })
  .strict()
  .superRefine((d, ctx) => {
    const max = DURATION_MAX[d.unit];
    if (d.value > max && d.value <= LONGEST) ctx.addIssue({ code: 'custom', path: ['value'], message: `must be at most ${max} ${d.unit} (about a year)` });
  })
  .meta({ id: 'Duration', example: { value: 3, unit: 'working_days' } });

const ReminderSchema = DurationSchema.refine((d) => approxHours(d) >= MIN_REMINDER_HOURS, {
  message: `must be at least ${MIN_REMINDER_HOURS} hour (督办 reminders repeat at this interval)`,
  path: ['value'],
});

export const PolicyInputSchema = z
  .object({
    response: DurationSchema,
    urgentResponse: DurationSchema,
    resolution: DurationSchema,
    escalation: z.object({ 2: DurationSchema, 3: DurationSchema }).strict(),
    reminderEvery: ReminderSchema,
    departmentReply: DurationSchema,
    followUpDelay: DurationSchema,
    followUpWindow: DurationSchema,
    warnAt: z.number().min(0.05, 'must be between 0.05 and 0.95 (the share of the time limit after which the owner is warned)').max(0.95, 'must be between 0.05 and 0.95 (the share of the time limit after which the owner is warned)'),
    extensionCap: DurationSchema,
    enterpriseFeedback: z.boolean().meta({ description: 'true: the enterprise may answer the 回访 (满意度) itself in the follow-up stage' }),
  })
  .strict()
  .partial()
  .meta({ id: 'PolicyInput', description: 'time limits; omitted fields keep their current (or default) values' });

/** a district's 服务清单 runs to dozens of items; thousands would be a file gone wrong */
export const MAX_CATEGORIES = 500;

export const CategoryCode = z.string().regex(/^[a-z][a-z0-9_]{1,49}$/, 'must be lower_snake_case, 2-50 characters');

const CatalogueFileSchema = z
  .object({
    version: line(50),
    note: text(1000).optional(),
    categories: z
      .array(
        z
          .object({
            code: CategoryCode,
            name: line(100),
            departmentId: line(64).optional(),
            departmentHint: line(50).optional(),
            policy: PolicyInputSchema.default({}),
          })
          .strict(),
      )
      .min(1)
      .max(MAX_CATEGORIES, `at most ${MAX_CATEGORIES} categories`)
      .refine((cs) => new Set(cs.map((c) => c.code)).size === cs.length, 'category codes must be unique'),
  })
  .strict();

export interface CatalogueFile {
  version: string;
  catalogue: Catalogue;
}

export function loadCatalogue(file: string = DEFAULT_CATALOGUE_FILE): CatalogueFile {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ConfigError(`CATALOGUE_FILE=${file}: cannot read it as JSON (${(err as Error).message})`);
  }
  const parsed = CatalogueFileSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigError(`CATALOGUE_FILE=${file}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  const categories: CategoryDefinition[] = parsed.data.categories.map((c) => ({
    code: c.code,
    name: c.name,
    ...(c.departmentId ? { departmentId: c.departmentId } : {}),
    ...(c.departmentHint ? { departmentHint: c.departmentHint } : {}),
    overrides: c.policy as CategoryDefinition['overrides'],
  }));
  return { version: parsed.data.version, catalogue: createCatalogue(1, categories) };
}
