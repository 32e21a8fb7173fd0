/**
 * The forms check what they send with the API's own request schemas (src/api/schemas.ts) and word
 * the problems as the API does (src/api/chinese-messages.ts): a form refuses exactly what the
 * server would, before the request, and the server's own refusals land on the same fields.
 */
import type { z } from 'zod';
import { zodIssueInChinese } from '../../src/api/chinese-messages';
import { ApiError, type FieldIssue } from './api';

export { ActionBodies, OpenCaseBody } from '../../src/api/schemas';

/** The problems of a request body, field by field (`contact.phone`), in Chinese; none when it would be accepted. */
export function problemsOf(schema: z.ZodType, body: unknown): FieldIssue[] {
  const parsed = schema.safeParse(body);
  if (parsed.success) return [];
  return parsed.error.issues.flatMap((i) =>
    i.code === 'unrecognized_keys'
      ? i.keys.map((k) => ({ field: [...i.path, k].join('.'), message: '不允许的字段' }))
      : [{ field: i.path.map(String).join('.'), message: zodIssueInChinese(i) }],
  );
}

/** Thrown by a form whose body the schema refuses: the same shape as the server's 400. */
export class FormProblems extends ApiError {
  constructor(issues: FieldIssue[]) {
    super(400, 'validation_failed', '请按提示修改后再提交', issues);
  }
}

/** The body, or FormProblems naming each field the API would refuse. */
export function checked<T>(schema: z.ZodType, body: T): T {
  const issues = problemsOf(schema, body);
  if (issues.length) throw new FormProblems(issues);
  return body;
}
