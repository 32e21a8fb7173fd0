/**
 * The supervisor npm start puts around its embedded dev server: a server that dies comes back
 * on the same address with its data; one that keeps dying is given up on, with a reason.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { type DevServerOptions, startDevServer, superviseDevServer } from '../../src/temporal/dev-server';
import { eventually } from '../helpers/eventually';
import { temporalBinaries } from '../helpers/temporal';

let dir: string;
beforeAll(() => (dir = mkdtempSync(path.join(os.tmpdir(), 'dev-supervise-'))));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('restarts a killed server on the same address and file, and gives up when it keeps dying', async () => {
  const options: DevServerOptions = { executable: temporalBinaries().cli, dbFilename: path.join(dir, 'temporal.db'), headless: true, namespace: 'supervised' };
  const first = await startDevServer(options);
  const restarted: number[] = [];
  let gaveUp: string | undefined;
  const supervised = superviseDevServer(first, options, { onRestarted: (h) => restarted.push(h.pid), onGiveUp: (r) => (gaveUp = r) }, { maxRestarts: 1, backoffMs: 100 });
  try {
    process.kill(first.pid, 'SIGKILL');
    await eventually(() => expect(restarted).toHaveLength(1), { timeoutMs: 60_000 });
    const second = supervised.current();
    expect(second.pid).not.toBe(first.pid);
    expect(second.address).toBe(first.address);
    const connection = await Connection.connect({ address: second.address });
    try {
      // the namespace created at first launch lives in the file, so it is there after the restart
      await expect(connection.workflowService.describeNamespace({ namespace: 'supervised' })).resolves.toBeDefined();
    } finally {
      await connection.close();
    }

    process.kill(second.pid, 'SIGKILL');
    await eventually(() => expect(gaveUp).toBeDefined(), { timeoutMs: 30_000 });
    expect(gaveUp).toMatch(/stopped 2 times within 10 min \(last: SIGKILL\)/);
    expect(restarted).toHaveLength(1);
  } finally {
    await supervised.stop();
  }
});
