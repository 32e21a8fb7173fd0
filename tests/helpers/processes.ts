/**
 * The service's own entry points as child processes (`src/server.ts`, `src/worker.ts`, the db
 * CLIs), the way production runs them: for tests about several processes on one database and
 * about processes dying. Every child is SIGKILLed if the test process exits without stopping it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { eventually } from './eventually';
import { freePort } from './ports';

const ROOT = path.resolve(__dirname, '../..');
const live = new Set<ChildProcess>();
let exitHook = false;

export interface ServiceProcess {
  child: ChildProcess;
  /** everything it printed so far */
  output(): string;
  exited: Promise<number | null>;
  /** SIGTERM and wait (SIGKILL after 10 s) */
  stop(): Promise<number | null>;
  /** SIGKILL: the process dies mid-work, as in a crash */
  crash(): Promise<void>;
}

export interface ApiProcess extends ServiceProcess {
  port: number;
  base: string;
}

/** Shared secrets every process of one deployment must agree on. */
export function deploymentKeys(): NodeJS.ProcessEnv {
  const key = () => randomBytes(32).toString('base64');
  return { PAYLOAD_KEYS: `p1:${key()}`, SECRET_KEYS: `s1:${key()}` };
}

export function spawnService(script: string, env: NodeJS.ProcessEnv, args: string[] = []): ServiceProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: 'warn', SEED_DEMO: 'false', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(child);
  if (!exitHook) {
    exitHook = true;
    process.once('exit', () => {
      for (const c of live) c.kill('SIGKILL');
    });
  }
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      live.delete(child);
      resolve(code);
    }),
  );
  return {
    child,
    output: () => out,
    exited,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(t);
      }
      return exited;
    },
    async crash() {
      child.kill('SIGKILL');
      await exited;
    },
  };
}

/** Runs a one-shot script to completion and returns its exit code and output. */
export async function runScript(script: string, env: NodeJS.ProcessEnv, args: string[] = []): Promise<{ code: number | null; output: string }> {
  const p = spawnService(script, env, args);
  const code = await p.exited;
  return { code, output: p.output() };
}

/** `src/server.ts` on a free port, resolved once /api/health answers. */
export async function startApi(env: NodeJS.ProcessEnv, port?: number): Promise<ApiProcess> {
  port ??= await freePort();
  const p = spawnService('src/server.ts', { ...env, PORT: String(port), HOST: '127.0.0.1' });
  const base = `http://127.0.0.1:${port}/api`;
  await eventually(
    async () => {
      if (p.child.exitCode !== null) throw new Error(`API exited with ${p.child.exitCode}:\n${p.output()}`);
      return (await fetch(`${base}/health`)).ok;
    },
    { timeoutMs: 60_000, intervalMs: 200 },
  );
  return { ...p, port, base };
}

/** `src/worker.ts`, resolved once it polls its task queue. */
export async function startWorker(env: NodeJS.ProcessEnv): Promise<ServiceProcess> {
  const p = spawnService('src/worker.ts', { ...env, LOG_LEVEL: 'info' });
  await eventually(
    () => {
      if (p.child.exitCode !== null) throw new Error(`worker exited with ${p.child.exitCode}:\n${p.output()}`);
      return p.output().includes('worker started');
    },
    { timeoutMs: 60_000, intervalMs: 200 },
  );
  return p;
}
