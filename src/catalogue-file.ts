/**
 * The service catalogue (服务清单) a district runs with: CATALOGUE_FILE names a JSON file of
 * categories and their time limits; without it the built-in catalogue applies. Validated at
 * start-up so a typo stops the service with the field named, not a case at 3 a.m.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ConfigError } from './config';
import { BUILT_IN_CATALOGUE, type Catalogue, createCatalogue } from './domain/policy';

const DurationSchema = z.object({ value: z.number().positive(), unit: z.enum(['seconds', 'minutes', 'hours', 'days']) }).strict();

const PolicySchema = z
  .object({
    response: DurationSchema,
    urgentResponse: DurationSchema,
    resolution: DurationSchema,
    escalation: z.object({ 2: DurationSchema, 3: DurationSchema }).strict(),
    reminderEvery: DurationSchema,
    departmentReply: DurationSchema,
    followUpDelay: DurationSchema,
    followUpWindow: DurationSchema,
  })
  .strict()
  .partial();

export const CatalogueFileSchema = z
  .object({
    version: z.string().min(1),
    categories: z
      .array(
        z
          .object({
            code: z.string().regex(/^[a-z][a-z0-9_]*$/, 'must be lower_snake_case'),
            name: z.string().min(1),
            departmentHint: z.string().min(1).optional(),
            policy: PolicySchema.default({}),
          })
          .strict(),
      )
      .min(1)
      .refine((cs) => new Set(cs.map((c) => c.code)).size === cs.length, 'category codes must be unique'),
  })
  .strict();

export function loadCatalogue(file: string | undefined): Catalogue {
  if (!file) return BUILT_IN_CATALOGUE;
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
  return createCatalogue(
    parsed.data.version,
    parsed.data.categories.map((c) => ({
      code: c.code,
      name: c.name,
      ...(c.departmentHint ? { departmentHint: c.departmentHint } : {}),
      overrides: c.policy as Catalogue['categories'][number]['overrides'],
    })),
  );
}
