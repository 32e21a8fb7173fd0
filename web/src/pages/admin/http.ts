/**
 * What the administrator's pages need beyond web/src/api.ts: PUT and DELETE, a raw file body for
 * the import, and the server's field issues as form field paths.
 */
import { ApiError, fieldOf, type FieldIssue } from '../../api';
import { currentToken } from '../../auth';

type ErrorBody = { error?: { code?: string; message?: string; issues?: FieldIssue[] } } | null;

async function send(method: string, path: string, body?: BodyInit, contentType?: string): Promise<{ status: number; data: unknown }> {
  const token = await currentToken();
  const res = await fetch(path, {
    method,
    headers: { ...(token ? { Authorization: `Bearer ${token}` } : {}), ...(contentType ? { 'Content-Type': contentType } : {}) },
    body,
  });
  const data = (await res.json().catch(() => null)) as unknown;
  if (!res.ok) {
    const e = (data as ErrorBody)?.error;
    throw Object.assign(new ApiError(res.status, e?.code ?? 'error', e?.message ?? `请求失败（${res.status}）`, e?.issues ?? []), { data });
  }
  return { status: res.status, data };
}

export const http = {
  put: async <T,>(path: string, body: unknown) => {
    const r = await send('PUT', path, JSON.stringify(body), 'application/json');
    return { created: r.status === 201, data: r.data as T };
  },
  del: async <T,>(path: string) => (await send('DELETE', path)).data as T,
  /** a file as the request body (the import); errors carry the answer's JSON as `data` */
  upload: async <T,>(path: string, file: Blob, contentType: string) => (await send('POST', path, file, contentType)).data as T,
};

/** The answer's JSON of a failed call (e.g. the import's report beside its 400). */
export const dataOf = (err: unknown): unknown => (err as { data?: unknown }).data;

/**
 * The server's issues split into those a form shows on a field (`body.channels.0.address` →
 * `['channels', 0, 'address']`) and the rest; `known` says which top-level fields the form has.
 */
export function issuesToFields(err: unknown, known: Set<string>, rename: Record<string, string> = {}) {
  const onFields: { name: (string | number)[]; errors: string[] }[] = [];
  const elsewhere: string[] = [];
  if (!(err instanceof ApiError)) return { onFields, elsewhere: [(err as Error).message] };
  for (const i of err.issues) {
    const parts = fieldOf(i.field).split('.');
    const head = rename[parts[0]!] ?? parts[0]!;
    if (!known.has(head)) {
      elsewhere.push(i.message);
      continue;
    }
    // lists (channels) are indexed by number in a form; object keys (escalation's "2") stay text
    const name = [head, ...parts.slice(1).map((p, k) => (/^\d+$/.test(p) && head === 'channels' && k === 0 ? Number(p) : p))];
    const same = onFields.find((f) => f.name.join('.') === name.join('.'));
    if (same) same.errors.push(i.message);
    else onFields.push({ name, errors: [i.message] });
  }
  if (!err.issues.length) elsewhere.push(err.message);
  return { onFields, elsewhere };
}

/** `label（id）` for options and cells: names first, ids for the ones who know them. */
export const labelled = (name: string | undefined, id: string) => (name ? `${name}（${id}）` : id);
