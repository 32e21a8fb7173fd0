/** What the administrator's pages share: the server's field issues as form field paths, and labels. */
import { ApiError, fieldOf } from '../../api';

/** The answer's JSON of a failed call (e.g. the import's report beside its 400). */
export const dataOf = (err: unknown): unknown => (err instanceof ApiError ? err.data : undefined);

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
