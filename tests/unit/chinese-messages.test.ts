/**
 * Every validation message has its Chinese: the schemas' own English messages (found in the
 * catalogue of chinese-messages.ts) and zod's defaults (worded from the issue's code). Walks every
 * route the app declares, feeding each field of its schemas values it refuses.
 */
import { z } from 'zod';
import { createApp } from '../../src/api/app';
import { chineseFor, zodIssueInChinese } from '../../src/api/chinese-messages';
import { HttpError, notFound, toHttpError } from '../../src/api/errors';
import { silentLogger } from '../../src/logger';
import { CatalogueChangeBody } from '../../src/api/routes/catalogue';
import { DIRECTORY_KINDS } from '../../src/api/directory-admin';
import { OpenCaseBody } from '../../src/api/schemas';

const CJK = /[\u4e00-\u9fff]/;

const routes = createApp({
  db: {} as never,
  temporal: {} as never,
  taskQueue: 'q',
  logger: silentLogger,
  verifier: { verify: async () => ({}) as never },
  secrets: {} as never,
  codec: {} as never,
}).locals.routes;

const BAD_VALUES: unknown[] = [undefined, null, '', ' ', '\u0000', 'x'.repeat(5000), 'a\nb', '\ud800', 'javascript:x', -1, 0.5, 1e12, true, [], {}, ['x'], [{}], 'not-a-number'];

/** The issues a schema raises for each bad value of each of its fields (and for a few bad wholes). */
function issuesOf(schema: z.ZodType): z.core.$ZodIssue[] {
  const found: z.core.$ZodIssue[] = [];
  const collect = (value: unknown) => {
    const r = schema.safeParse(value, { reportInput: true });
    if (!r.success) found.push(...r.error.issues);
  };
  for (const whole of [undefined, null, 'x', [], {}, { unknownField: 1 }]) collect(whole);
  const shape = (schema as { shape?: Record<string, z.ZodType> }).shape ?? (schema as { def?: { in?: { shape?: Record<string, z.ZodType> } } }).def?.in?.shape;
  if (shape) {
    for (const field of Object.keys(shape)) for (const bad of BAD_VALUES) collect({ [field]: bad });
  }
  return found;
}

describe('validation messages in Chinese', () => {
  const schemas = [
    ...routes.flatMap((r) => Object.entries(r.schemas ?? {}).filter(([part]) => part !== 'documented').map(([part, s]) => [`${r.method} ${r.path} ${part}`, s] as const)),
    ['OpenCaseBody', OpenCaseBody] as const,
    ['CatalogueChangeBody', CatalogueChangeBody] as const,
    ...Object.entries(DIRECTORY_KINDS).map(([kind, spec]) => [`import ${kind}`, spec.body] as const),
  ];

  it('finds routes to check', () => {
    expect(schemas.length).toBeGreaterThan(30);
  });

  it.each(schemas)('%s: every issue has a Chinese message of its own', (_name, schema) => {
    const issues = issuesOf(schema as z.ZodType);
    expect(issues.length).toBeGreaterThan(0);
    const untranslated = issues
      .map((i) => ({ en: i.message, zh: zodIssueInChinese(i) }))
      // a custom English message the catalogue does not know would be answered in English
      .filter(({ en, zh }) => !CJK.test(zh) || (en.length > 0 && zh.includes(en)));
    expect(untranslated).toEqual([]);
  });

  it('words zod’s own issues from their code, telling a missing field from a wrong one', () => {
    const schema = z.object({ a: z.string(), b: z.number().max(3), c: z.enum(['x', 'y']), d: z.array(z.string()).max(1) }).strict();
    const r = schema.safeParse({ a: 1, b: 5, c: 'z', d: ['1', '2'], e: 1 }, { reportInput: true });
    expect(r.success).toBe(false);
    expect(r.error!.issues.map((i) => zodIssueInChinese(i))).toEqual(['须为文本', '不能大于 3', '须为以下之一：x、y', '最多 1 项', '不允许的字段：e']);
    const missing = schema.safeParse({}, { reportInput: true });
    expect(zodIssueInChinese(missing.error!.issues[0]!)).toBe('必填');
  });
});

describe('errors in two languages', () => {
  it('answers a ZodError field by field, in Chinese or English', () => {
    const r = OpenCaseBody.safeParse({ title: '', extra: 1 }, { reportInput: true });
    const http = toHttpError(r.error)!;
    expect(http.status).toBe(400);
    expect(http.issuesIn('zh')).toEqual(
      expect.arrayContaining([
        { field: 'buildingId', message: '必填' },
        { field: 'title', message: '不能为空' },
        { field: 'extra', message: '不允许的字段' },
      ]),
    );
    expect(http.issuesIn('en')).toEqual(expect.arrayContaining([{ field: 'title', message: 'must not be empty' }, { field: 'extra', message: 'unknown field' }]));
    expect(http.messageIn('zh')).toMatch(/title：不能为空/);
    expect(http.messageIn('en')).toMatch(/title: must not be empty/);
  });

  it('takes a refusal’s Chinese from the workflow failure’s details', () => {
    const refused = Object.assign(new Error('Workflow Update failed'), {
      name: 'WorkflowUpdateFailedError',
      cause: { type: 'ActionRefused', message: 'cannot approve: the case is assigned', details: [{ zh: '无法审核通过：案件当前状态为“待签收”' }] },
    });
    const http = toHttpError(refused)!;
    expect([http.status, http.code]).toEqual([409, 'refused']);
    expect(http.messageIn('zh')).toBe('无法审核通过：案件当前状态为“待签收”');
    expect(http.messageIn('en')).toBe('cannot approve: the case is assigned');
  });

  it('finds the Chinese of a message written without one, or says the status in Chinese beside the English', () => {
    expect(notFound('unknown thing').messageIn('zh')).toBe('未找到所请求的内容（unknown thing）');
    expect(chineseFor('must be at most 100 characters')).toBe('不能超过 100 个字符');
    expect(new HttpError(409, 'refused', 'something new').messageIn('zh')).toBe('操作被拒绝（something new）');
    expect(notFound('x', '案件不存在').messageIn('zh')).toBe('案件不存在');
  });
});
