/**
 * Launches a real Temporal server (`temporal server start-dev`, SQLite-backed) as a child process.
 *
 * Used by `npm start` (embedded server persisting to ./data/temporal.db when no external server is
 * configured) and by the test suite. Everything comes in as a parameter: this module reads no env vars
 * and never writes to the console (pass `log` to see the server's output).
 *
 * Lifetime: the server is tied to this Node process. It does not keep Node alive by itself, it is
 * SIGKILLed on Node's 'exit' event, and on Linux `setpriv --pdeathsig` has the kernel kill it if Node
 * dies abruptly. For a graceful shutdown (SIGTERM, ~1 s) call `stop()`, e.g. from SIGINT/SIGTERM handlers.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Connection } from '@temporalio/client';

export type DevServerLogLevel = 'debug' | 'info' | 'warn' | 'error' | 'never';

export interface DevServerOptions {
  /** Absolute path of the Temporal CLI binary (`temporal`). */
  executable: string;
  /**
   * SQLite file the server persists to; its directory is created if needed. Default: a fresh file in a
   * temporary directory that `stop()` deletes.
   */
  dbFilename?: string;
  /** Custom search attributes to register at launch, e.g. `{ AppealStatus: 'Keyword' }`. */
  searchAttributes?: Record<string, string>;
  /** Namespace to create at launch (the `default` namespace always exists). Default: `default`. */
  namespace?: string;
  /** Interface to bind (gRPC and UI). Default: 127.0.0.1. */
  ip?: string;
  /** Front-end gRPC port. Default: a free port. */
  port?: number;
  /** Web UI port (ignored when headless). Default: a free port. */
  uiPort?: number;
  /**
   * Remote codec endpoint the Web UI decodes payloads through (`--ui-codec-endpoint`), e.g.
   * `http://127.0.0.1:3000/api/codec`; the UI posts to `<endpoint>/decode` from the browser.
   * Ignored when headless.
   */
  codecEndpoint?: string;
  /** Disable the Web UI. Default: false. */
  headless?: boolean;
  /** Server log level. Default: warn. */
  logLevel?: DevServerLogLevel;
  /** How long to wait for the server to answer gRPC health calls. Default: 60 000 ms. */
  startupTimeoutMs?: number;
  /** Grace period between SIGTERM and SIGKILL in `stop()`. Default: 10 000 ms. */
  stopGraceMs?: number;
  /** Extra CLI flags appended to `temporal server start-dev`. */
  extraArgs?: string[];
  /** Receives each line the server prints. */
  log?: (line: string, stream: 'stdout' | 'stderr') => void;
}

export interface DevServerHandle {
  /** host:port of the front-end gRPC service, for `Connection.connect({ address })`. */
  address: string;
  /** Web UI URL ('' when headless). */
  uiUrl: string;
  /** The namespace that was created at launch and verified. */
  namespace: string;
  /** SQLite file in use. */
  dbFilename: string;
  pid: number;
  /** Resolves when the process exits (for whatever reason). */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM, wait for exit, SIGKILL after the grace period; idempotent. Removes a temporary DB. */
  stop(): Promise<void>;
}

/** Thrown when the server fails to start; `output` holds the tail of what it printed. */
export class DevServerStartError extends Error {
  override readonly name = 'DevServerStartError';
  constructor(
    message: string,
    readonly output: string,
  ) {
    super(output ? `${message}\n--- temporal server output (tail) ---\n${output}` : message);
  }
}

/** Asks the OS for a free TCP port on `host` (bind to port 0, read it back, release it). */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen({ port: 0, host, exclusive: true }, () => {
      const addr = srv.address();
      srv.close(() => (addr && typeof addr === 'object' ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

// Children still alive when this Node process exits get SIGKILLed, so a crashed or force-exited test
// run (or an `npm start` that exits without stopping) leaves no orphan servers behind.
// Their temporary DB directories are removed too.
const liveChildren = new Map<ChildProcess, string | undefined>();
let exitHookInstalled = false;
function trackChild(child: ChildProcess, tmpDir: string | undefined): void {
  liveChildren.set(child, tmpDir);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const [c, dir] of liveChildren) {
        try {
          c.kill('SIGKILL');
          if (dir) rmSync(dir, { recursive: true, force: true });
        } catch {
          /* already gone */
        }
      }
    });
  }
}

/** On Linux, `setpriv --pdeathsig SIGKILL` makes the kernel kill the server even if Node is SIGKILLed. */
const SETPRIV = process.platform === 'linux' && existsSync('/usr/bin/setpriv') ? '/usr/bin/setpriv' : undefined;

const TAIL_LINES = 60;
const ADDRESS_IN_USE = /address already in use|bind: address/i;

export async function startDevServer(opts: DevServerOptions): Promise<DevServerHandle> {
  if (!existsSync(opts.executable)) {
    throw new DevServerStartError(`Temporal CLI not found at ${opts.executable}`, '');
  }
  // Free ports are picked before spawn, so another process can grab one in between; retry on that
  // (only when we pick every port ourselves: a caller's fixed port would just collide again).
  const attempts = opts.port === undefined && (opts.headless || opts.uiPort === undefined) ? 3 : 1;
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(opts);
    } catch (err) {
      if (attempt < attempts && err instanceof DevServerStartError && ADDRESS_IN_USE.test(err.output)) continue;
      throw err;
    }
  }
}

async function startOnce(opts: DevServerOptions): Promise<DevServerHandle> {
  const ip = opts.ip ?? '127.0.0.1';
  const namespace = opts.namespace ?? 'default';
  const port = opts.port ?? (await freePort(ip));
  const headless = opts.headless ?? false;
  const uiPort = headless ? undefined : (opts.uiPort ?? (await freePort(ip)));
  const startupTimeoutMs = opts.startupTimeoutMs ?? 60_000;
  const stopGraceMs = opts.stopGraceMs ?? 10_000;

  let tmpDir: string | undefined;
  let dbFilename: string;
  if (opts.dbFilename) {
    dbFilename = path.resolve(opts.dbFilename);
    await mkdir(path.dirname(dbFilename), { recursive: true });
  } else {
    tmpDir = await mkdtemp(path.join(os.tmpdir(), 'temporal-dev-'));
    dbFilename = path.join(tmpDir, 'temporal.db');
  }

  const args = ['server', 'start-dev', '--ip', ip, '--port', String(port), '--db-filename', dbFilename];
  args.push('--log-level', opts.logLevel ?? 'warn');
  if (headless) args.push('--headless');
  else {
    args.push('--ui-port', String(uiPort), '--ui-disable-news-fetch');
    if (opts.codecEndpoint) args.push('--ui-codec-endpoint', opts.codecEndpoint);
  }
  if (namespace !== 'default') args.push('--namespace', namespace);
  for (const [name, type] of Object.entries(opts.searchAttributes ?? {})) {
    args.push('--search-attribute', `${name}=${type}`);
  }
  args.push(...(opts.extraArgs ?? []));

  const [cmd, cmdArgs] = SETPRIV
    ? [SETPRIV, ['--pdeathsig', 'SIGKILL', '--', opts.executable, ...args]]
    : [opts.executable, args];
  const child = spawn(cmd, cmdArgs, { stdio: ['ignore', 'pipe', 'pipe'] });
  trackChild(child, tmpDir);
  // The server never keeps Node alive by itself: a forgotten server cannot hang `jest` or a finished
  // process; the exit hook above kills it when Node exits.
  child.unref();

  const tail: string[] = [];
  const onLine = (stream: 'stdout' | 'stderr') => {
    let partial = '';
    return (chunk: Buffer) => {
      const lines = (partial + chunk.toString('utf8')).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        if (!line) continue;
        tail.push(line);
        if (tail.length > TAIL_LINES) tail.shift();
        opts.log?.(line, stream);
      }
    };
  };
  for (const stream of ['stdout', 'stderr'] as const) {
    const readable = child[stream]!;
    readable.on('data', onLine(stream));
    (readable as Partial<net.Socket>).unref?.();
  }

  let spawnError: Error | undefined;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('error', (err) => {
      spawnError = err;
      liveChildren.delete(child);
      resolve({ code: null, signal: null });
    });
    child.once('exit', (code, signal) => {
      liveChildren.delete(child);
      resolve({ code, signal });
    });
  });
  let hasExited = false;
  void exited.then(() => (hasExited = true));

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      if (!hasExited && child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), stopGraceMs);
        await exited;
        clearTimeout(timer);
      }
      if (tmpDir) await rm(tmpDir, { recursive: true, force: true });
    })());

  const address = `${ip}:${port}`;
  try {
    await waitUntilReady(address, namespace, startupTimeoutMs, () =>
      exited.then(() => spawnError?.message ?? `server exited early (${describeExit(child)})`),
    );
  } catch (err) {
    await stop();
    const reason = err instanceof Error ? err.message : String(err);
    throw new DevServerStartError(
      `Temporal dev server (${opts.executable} ${args.join(' ')}) did not become ready: ${reason}`,
      tail.join('\n'),
    );
  }

  return {
    address,
    uiUrl: headless ? '' : `http://${ip}:${uiPort}`,
    namespace,
    dbFilename,
    pid: child.pid!,
    exited,
    stop,
  };
}

function describeExit(child: ChildProcess): string {
  return child.signalCode ? `signal ${child.signalCode}` : `exit code ${child.exitCode}`;
}

/**
 * Polls getSystemInfo + describeNamespace until both succeed; fails as soon as the process dies, or when
 * the timeout passes.
 */
async function waitUntilReady(
  address: string,
  namespace: string,
  timeoutMs: number,
  died: () => Promise<string>,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError = 'no attempt made';
  let deadReason: string | undefined;
  const death = died().then((reason) => {
    deadReason = reason;
  });
  const probe = async (): Promise<boolean> => {
    let connection: Connection | undefined;
    try {
      connection = await Connection.connect({ address, connectTimeout: 2_000 });
      await connection.withDeadline(Date.now() + 2_000, () => connection!.workflowService.getSystemInfo({}));
      await connection.withDeadline(Date.now() + 2_000, () =>
        connection!.workflowService.describeNamespace({ namespace }),
      );
      return true;
    } catch (err) {
      lastError = err instanceof Error ? err.message : String(err);
      return false;
    } finally {
      await connection?.close().catch(() => undefined);
    }
  };
  while (Date.now() < deadline) {
    const ready = await Promise.race([probe(), death.then(() => false)]);
    if (deadReason !== undefined) throw new Error(deadReason);
    if (ready) return;
    await Promise.race([new Promise((r) => setTimeout(r, 150)), death]);
  }
  throw new Error(`timed out after ${timeoutMs} ms; last error: ${lastError}`);
}

export interface SupervisionPolicy {
  /** restarts allowed within `windowMs` before giving up. Default: 5 */
  maxRestarts?: number;
  /** Default: 10 minutes */
  windowMs?: number;
  /** pause before each restart attempt. Default: 1 000 ms */
  backoffMs?: number;
}

export interface SupervisionEvents {
  onExit?(exit: { code: number | null; signal: NodeJS.Signals | null }): void;
  onRestarted?(handle: DevServerHandle): void;
  onRestartFailed?(err: unknown): void;
  /** the server died more often than the policy allows; the supervisor does nothing more */
  onGiveUp(reason: string): void;
}

export interface SupervisedDevServer {
  current(): DevServerHandle;
  /** stops supervising, then stops the server */
  stop(): Promise<void>;
}

/**
 * Restarts a dev server that dies, on the same ports and SQLite file, so clients and workers
 * (which reconnect by themselves) carry on; after `maxRestarts` within `windowMs` it gives up
 * and says so, instead of letting the service retry against nothing forever.
 */
export function superviseDevServer(
  first: DevServerHandle,
  opts: DevServerOptions,
  events: SupervisionEvents,
  policy: SupervisionPolicy = {},
): SupervisedDevServer {
  const { maxRestarts = 5, windowMs = 10 * 60_000, backoffMs = 1_000 } = policy;
  const port = Number(first.address.split(':').pop());
  const uiPort = first.uiUrl ? Number(new URL(first.uiUrl).port) : undefined;
  const again: DevServerOptions = { ...opts, dbFilename: first.dbFilename, port, ...(uiPort ? { uiPort } : {}) };
  let handle = first;
  let stopping = false;
  const restarts: number[] = [];

  const watch = async () => {
    while (!stopping) {
      const exit = await handle.exited;
      if (stopping) return;
      events.onExit?.(exit);
      for (;;) {
        const now = Date.now();
        while (restarts.length && restarts[0]! <= now - windowMs) restarts.shift();
        if (restarts.length >= maxRestarts) {
          events.onGiveUp(`the Temporal dev server stopped ${restarts.length + 1} times within ${Math.round(windowMs / 60_000)} min (last: ${exit.signal ?? `exit code ${exit.code}`})`);
          return;
        }
        restarts.push(now);
        await new Promise((r) => setTimeout(r, backoffMs));
        if (stopping) return;
        try {
          handle = await startDevServer(again);
          if (stopping) return void (await handle.stop());
          events.onRestarted?.(handle);
          break;
        } catch (err) {
          events.onRestartFailed?.(err);
        }
      }
    }
  };
  const watching = watch();
  return {
    current: () => handle,
    stop: async () => {
      stopping = true;
      await handle.stop();
      await watching;
    },
  };
}
