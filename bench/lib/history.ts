/**
 * Figure 5, history per case, product only: a typical dispatched case and a case that has sent
 * ten 督办 reminders, each driven over the product's real API with its real worker, activities,
 * SQLite read model and payload codec, on the time-skipping test server (reminders come a working
 * day apart; the server skips the days). The wiring is tests/helpers/stack.ts's, with the
 * time-skipping server in place of the dev server.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { bundleWorkflowCode } from '@temporalio/worker';
import { createApp } from '../../src/api/app';
import { createTokenVerifier } from '../../src/auth/verify';
import { loadCatalogue } from '../../src/catalogue-file';
import { createCatalogueStore } from '../../src/catalogue-store';
import { createDb } from '../../src/db/client';
import { migrateDeploy } from '../../src/db/migrate';
import { DEMO, DEMO_PASSWORD, seedDemo } from '../../src/db/seed';
import { silentLogger } from '../../src/logger';
import { createCaseWorker, createTemporalClient } from '../../src/runtime';
import { caseWorkflowId } from '../../src/workflows/definitions';
import { spawnIdp } from '../../tests/helpers/idp';
import { testCodec, testSecrets } from '../../tests/helpers/secrets';
import { AUDIENCE, recordingChannel } from '../../tests/helpers/stack';
import { createTimeSkippingEnv } from '../../tests/helpers/temporal';
import { ok, postJson } from './http';
import { sleep, waitUntil } from './stats';

const History = temporal.api.history.v1.History;
const EventType = temporal.api.enums.v1.EventType;

export interface HistoryFigure {
  /** history events, all runs of the case */
  events: number;
  /** `History.encode(h).finish().length` as the server holds it (payloads sealed by the product's codec) */
  storedBytes: number;
  /** the same with every payload decoded by the codec: what the case actually carries */
  plainBytes: number;
  /** the largest decoded payload (bytes of its data) and where it is */
  largestPayload: { bytes: number; where: string };
  /** largest decoded Update result and activity input, bytes */
  largestUpdateResult: number;
  largestActivityInput: number;
  runs: number;
  /** events by type (and activity, update or marker name), most frequent first: where the count comes from */
  byType: Record<string, number>;
  /** what the scenario actually reached (e.g. the reminders sent) */
  note: string;
}

const isPayload = (v: unknown): v is Payload =>
  !!v && typeof v === 'object' && (v as Payload).data instanceof Uint8Array && typeof (v as Payload).metadata === 'object' && (v as Payload).metadata !== null;

/** Every payload in a value, with the place to put its decoded form back. */
function payloadsIn(value: unknown, found: { holder: Record<string, unknown> | unknown[]; key: string | number }[] = []) {
  if (!value || typeof value !== 'object' || value instanceof Uint8Array) return found;
  const entries: [string | number, unknown][] = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value);
  for (const [key, child] of entries) {
    if (isPayload(child)) found.push({ holder: value as Record<string, unknown>, key });
    else payloadsIn(child, found);
  }
  return found;
}

/** Measures a case's history (every run, following continue-as-new back to the first). */
export async function measureHistory(client: Client, codec: PayloadCodec, workflowId: string): Promise<Omit<HistoryFigure, 'note'>> {
  const histories: temporal.api.history.v1.IHistory[] = [];
  let runId: string | undefined;
  for (;;) {
    const h = await client.workflow.getHandle(workflowId, runId).fetchHistory();
    histories.unshift(h);
    runId = h.events?.[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId || undefined;
    if (!runId) break;
  }
  let events = 0;
  let storedBytes = 0;
  let plainBytes = 0;
  let largest = { bytes: 0, where: '' };
  let largestUpdateResult = 0;
  let largestActivityInput = 0;
  const byType = new Map<string, number>();
  for (const h of histories) {
    events += h.events?.length ?? 0;
    storedBytes += History.encode(h).finish().length;
    const updateNames = new Map<string, string>();
    for (const e of h.events ?? []) {
      const accepted = e.workflowExecutionUpdateAcceptedEventAttributes;
      if (accepted?.acceptedRequest?.meta?.updateId) updateNames.set(accepted.acceptedRequest.meta.updateId, accepted.acceptedRequest.input?.name ?? '?');
    }
    for (const e of h.events ?? []) {
      const type = EventType[e.eventType ?? 0] ?? String(e.eventType);
      const label =
        e.activityTaskScheduledEventAttributes?.activityType?.name ??
        e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name ??
        (e.workflowExecutionUpdateCompletedEventAttributes?.meta?.updateId ? updateNames.get(e.workflowExecutionUpdateCompletedEventAttributes.meta.updateId) : undefined) ??
        e.markerRecordedEventAttributes?.markerName ??
        '';
      const kind = `${type.replace(/^EVENT_TYPE_/, '').toLowerCase()}${label ? ` ${label}` : ''}`;
      byType.set(kind, (byType.get(kind) ?? 0) + 1);
      for (const { holder, key } of payloadsIn(e)) {
        const [decoded] = await codec.decode([(holder as Record<string | number, Payload>)[key]!]);
        (holder as Record<string | number, Payload>)[key] = decoded!;
        const bytes = decoded!.data?.length ?? 0;
        if (bytes > largest.bytes) largest = { bytes, where: kind };
        if (e.workflowExecutionUpdateCompletedEventAttributes) largestUpdateResult = Math.max(largestUpdateResult, bytes);
        if (e.activityTaskScheduledEventAttributes) largestActivityInput = Math.max(largestActivityInput, bytes);
      }
    }
    plainBytes += History.encode(h).finish().length;
  }
  const sorted = Object.fromEntries([...byType].sort((a, b) => b[1] - a[1]));
  return { events, storedBytes, plainBytes, largestPayload: largest, largestUpdateResult, largestActivityInput, runs: histories.length, byType: sorted };
}

const quiet = { trace() {}, debug() {}, info() {}, warn() {}, error: console.error, log() {} } as never;

/** The product on the time-skipping server: its worker, client, API (on a port) and read model. */
async function startTimeSkippingProduct() {
  const env = await createTimeSkippingEnv();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'steward-bench-history-'));
  const databaseUrl = `file:${path.join(dir, 'bench.db')}`;
  await migrateDeploy(databaseUrl);
  const db = createDb(databaseUrl);
  await seedDemo(db);
  await createCatalogueStore(db).seed(loadCatalogue());
  const codec = testCodec();
  const secrets = testSecrets();
  const target = { address: env.address, namespace: 'default', payloadCodec: codec };
  const taskQueue = 'bench-history';
  const workflowBundle = await bundleWorkflowCode({ workflowsPath: require.resolve('../../src/workflows'), logger: quiet });
  const { worker, connection } = await createCaseWorker({ db, logger: silentLogger, target, taskQueue, secrets, channels: { log: recordingChannel().channel }, workflowBundle });
  const running = worker.run();
  const { client, connection: clientConnection } = createTemporalClient(target);
  const idp = await spawnIdp({ audience: AUDIENCE, users: DEMO.users.map(({ subject, name }) => ({ subject, name })), password: DEMO_PASSWORD });
  const verifier = createTokenVerifier({ issuer: idp.issuer, audience: AUDIENCE, clockToleranceS: 0 });
  const app = createApp({ db, temporal: client, taskQueue, logger: silentLogger, verifier, secrets, codec, quietHours: false, actionWaitMs: 10_000, rateLimitPerMinute: 10_000 });
  const server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`;
  const tokens = new Map<string, string>();
  const post = async (what: string, url: string, who: string, body: unknown) => {
    if (!tokens.has(who)) tokens.set(who, `Bearer ${await idp.userToken(who)}`);
    return ok(what, await postJson(`${base}${url}`, body, { authorization: tokens.get(who)! })).body;
  };
  const stageOf = async (caseId: string) => (await db.$queryRawUnsafe<{ stage: string }[]>('SELECT stage FROM "Case" WHERE id = ?', caseId))[0]?.stage;
  const eventsOf = async (caseId: string, type: string) => Number((await db.$queryRawUnsafe<{ n: number | bigint }[]>('SELECT count(*) AS n FROM "CaseEvent" WHERE "caseId" = ? AND type = ?', caseId, type))[0]?.n ?? 0);
  /** waits until the case's workflow has closed (polling describe: awaiting its result would skip time) */
  const closed = async (caseId: string) => {
    const h = client.workflow.getHandle(caseWorkflowId(caseId));
    if (!(await waitUntil(async () => (await h.describe()).status.name !== 'RUNNING', 60_000, 100))) throw new Error(`history case ${caseId} did not close`);
  };
  return {
    env,
    client,
    codec,
    post,
    stageOf,
    eventsOf,
    closed,
    async stop() {
      const done = new Promise((r) => server.close(r));
      server.closeAllConnections();
      await done;
      worker.shutdown();
      await running;
      await Promise.all([connection.close(), clientConnection.close()]);
      await db.$disconnect();
      await idp.stop();
      await env.teardown();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const ENTERPRISE = DEMO.enterprises[0]!; // bld-tianan's
const ENTERPRISE_USER = DEMO.users.find((u) => u.roles.some((r) => r.role === 'enterprise' && r.scopeId === ENTERPRISE.creditCode))!.subject;
const POINT = DEMO.buildings.find((b) => b.id === ENTERPRISE.buildingId)!.pointStewardId;
const DEPARTMENT = 'dept-market';
const DEPARTMENT_USER = DEMO.users.find((u) => u.roles.some((r) => r.role === 'department_staff' && r.scopeId === DEPARTMENT))!.subject;

const openBody = (title: string) => ({
  buildingId: ENTERPRISE.buildingId,
  enterprise: { creditCode: ENTERPRISE.creditCode },
  category: 'other',
  title,
  description: '员工停车困难，希望协调周边停车资源。',
  contact: { name: ENTERPRISE.contactName, phone: ENTERPRISE.contactPhone },
});

export interface HistoryResult {
  dispatched: HistoryFigure;
  reminders: HistoryFigure;
}

/**
 * One repetition of both scenarios on a fresh time-skipping server.
 *  dispatched: open, acknowledge, dispatch to a lead department, the department accepts and replies
 *    (a lead department's reply is the proposal), approve, the follow-up delay (1 working day), 回访.
 *  reminders: open, nobody acts: 点楼长 → 分楼长 → 总楼长, then 督办 reminders every working day
 *    until the tenth, then the enterprise withdraws the case.
 */
export async function historyRep(reminders = 10): Promise<HistoryResult> {
  const p = await startTimeSkippingProduct();
  try {
    const a = (await p.post('open', '/cases', ENTERPRISE_USER, openBody('园区停车位不足'))).caseId as string;
    await p.post('acknowledge', `/cases/${a}/acknowledge`, POINT, {});
    await p.post('dispatch', `/cases/${a}/dispatch`, POINT, { departmentId: DEPARTMENT });
    await p.post('department-accept', `/cases/${a}/department-accept`, DEPARTMENT_USER, {});
    await p.post('department-reply', `/cases/${a}/department-reply`, DEPARTMENT_USER, { text: '已核查，已协调周边停车场提供车位' });
    await p.post('approve', `/cases/${a}/approve`, POINT, {});
    for (let i = 0; (await p.stageOf(a)) !== 'follow_up'; i++) {
      if (i > 20) throw new Error(`history: case ${a} never reached follow_up (stage ${await p.stageOf(a)})`);
      await p.env.sleep('1 day');
      await sleep(200);
    }
    await p.post('follow-up', `/cases/${a}/follow-up`, POINT, { satisfaction: 'satisfied' });
    await p.closed(a);
    const dispatched = { ...(await measureHistory(p.client, p.codec, caseWorkflowId(a))), note: 'open, acknowledge, dispatch, department accept + reply, approve, follow-up' };

    const b = (await p.post('open', '/cases', ENTERPRISE_USER, openBody('园区道路积水'))).caseId as string;
    let sent = 0;
    for (let i = 0; (sent = await p.eventsOf(b, 'overdue_reminder')) < reminders; i++) {
      if (i > 200) throw new Error(`history: case ${b} sent only ${sent} reminders`);
      // 8 h steps: two reminders a working day apart can never fall into one step
      await p.env.sleep('8 hours');
      await sleep(150);
    }
    await p.post('withdraw', `/cases/${b}/withdraw`, ENTERPRISE_USER, { reason: '已自行解决' });
    await p.closed(b);
    const escalations = await p.eventsOf(b, 'escalated');
    const remindersFigure = { ...(await measureHistory(p.client, p.codec, caseWorkflowId(b))), note: `${escalations} escalations, ${sent} reminders, withdrawn` };
    return { dispatched, reminders: remindersFigure };
  } finally {
    await p.stop();
  }
}
