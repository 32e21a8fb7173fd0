/** The one HTTP client both sides are driven with (Node's fetch, keep-alive), timed. */

export interface Answer {
  status: number;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  /** request sent → answer read, ms */
  ms: number;
}

export async function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const t = performance.now();
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const json = await res.json().catch(() => null);
  return { status: res.status, body: json, ms: performance.now() - t };
}

/** An answer that must be 2xx. */
export function ok(what: string, a: Answer): Answer {
  if (a.status < 200 || a.status >= 300) throw new Error(`${what}: HTTP ${a.status} ${JSON.stringify(a.body).slice(0, 500)}`);
  return a;
}
