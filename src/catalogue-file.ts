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
import { CALENDAR_UNITS, WORKING_UNITS } from './domain/time';

export const DEFAULT_CATALOGUE_FILE = path.resolve(__dirname, '..', 'catalogue', 'catalogue.json');

export const DurationSchema = z
  .object({ value: z.number().positive().max(100_000), unit: z.enum([...CALENDAR_UNITS, ...WORKING_UNITS]) })
  .strict()
  .meta({ id: 'Duration', example: { value: 3, unit: 'working_days' } });

export const PolicyInputSchema = z
  .object({
    response: DurationSchema,
    urgentResponse: DurationSchema,
    resolution: DurationSchema,
    escalation: z.object({ 2: DurationSchema, 3: DurationSchema }).strict(),
    reminderEvery: DurationSchema,
    departmentReply: DurationSchema,
    followUpDelay: DurationSchema,
    followUpWindow: DurationSchema,
    warnAt: z.number().gt(0).lt(1),
    extensionCap: DurationSchema,
  })
  .strict()
  .partial()
  .meta({ id: 'PolicyInput', description: 'time limits; omitted fields keep their current (or default) values' });

export const CategoryCode = z.string().regex(/^[a-z][a-z0-9_]{1,49}$/, 'must be lower_snake_case, 2-50 characters');

const CatalogueFileSchema = z
  .object({
    version: z.string().min(1),
    note: z.string().optional(),
    categories: z
      .array(
        z
          .object({
            code: CategoryCode,
            name: z.string().min(1),
            departmentId: z.string().min(1).optional(),
            departmentHint: z.string().min(1).optional(),
            policy: PolicyInputSchema.default({}),
          })
          .strict(),
      )
      .min(1)
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
