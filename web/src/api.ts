/** The API from the browser: the bearer token of the signed-in person, errors as the server words them. */
import { useCallback, useEffect, useState } from 'react';
import { currentToken } from './auth';

export interface FieldIssue {
  field: string;
  message: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly issues: FieldIssue[] = [],
    /** the answer's whole JSON (e.g. an import's report beside its 400) */
    readonly data?: unknown,
  ) {
    super(message);
  }
}

/** A request body: JSON, or a file as it is (an import). */
type Body = { json: unknown } | { raw: Blob; type: string };

async function call(method: string, path: string, body?: Body, extra: Record<string, string> = {}): Promise<Response> {
  const token = await currentToken();
  const res = await fetch(path, {
    method,
    headers: {
      ...(token ? { Authorization: `Bearer ${token}` } : {}),
      ...(body ? { 'Content-Type': 'json' in body ? 'application/json' : body.type } : {}),
      ...extra,
    },
    body: !body ? undefined : 'json' in body ? JSON.stringify(body.json) : body.raw,
  });
  if (!res.ok) {
    const data = (await res.json().catch(() => null)) as { error?: { code?: string; message?: string; issues?: FieldIssue[] } } | null;
    throw new ApiError(res.status, data?.error?.code ?? 'error', data?.error?.message ?? `请求失败（${res.status}）`, data?.error?.issues ?? [], data);
  }
  return res;
}

export const api = {
  get: async <T,>(path: string) => (await (await call('GET', path)).json()) as T,
  post: async <T,>(path: string, body: unknown, headers?: Record<string, string>) => (await (await call('POST', path, { json: body }, headers)).json()) as T,
  /** create (201) or update (200) */
  put: async <T,>(path: string, body: unknown) => {
    const res = await call('PUT', path, { json: body });
    return { created: res.status === 201, data: (await res.json()) as T };
  },
  del: async <T,>(path: string) => (await (await call('DELETE', path)).json()) as T,
  /** a file as the request body */
  upload: async <T,>(path: string, file: Blob, type: string) => (await (await call('POST', path, { raw: file, type })).json()) as T,
  blob: async (path: string) => (await call('GET', path)).blob(),
};

/** `?a=1&b=2` from the defined values only. */
export const query = (q: Record<string, string | number | boolean | undefined>) => {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v !== undefined && v !== '') p.set(k, String(v));
  const s = p.toString();
  return s ? `?${s}` : '';
};

/** The API names a field by where it was (`body.contact.phone`); a form knows it without the `body.`. */
export const fieldOf = (field: string) => field.replace(/^(body|query|params)\./, '');

/** One page of a list and where the next one starts (`nextCursor`, `nextBefore`: whichever the list answers). */
export interface Page<T, C> {
  items: T[];
  next: C | null;
  total?: number;
}

/**
 * A list read page by page along its cursor: the first page (again) whenever `deps` change or
 * `reload` is called, the next ones appended by `more`. `fetchPage` is called without a cursor for the first page.
 */
export function usePagedList<T, C>(fetchPage: (cursor?: C) => Promise<Page<T, C>>, deps: unknown[]) {
  const [items, setItems] = useState<T[]>();
  const [next, setNext] = useState<C | null>(null);
  const [total, setTotal] = useState<number>();
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string>();
  const load = useCallback(
    async (cursor?: C) => {
      setLoading(true);
      try {
        const page = await fetchPage(cursor);
        setItems((prev) => (cursor === undefined ? page.items : [...(prev ?? []), ...page.items]));
        setNext(page.next);
        if (cursor === undefined) setTotal(page.total);
        setError(undefined);
      } catch (err) {
        setError((err as Error).message);
      } finally {
        setLoading(false);
      }
    },
    // eslint-disable-next-line react-hooks/exhaustive-deps
    deps,
  );
  useEffect(() => void load(), [load]);
  return { items, setItems, total, loading, error, hasMore: next !== null, reload: () => load(), more: () => (next === null ? Promise.resolve() : load(next)) };
}
