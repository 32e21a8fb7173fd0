/**
 * Retry budgets that a database outage does not spend. The workflow retries notify and
 * dispatchToDepartment without an attempt limit; these activities count only failures on the far
 * side (a channel, a department's system, a bug) and give up, non-retryably, when they reach the
 * budget. An attempt that could not reach the database is retried and not counted: a district's
 * database may be down for an hour, and nothing raised meanwhile may be lost.
 */
import { ApplicationFailure, Context } from '@temporalio/activity';
import { isUnavailable } from '../api/errors';

/** ApplicationFailure `type` of an attempt that could not reach the database: retried, never counted. */
export const DATABASE_UNAVAILABLE = 'DatabaseUnavailable';

const lastLine = (err: unknown) => (err instanceof Error ? err.message : String(err)).trim().split('\n').at(-1)!;

/** Awaits a database call; an unreachable database fails the attempt as DatabaseUnavailable. */
export async function fromDb<T>(call: PromiseLike<T>): Promise<T> {
  try {
    return await call;
  } catch (err) {
    if (!isUnavailable(err)) throw err;
    throw ApplicationFailure.create({ type: DATABASE_UNAVAILABLE, message: `database unreachable: ${lastLine(err)}`, cause: err instanceof Error ? err : undefined });
  }
}

/**
 * What an attempt hands on to the next. It travels in the heartbeat details: the worker sends an
 * attempt's last details with its failure report and the server gives them to the next attempt,
 * so the count needs neither the database (it may be down) nor the same worker.
 */
export interface Carried {
  /** failures counted against the budget so far */
  failures: number;
  /** ledger rows whose channel took the message in an earlier attempt that could not record it */
  sent: string[];
}

/** What earlier attempts handed on; `sent` also holds rows an earlier try outside this activity reported taken. */
export function carried(alreadySent: string[] = []): Carried {
  const d = Context.current().info.heartbeatDetails as Partial<Carried> | undefined;
  return { failures: d?.failures ?? 0, sent: [...new Set([...(d?.sent ?? []), ...alreadySent])] };
}

export const handOn = (c: Carried): void => Context.current().heartbeat(c);

/**
 * The error an attempt ends with. An unreachable database, a non-retryable failure, or a failure
 * of a `countedElsewhere` type passes through uncounted; any other failure counts, and the
 * `max`-th is final: non-retryable with `type`, so the workflow records it and the case moves on.
 */
export function attemptFailure(err: unknown, carry: Carried, max: number, type: string, countedElsewhere: string[] = []): unknown {
  const passes = err instanceof ApplicationFailure && (err.nonRetryable || err.type === DATABASE_UNAVAILABLE || countedElsewhere.includes(err.type ?? ''));
  if (!passes) carry.failures++;
  handOn(carry);
  if (passes || carry.failures < max) return err;
  return ApplicationFailure.create({ type, nonRetryable: true, message: `${lastLine(err)} (gave up after ${max} failures)`, cause: err instanceof Error ? err : undefined });
}
