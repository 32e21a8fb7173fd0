/**
 * The two sides the bench drives the same way: the product over its real API (real bearer tokens
 * from the stack's OpenID provider) and the floor over its bare HTTP front. Both are polled for
 * the follow-up stage the same way (one indexed SELECT through the same Prisma client) and both
 * count a case closed when its workflow has closed.
 */
import { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createCatalogueStore } from '../../src/catalogue-store';
import { DEMO } from '../../src/db/seed';
import { caseWorkflowId } from '../../src/workflows/definitions';
import { type Stack, startStack } from '../../tests/helpers/stack';
import { testCodec } from '../../tests/helpers/secrets';
import { type Floor, floorWorkflowId, startFloor } from '../floor/server';
import { FLOOR_TABLE } from '../floor/activities';
import { type Answer, ok, postJson } from './http';
import { sleep } from './stats';

export type Step = 'acknowledge' | 'propose' | 'approve' | 'follow-up';

export interface Opened {
  id: string;
  ms: number;
  /** the response deadline (epoch ms), when the side has one */
  deadlineAt?: number;
}

export interface Side {
  name: 'product' | 'floor';
  /** opens case i (buildings rotate); `burst` opens it on the burst's catalogue item / as a burst case */
  open(i: number, opts?: { burst?: boolean }): Promise<Opened>;
  /** one steward action; returns its HTTP round trip, ms */
  act(id: string, step: Step): Promise<number>;
  /** whether the read model shows the follow-up as due (the delay's timer fired and was written) */
  followUpDue(id: string): Promise<boolean>;
  /** ends a case still open (the enterprise withdraws it / the floor's close step), untimed clean-up */
  finish(id: string): Promise<void>;
  workflowId(id: string): string;
}

/** One connection that only watches: both sides' "closed" is observed through it alike. */
export class Observer {
  private constructor(readonly connection: Connection) {}
  static async connect(address: string) {
    return new Observer(await Connection.connect({ address }));
  }
  /** resolves when the workflow has closed (a long poll for its close event, payloads not decoded) */
  async closed(workflowId: string, namespace = 'default'): Promise<void> {
    for (;;) {
      const res = await this.connection.workflowService.getWorkflowExecutionHistory({
        namespace,
        execution: { workflowId },
        waitNewEvent: true,
        historyEventFilterType: temporal.api.enums.v1.HistoryEventFilterType.HISTORY_EVENT_FILTER_TYPE_CLOSE_EVENT,
        skipArchival: true,
      });
      if (res.history?.events?.length) return;
    }
  }
  async terminate(workflowIds: string[], namespace = 'default') {
    await Promise.all(
      workflowIds.map((workflowId) =>
        this.connection.workflowService.terminateWorkflowExecution({ namespace, workflowExecution: { workflowId }, reason: 'bench clean-up' }).catch(() => undefined),
      ),
    );
  }
  close() {
    return this.connection.close();
  }
}

const s = (value: number) => ({ value, unit: 'seconds' as const });
export const BURST_CATEGORY = 'quick_test';

export interface ProductSide extends Side {
  stack: Stack;
  /**
   * Sets the burst item's response deadline to `seconds`; later levels get a day, so nothing else
   * fires. Its warning comes at 5 % of the window (the catalogue's 75 % would put 500 warnings in
   * the middle of the deadline burst, which a real one-day window never does: there they fall
   * hours earlier); so the warnings still cost what they cost, during the opening instead.
   */
  setBurstResponse(seconds: number): Promise<void>;
  stop(): Promise<void>;
}

/** The product's real parts (tests/helpers/stack.ts) with its real Express app on a port. */
export async function startProduct(followUpDelayS = 1): Promise<ProductSide> {
  const stack = await startStack();
  const catalogue = createCatalogueStore(stack.db);
  // the 回访 comes a second after approval, so a case closes within the bench
  await catalogue.change('other', { policy: { followUpDelay: s(followUpDelayS) } }, 'bench');
  const server: Server = stack.app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`;

  // tokens from the provider, renewed well before they expire (an hour) for long --full runs
  const tokens = new Map<string, { header: string; at: number }>();
  async function bearer(subject: string): Promise<string> {
    const t = tokens.get(subject);
    if (t && Date.now() - t.at < 30 * 60_000) return t.header;
    const header = `Bearer ${await stack.idp.userToken(subject)}`;
    tokens.set(subject, { header, at: Date.now() });
    return header;
  }
  for (const u of DEMO.users) await bearer(u.subject);

  const enterpriseUser = (code: string) => DEMO.users.find((u) => u.roles.some((r) => r.role === 'enterprise' && r.scopeId === code))!.subject;
  const buildingOf = new Map<string, (typeof DEMO.buildings)[number]>();
  const call = async (what: string, path: string, who: string, body: unknown): Promise<Answer> => ok(what, await postJson(`${base}${path}`, body, { authorization: await bearer(who) }));

  return {
    name: 'product',
    stack,
    async open(i, opts = {}) {
      const b = DEMO.buildings[i % DEMO.buildings.length]!;
      const e = DEMO.enterprises.find((x) => x.buildingId === b.id)!;
      const a = await call('open', '/cases', enterpriseUser(e.creditCode), {
        buildingId: b.id,
        enterprise: { creditCode: e.creditCode },
        category: opts.burst ? BURST_CATEGORY : 'other',
        title: `基准诉求 ${i}`,
        description: '基准测试',
        contact: { name: '测试', phone: '13900000000' },
      });
      const id = a.body.caseId as string;
      buildingOf.set(id, b);
      const due = Date.parse(a.body?.deadlines?.responseDueAt);
      return { id, ms: a.ms, ...(Number.isFinite(due) ? { deadlineAt: due } : {}) };
    },
    async act(id, step) {
      const b = buildingOf.get(id)!;
      const body = step === 'propose' ? { text: '已解决' } : step === 'follow-up' ? { satisfaction: 'satisfied' } : {};
      return (await call(step, `/cases/${id}/${step}`, b.pointStewardId, body)).ms;
    },
    async followUpDue(id) {
      const rows = await stack.db.$queryRawUnsafe<{ stage: string }[]>('SELECT stage FROM "Case" WHERE id = ?', id);
      return rows[0]?.stage === 'follow_up';
    },
    async finish(id) {
      const b = buildingOf.get(id)!;
      const e = DEMO.enterprises.find((x) => x.buildingId === b.id)!;
      await call('withdraw', `/cases/${id}/withdraw`, enterpriseUser(e.creditCode), { reason: '基准测试结束' });
    },
    workflowId: caseWorkflowId,
    async setBurstResponse(seconds) {
      const day = s(86_400);
      await catalogue.change(
        BURST_CATEGORY,
        { policy: { response: s(seconds), urgentResponse: s(seconds), resolution: day, escalation: { 2: day, 3: day }, followUpDelay: s(1), followUpWindow: day, warnAt: 0.05 } },
        'bench',
      );
    },
    async stop() {
      const closed = new Promise((r) => server.close(r));
      server.closeAllConnections();
      await closed;
      await stack.stop();
    },
  };
}

export interface FloorSide extends Side {
  floor: Floor;
  /** sets a burst case's deadline */
  arm(id: string, deadlineAt: number): Promise<void>;
  stop(): Promise<void>;
}

/** The floor on the product's dev server and database, in this process. */
export async function startFloorSide(stack: Stack, followUpDelayMs = 1000): Promise<FloorSide> {
  const floor = await startFloor({ address: stack.address, db: stack.db, codec: testCodec() });
  const call = async (what: string, path: string, body: unknown) => ok(what, await postJson(`${floor.url}${path}`, body));
  return {
    name: 'floor',
    floor,
    async open(_i, opts = {}) {
      const a = await call('open', '/cases', opts.burst ? { burst: true } : { followUpDelayMs });
      return { id: a.body.caseId as string, ms: a.ms };
    },
    async arm(id, deadlineAt) {
      await call('arm', `/cases/${id}/arm`, { deadlineAt });
    },
    async act(id, step) {
      return (await call(step, `/cases/${id}/${step}`, {})).ms;
    },
    async followUpDue(id) {
      const rows = await stack.db.$queryRawUnsafe<{ seq: number }[]>(`SELECT seq FROM ${FLOOR_TABLE} WHERE case_id = ? AND step = ?`, id, 'follow_up_due');
      return rows.length > 0;
    },
    async finish(id) {
      await call('close', `/cases/${id}/close`, {});
    },
    workflowId: floorWorkflowId,
    stop: () => floor.stop(),
  };
}

/**
 * One case open → closed, the same on both sides: open, acknowledge, propose, approve, the
 * follow-up delay (waited out, then the read model polled every 25 ms), follow-up, and the
 * workflow's close. Returns each step's HTTP time.
 */
export async function runCase(side: Side, observer: Observer, i: number, followUpDelayMs: number): Promise<Record<string, number>> {
  const ms: Record<string, number> = {};
  const opened = await side.open(i);
  ms.open = opened.ms;
  for (const step of ['acknowledge', 'propose', 'approve'] as const) ms[step] = await side.act(opened.id, step);
  await sleep(followUpDelayMs);
  const t = performance.now();
  while (!(await side.followUpDue(opened.id))) {
    if (performance.now() - t > 30_000) throw new Error(`${side.name} case ${opened.id}: follow-up never became due`);
    await sleep(25);
  }
  ms['follow-up'] = await side.act(opened.id, 'follow-up');
  await observer.closed(side.workflowId(opened.id));
  return ms;
}
