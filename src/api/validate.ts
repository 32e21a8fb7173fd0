import type { Request, RequestHandler, Response } from 'express';
import { z, ZodError } from 'zod';
import { HttpError } from './errors';

const hasBody = (req: Request) => req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;

type Schemas = {
  params?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType;
  headers?: z.ZodType;
  /**
   * For the OpenAPI document only: what the handler reads itself, e.g. a signed callback's body,
   * which is parsed only once its signature over the raw bytes checks out. A body documented here
   * without `bodyTypes` is JSON, so another media type still gets the 415.
   */
  documented?: { body?: z.ZodType; bodyTypes?: readonly string[]; bodyRequired?: boolean; headers?: z.ZodType };
};
type Parsed<S extends Schemas> = { [K in Exclude<keyof S, 'documented'>]: S[K] extends z.ZodType ? z.infer<S[K]> : never };

/** The media types a route's body is taken in (none: it takes no body). */
export const bodyTypesOf = (s: Schemas | undefined): readonly string[] =>
  s?.body ? ['application/json'] : s?.documented?.body ? (s.documented.bodyTypes ?? ['application/json']) : [];

/**
 * Wraps a route: parses the named parts of the request with zod (issues carry
 * `body.…`, `query.…` paths), then hands the parsed values on. Errors go to the error
 * middleware (Express 5 forwards rejected promises), which words each issue in the caller's
 * language (errors.ts): zod's messages and the schemas' own are English, and a schema's message
 * takes precedence over any per-parse error map, so the Chinese is found there, not here.
 */
export function route<S extends Schemas>(schemas: S, fn: (input: Parsed<S>, req: Request, res: Response) => Promise<void>): RequestHandler & { schemas: S } {
  const handler: RequestHandler = async (req, res) => {
    // a body in another format would otherwise parse as "no body" and fail as missing fields
    if (bodyTypesOf(schemas).includes('application/json') && hasBody(req) && !req.is('application/json')) {
      const got = req.get('content-type') ?? 'none';
      throw new HttpError(
        415,
        'unsupported_media_type',
        `this endpoint takes a JSON body: send Content-Type: application/json (got ${got})`,
        `本接口只接受 JSON 请求体：请使用 Content-Type: application/json（收到的是 ${got}）`,
      );
    }
    const input: Record<string, unknown> = {};
    const issues: z.core.$ZodIssue[] = [];
    for (const part of ['params', 'query', 'headers', 'body'] as const) {
      const schema = schemas[part];
      if (!schema) continue;
      const raw = part === 'body' ? (req.body ?? {}) : req[part];
      // with the input kept, an issue can tell a missing field from one of the wrong type (in Chinese too)
      const result = schema.safeParse(raw, { reportInput: true });
      if (result.success) input[part] = result.data;
      else issues.push(...result.error.issues.map((i) => ({ ...i, path: [part, ...i.path] })));
    }
    if (issues.length) throw new ZodError(issues);
    await fn(input as Parsed<S>, req, res);
  };
  // the route table reads them back for the OpenAPI document
  return Object.assign(handler, { schemas });
}

export type RouteSchemas = Schemas;
