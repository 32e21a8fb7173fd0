/**
 * The API's single error path. Routes throw; this maps what they throw to a status and a
 * JSON body, so no route has its own try/catch.
 */
import type { ErrorRequestHandler } from 'express';
import { ZodError } from 'zod';
import type { Logger } from '../logger';
import { ACTION_FAILED, REFUSAL_TYPES } from '../workflows/definitions';
import { chineseFor, zodIssueInChinese } from './chinese-messages';
import { type Language, languageOf } from './language';

/** One problem with one field of the request; `zh` is its message in Chinese. */
export interface Issue {
  field: string;
  message: string;
  zh?: string;
}

/**
 * A failure the caller is told about: a stable English `code` for programs, and the message in
 * English and Chinese (`zh`). The error handler answers in Chinese unless the caller prefers
 * English (Accept-Language: en); see `messageIn`.
 */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly zh?: string,
    readonly issues?: Issue[],
  ) {
    super(message);
    this.name = 'HttpError';
  }

  /** The issues in one language (a message written without its Chinese is looked up, else kept in English). */
  issuesIn(language: Language): { field: string; message: string }[] | undefined {
    return this.issues?.map((i) => ({ field: i.field, message: language === 'en' ? i.message : (i.zh ?? chineseFor(i.message) ?? i.message) }));
  }

  /** The message in one language: a Chinese one given here, else made of the issues' or looked up, else said by the status. */
  messageIn(language: Language): string {
    if (language === 'en') return this.message;
    if (this.zh) return this.zh;
    if (this.issues) return this.issuesIn('zh')!.map((i) => `${i.field}：${i.message}`).join('；');
    return chineseFor(this.message) ?? `${STATUS_ZH[this.status] ?? '请求未能完成'}（${this.message}）`;
  }
}

/** What a status says in Chinese, for a message written without its own Chinese. */
const STATUS_ZH: Record<number, string> = {
  400: '请求有误',
  401: '身份认证未通过',
  403: '无权进行此操作',
  404: '未找到所请求的内容',
  405: '不支持该请求方法',
  409: '操作被拒绝',
  413: '请求内容过大',
  415: '不支持的内容类型',
  422: '请求无法处理',
  429: '操作过于频繁，请稍后重试',
  503: '服务暂不可用，请稍后重试',
};

export const notFound = (message: string, zh?: string) => new HttpError(404, 'not_found', message, zh);
export const conflict = (message: string, zh?: string) => new HttpError(409, 'refused', message, zh);
export const forbidden = (message: string, zh?: string) => new HttpError(403, 'forbidden', message, zh);
export const unavailable = (message: string, zh?: string) => new HttpError(503, 'unavailable', message, zh);
export const invalidField = (field: string, message: string, zh?: string) =>
  new HttpError(400, 'validation_failed', `${field}: ${message}`, undefined, [{ field, message, ...(zh ? { zh } : {}) }]);

const REFUSAL_STATUS: Record<string, [number, string]> = {
  [REFUSAL_TYPES.forbidden]: [403, 'forbidden'],
  [REFUSAL_TYPES.conflict]: [409, 'refused'],
  [REFUSAL_TYPES.invalid]: [400, 'invalid'],
  // the rules failed on this action (recorded on the case as rule_failed); nothing was changed
  [ACTION_FAILED]: [422, 'action_failed'],
};

interface Chain {
  name?: string;
  message?: string;
  type?: string;
  code?: number | string;
  cause?: unknown;
  /** an ApplicationFailure's details: a refusal carries its Chinese as `[{ zh }]` */
  details?: unknown[];
}

function causes(err: unknown): Chain[] {
  const out: Chain[] = [];
  let cur: unknown = err;
  while (cur && typeof cur === 'object' && out.length < 8) {
    out.push(cur as Chain);
    cur = (cur as Chain).cause;
  }
  return out;
}

// gRPC UNAVAILABLE / DEADLINE_EXCEEDED, socket errors, and database drivers that cannot connect
const UNREACHABLE = /ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ETIMEDOUT|UNAVAILABLE|DEADLINE_EXCEEDED|failed to connect|Connection.*(closed|refused|terminated)|SQLITE_BUSY|database is locked|Can't reach database/i;

const UNREACHABLE_MESSAGE = 'a backing service (Temporal or the database) is unreachable; retry later';
const UNREACHABLE_ZH = '服务暂不可用（无法连接 Temporal 或数据库），请稍后重试';
// a change whose answer was lost may have been applied; saying "nothing was changed" would be a guess
const UNREACHABLE_CHANGE = `${UNREACHABLE_MESSAGE}. The change may or may not have been applied: retry it with the same Idempotency-Key, or read before repeating it`;
const UNREACHABLE_CHANGE_ZH = `${UNREACHABLE_ZH}。本次更改可能已生效，也可能未生效：请使用相同的 Idempotency-Key 重试，或先查询再决定是否重复操作`;

const detailZh = (c: Chain): string | undefined => {
  const zh = (c.details?.[0] as { zh?: unknown } | undefined)?.zh;
  return typeof zh === 'string' ? zh : undefined;
};

/** Translates Temporal, Prisma and body-parser failures into HttpErrors. */
export function toHttpError(err: unknown): HttpError | null {
  if (err instanceof HttpError) return err;
  if (err instanceof ZodError) return validationFailed(err);
  const chain = causes(err);
  const refusal = chain.find((c) => c.type && c.type in REFUSAL_STATUS);
  if (refusal) {
    const [status, code] = REFUSAL_STATUS[refusal.type!]!;
    return new HttpError(status, code, refusal.message ?? code, detailZh(refusal));
  }
  const top = chain[0] ?? {};
  const bodyType = (err as { type?: string }).type;
  if (bodyType === 'entity.too.large') return new HttpError(413, 'payload_too_large', 'request body is larger than the 64 kB limit', '请求内容超过 64 kB 的上限');
  if (bodyType === 'entity.parse.failed') return new HttpError(400, 'malformed_json', 'request body is not valid JSON', '请求内容不是有效的 JSON');
  if (bodyType === 'encoding.unsupported' || bodyType === 'charset.unsupported') {
    return new HttpError(415, 'unsupported_encoding', top.message ?? 'unsupported encoding', `不支持的编码（${top.message ?? 'unsupported encoding'}）`);
  }
  // what Express and body-parser reject themselves (a broken percent-encoding, a body that is
  // not the gzip it claims): their own 4xx, in our shape
  const own = err as { status?: number; expose?: boolean; message?: string };
  if (err instanceof URIError || (own.expose && typeof own.status === 'number' && own.status >= 400 && own.status < 500)) {
    const status = err instanceof URIError ? 400 : own.status!;
    return new HttpError(status, status === 415 ? 'unsupported_media_type' : status === 413 ? 'payload_too_large' : 'bad_request', own.message ?? 'bad request');
  }
  if (chain.some((c) => c.name === 'WorkflowNotFoundError')) return notFound('case not found', '案件不存在');
  if (chain.some((c) => /workflow execution already completed/i.test(c.message ?? ''))) {
    return conflict('the case is already closed', '该案件已办结');
  }
  // Prisma P1008: an operation timed out (SQLite: another process held the write lock past
  // SQLITE_LOCK_WAIT_MS); P1001/P1017: the server cannot be reached or closed the connection
  if (chain.some((c) => c.code === 14 || c.code === 4 || c.code === 'P1008' || c.code === 'P1001' || c.code === 'P1017' || UNREACHABLE.test(`${c.name ?? ''} ${c.message ?? ''} ${String(c.code ?? '')}`))) {
    return unavailable(UNREACHABLE_MESSAGE, UNREACHABLE_ZH);
  }
  return null;
}

/** A request zod refused: each issue named by its path, in English and Chinese. */
function validationFailed(err: ZodError): HttpError {
  const issues: Issue[] = err.issues.flatMap((i) =>
    // name each unknown field rather than its parent object
    i.code === 'unrecognized_keys'
      ? i.keys.map((k) => ({ field: [...i.path, k].join('.'), message: 'unknown field', zh: '不允许的字段' }))
      : [{ field: i.path.join('.') || '(root)', message: i.message, zh: zodIssueInChinese(i) }],
  );
  return new HttpError(400, 'validation_failed', issues.map((i) => `${i.field}: ${i.message}`).join('; '), undefined, issues);
}

/** Issues of another kind (a directory row, say) as one 400 naming each field. */
export const issuesRefused = (issues: Issue[]) =>
  new HttpError(400, 'validation_failed', issues.map((i) => `${i.field}: ${i.message}`).join('; '), undefined, issues);

/** A backing service (Temporal, the database) could not be reached: not a failure of this request. */
export const isUnavailable = (err: unknown): boolean => toHttpError(err)?.status === 503;

/**
 * Answers every error as `{ error: { code, message, requestId, issues? } }`, the message in
 * Chinese unless the caller prefers English (Accept-Language: en).
 */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const language = languageOf(req);
    res.vary('Accept-Language');
    res.set('Content-Language', language === 'en' ? 'en' : 'zh-CN');
    let http = toHttpError(err);
    const requestId = req.requestId;
    const path = req.originalUrl.split('?')[0];
    if (!http) {
      logger.error({ err, reqId: requestId, method: req.method, path }, 'unhandled error');
      const message = language === 'en' ? 'internal error; it has been logged' : '系统内部错误，已记录日志，请联系管理员';
      res.status(500).json({ error: { code: 'internal', message, requestId } });
      return;
    }
    if (http.message === UNREACHABLE_MESSAGE && !['GET', 'HEAD'].includes(req.method)) http = unavailable(UNREACHABLE_CHANGE, UNREACHABLE_CHANGE_ZH);
    if (http.status >= 500) logger.warn({ err, reqId: requestId, path }, http.message);
    const issues = http.issuesIn(language);
    res.status(http.status).json({ error: { code: http.code, message: http.messageIn(language), requestId, ...(issues ? { issues } : {}) } });
  };
}
