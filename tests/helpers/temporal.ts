/**
 * Real Temporal servers for tests, from the project-local venv that `bash scripts/setup.sh` installs
 * (<repo>/.temporal/bin). A missing binary is a hard error, never a skipped test.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, type LogLevel } from '@temporalio/worker';
import { startDevServer as startDevServerProcess, type DevServerHandle } from '../../src/temporal/dev-server';

const REPO_ROOT = path.resolve(__dirname, '..', '..');

// Keep Worker/bundler chatter (INFO lines per worker state change, webpack stats) out of test output.
// Must happen before anything calls Runtime.instance(); TEMPORAL_TEST_LOG_LEVEL=INFO brings it back.
try {
  Runtime.install({ logger: new DefaultLogger((process.env.TEMPORAL_TEST_LOG_LEVEL as LogLevel | undefined) ?? 'WARN') });
} catch {
  /* a Runtime was already installed in this module registry; keep it */
}

export interface TemporalBinaries {
  /** Temporal CLI (`temporal server start-dev`). */
  cli: string;
  /** Time-skipping test server (takes only a port argument). */
  testServer: string;
}

export function temporalBinaries(): TemporalBinaries {
  const bin = path.join(REPO_ROOT, '.temporal', 'bin');
  const binaries = { cli: path.join(bin, 'temporal'), testServer: path.join(bin, 'temporal-test-server') };
  const missing = Object.values(binaries).filter((p) => !existsSync(p));
  if (missing.length > 0) {
    throw new Error(
      `Temporal server binaries missing: ${missing.join(', ')}.\n` +
        `Run "bash scripts/setup.sh" (installs them into ${path.join(REPO_ROOT, '.temporal')}); ` +
        `tests that need a Temporal server are never skipped.`,
    );
  }
  return binaries;
}

/**
 * Time-skipping test server. Awaiting a workflow result skips timers; updates/queries/signals do not
 * skip time (use `env.sleep(...)` for that). Call `env.teardown()` when done.
 */
export function createTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: temporalBinaries().testServer } },
  });
}

export interface TestDevServer {
  address: string;
  uiUrl: string;
  stop(): Promise<void>;
}

/**
 * A real `temporal server start-dev` (with Web UI) on free ports with a throwaway SQLite file (or
 * `dbFilename`), ready (gRPC answering, namespace present) when this resolves; takes ~1 s.
 * Always `await server.stop()` in afterAll (a process-exit hook SIGKILLs any server left running).
 */
export async function startDevServer(opts?: {
  dbFilename?: string;
  searchAttributes?: Record<string, string>;
  namespace?: string;
}): Promise<TestDevServer & Pick<DevServerHandle, 'namespace' | 'dbFilename' | 'pid'>> {
  const server = await startDevServerProcess({ executable: temporalBinaries().cli, ...opts });
  return {
    address: server.address,
    uiUrl: server.uiUrl,
    namespace: server.namespace,
    dbFilename: server.dbFilename,
    pid: server.pid,
    stop: server.stop,
  };
}
