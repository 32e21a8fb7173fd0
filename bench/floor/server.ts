/**
 * The floor's worker (its own bundle and task queue, on the product's dev server, in this process)
 * and its bare HTTP front: node:http, JSON in and out, no auth, no validation, one Temporal call
 * per request. Payloads go through the same codec as the product's (encryption is a requirement,
 * not overhead), so both sides pay it per payload.
 *
 *   POST /cases               {burst?, followUpDelayMs?}  update-with-start, step "open"
 *   POST /cases/:id/arm       {deadlineAt}  a burst case's deadline (a signal)
 *   POST /cases/:id/:step     one Update (acknowledge, propose, approve, follow-up, close)
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client, Connection, WithStartWorkflowOperation, WorkflowIdReusePolicy } from '@temporalio/client';
import type { PayloadCodec } from '@temporalio/common';
import { bundleWorkflowCode, NativeConnection, Worker } from '@temporalio/worker';
import type { Db } from '../../src/db/client';
import { createFloorActivities, createFloorTable } from './activities';
import { armSignal, type FloorInput, floorCase, stepUpdate } from './workflows';

export const floorWorkflowId = (caseId: string) => `floor-${caseId}`;

export interface Floor {
  /** base URL of the floor's HTTP front, e.g. http://127.0.0.1:1234 */
  url: string;
  client: Client;
  taskQueue: string;
  stop(): Promise<void>;
}

const quiet = { trace() {}, debug() {}, info() {}, warn() {}, error: console.error, log() {} } as never;

export async function startFloor(opts: { address: string; namespace?: string; db: Db; codec: PayloadCodec; taskQueue?: string }): Promise<Floor> {
  const namespace = opts.namespace ?? 'default';
  const taskQueue = opts.taskQueue ?? 'bench-floor';
  await createFloorTable(opts.db);
  const dataConverter = { payloadCodecs: [opts.codec] };

  const workflowBundle = await bundleWorkflowCode({ workflowsPath: require.resolve('./workflows'), logger: quiet });
  const nativeConnection = await NativeConnection.connect({ address: opts.address });
  // the product's worker options (src/runtime.ts createCaseWorker), else the SDK's defaults
  const worker = await Worker.create({
    connection: nativeConnection,
    namespace,
    taskQueue,
    workflowBundle,
    activities: createFloorActivities(opts.db),
    stickyQueueScheduleToStartTimeout: '2 seconds',
    dataConverter,
  });
  const running = worker.run();

  const connection = await Connection.connect({ address: opts.address });
  const client = new Client({ connection, namespace, dataConverter });

  async function open(body: Omit<FloorInput, 'caseId'>) {
    const caseId = randomUUID();
    const startWorkflowOperation = new WithStartWorkflowOperation(floorCase, {
      workflowId: floorWorkflowId(caseId),
      taskQueue,
      args: [{ caseId, ...body }],
      workflowTaskTimeout: '3 seconds',
      workflowIdConflictPolicy: 'USE_EXISTING',
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
    });
    return client.workflow.executeUpdateWithStart(stepUpdate, { args: ['open'], startWorkflowOperation });
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        try {
          const body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {};
          const parts = (req.url ?? '').split('/').filter(Boolean);
          let out: unknown;
          if (req.method === 'POST' && parts.length === 1 && parts[0] === 'cases') {
            out = await open({ burst: body.burst === true, followUpDelayMs: body.followUpDelayMs });
          } else if (req.method === 'POST' && parts.length === 3 && parts[0] === 'cases' && parts[2] === 'arm') {
            await client.workflow.getHandle(floorWorkflowId(parts[1]!)).signal(armSignal, Number(body.deadlineAt));
            out = { armed: true };
          } else if (req.method === 'POST' && parts.length === 3 && parts[0] === 'cases') {
            out = await client.workflow.getHandle(floorWorkflowId(parts[1]!)).executeUpdate(stepUpdate, { args: [parts[2]!] });
          } else {
            res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
            return;
          }
          const json = JSON.stringify(out);
          res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(json) }).end(json);
        } catch (err) {
          const json = JSON.stringify({ error: (err as Error).message });
          if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
          res.end(json);
        }
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    client,
    taskQueue,
    async stop() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
      worker.shutdown();
      await running;
      await connection.close();
      await nativeConnection.close();
    },
  };
}
