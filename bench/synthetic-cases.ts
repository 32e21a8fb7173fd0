/**
 * A synthetic read model for list benchmarks and tests: a district of 4 towns, 20 areas, 500
 * buildings and 200 stewards (4 总楼长, 20 分楼长, 176 点楼长), 24 departments, and `rows` cases with
 * their CaseSteward and DepartmentTask rows, written with raw SQL (SQLite: one transaction of
 * prepared statements; PostgreSQL: INSERT … SELECT FROM unnest(arrays) in batches).
 *
 * The distribution: cases opened evenly over `spanMs` up to `now` (busier buildings get more),
 * 0.8 % open (the newest, and a few stuck older ones), of the open ones ~6 % flagged overdue
 * (escalated to 分楼长/总楼长), ~5 % flagged at risk, and a few past a deadline or warning point
 * the worker has not flagged yet (the clock-derived lists); 3 % of closed cases escalated;
 * 0.5 % reassigned to another 点楼长 of the town and 1 % of older ones owned by a 点楼长 who no
 * longer holds the building (both are "owned elsewhere" for the scope); 35 % dispatched to a
 * department (a tenth with an assisting one). Each row has a snapshot of realistic size (~3 KB,
 * shaped like the workflow's state, so GET /api/cases/:id answers from it).
 *
 * Every value derives from the row number and the seed: the same options give the same rows on
 * both databases.
 */
import Database from 'better-sqlite3';
import pg from 'pg';
import { providerOf, sqlitePath } from '../src/db/client';
import { caseMeasures } from '../src/domain/measures';
import type { CaseSnapshot } from '../src/activities/persistence';

export interface SyntheticOptions {
  rows: number;
  /** the newest case is opened just before this (default: now) */
  now?: Date;
  /** cases are opened over this span before `now` (default 3 years) */
  spanMs?: number;
  /** openedAt is rounded to this many ms: larger makes ties on the sort key (default 1000) */
  quantumMs?: number;
  seed?: number;
  /** share of cases still open (default 0.008): the newest ones, and a few older ones */
  openShare?: number;
  /** called with rows written so far */
  progress?: (written: number) => void;
}

export const TOWNS = 4;
export const AREAS_PER_TOWN = 5;
export const BUILDINGS_PER_AREA = 25;
export const POINTS_PER_AREA = [9, 9, 9, 9, 8] as const; // 176 点楼长 in each town's 5 areas… ×4 towns
export const DEPARTMENTS_PER_TOWN = 6;

const townId = (t: number) => `syn-town-${t}`;
const areaId = (a: number) => `syn-area-${a}`; // a: 0..19, town = floor(a / 5)
const buildingId = (b: number) => `syn-bld-${b}`; // b: 0..499, area = floor(b / 25)
const chiefId = (t: number) => `syn-chief-${t}`;
const areaStewardId = (a: number) => `syn-area-stw-${a}`;
const pointId = (a: number, k: number) => `syn-point-${a}-${k}`;
const departmentId = (t: number, k: number) => `syn-dept-${t}-${k}`;
const pointOf = (b: number) => {
  const a = Math.floor(b / BUILDINGS_PER_AREA);
  return pointId(a, (b % BUILDINGS_PER_AREA) % POINTS_PER_AREA[a % AREAS_PER_TOWN]!);
};

/** Who the bench and tests sign in as (local IdP subjects), and what the directory grants them. */
export const SYNTHETIC_USERS = [
  { subject: 'syn-inspector', name: '区督查室', role: 'manager', scopeId: null },
  { subject: 'syn-manager-1', name: '一街道督查', role: 'manager', scopeId: townId(1) },
  { subject: 'syn-chief-1', name: '一街道总楼长', role: 'steward', scopeId: chiefId(1) },
  { subject: 'syn-area-7', name: '七园区分楼长', role: 'steward', scopeId: areaStewardId(7) },
  { subject: 'syn-point-7-3', name: '七园区点楼长三', role: 'steward', scopeId: pointId(7, 3) },
  { subject: 'syn-point-12-0', name: '十二园区点楼长', role: 'steward', scopeId: pointId(12, 0) },
  { subject: 'syn-staff-1-2', name: '一街道部门科员', role: 'department_staff', scopeId: departmentId(1, 2) },
] as const;
export const SYN = { townId, areaId, buildingId, chiefId, areaStewardId, pointId, departmentId, pointOf };

const ALPHABET = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ';
const CATEGORIES = ['outdoor_promotion', 'business_license', 'tax_invoice', 'fire_safety', 'parking', 'signage', 'labour', 'talent_housing', 'property', 'other'];
const OPEN_STAGES = [['assigned', 15], ['acknowledged', 20], ['in_progress', 40], ['pending_approval', 10], ['resolved', 5], ['follow_up', 10]] as const;
const CLOSED_STAGES = [['closed', 85], ['closed_no_feedback', 8], ['rejected', 4], ['withdrawn', 3]] as const;
const DAY = 86_400_000;
const HOUR = 3_600_000;

/** A small, fast, seedable PRNG (mulberry32) for one row: the same row number gives the same row. */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const pick = <T>(r: number, table: readonly (readonly [T, number])[]): T => {
  let x = r * table.reduce((s, [, w]) => s + w, 0);
  for (const [v, w] of table) if ((x -= w) < 0) return v;
  return table.at(-1)![0];
};

/** Prisma's DateTime as the SQLite adapter writes it (ISO text, ms, +00:00), so text order is time order. */
const sqliteDate = (ms: number) => new Date(ms).toISOString().replace('Z', '+00:00');

export interface CaseRow {
  id: string;
  townId: string;
  areaId: string;
  buildingId: string;
  enterpriseId: string;
  category: string;
  urgency: string;
  title: string;
  description: string;
  contactName: string;
  contactPhone: string;
  stage: string;
  outcome: string | null;
  satisfaction: string | null;
  ownerLevel: number;
  ownerStewardId: string;
  departmentId: string | null;
  responseDueAt: number;
  resolutionDueAt: number;
  currentDueAt: number | null;
  currentWarnAt: number | null;
  overdue: boolean;
  overdueSince: number | null;
  atRisk: boolean;
  paused: boolean;
  escalations: number;
  openedAt: number;
  acknowledgedAt: number | null;
  resolvedAt: number | null;
  closedAt: number | null;
  version: number;
  updatedAt: number;
  snapshot: string;
  // the measures' facts (src/domain/measures.ts), as the persistence activity writes them
  respondedAt: number | null;
  responseSettledAt: number | null;
  responseOnTime: boolean;
  resolvedOnTime: boolean;
  resolutionSettledAt: number | null;
  followUpAt: number | null;
  ackWorkingMs: number | null;
  resolveWorkingMs: number | null;
  escalationsToArea: number;
  escalationsToChief: number;
  stewards: string[];
  tasks: { no: number; departmentId: string; role: string; status: string; dispatchedAt: number; dueAt: number; overdue: boolean; overdueSince: number | null }[];
}

/** The i-th case of a synthetic read model of `n` rows. */
export function syntheticCase(i: number, n: number, o: Resolved): CaseRow {
  const r = rng(o.seed * 1_000_003 + i);
  const opened = Math.floor((o.now - o.spanMs + ((i + r()) * o.spanMs) / n) / o.quantumMs) * o.quantumMs;
  // busier buildings: a mild skew over 500
  const b = Math.min(499, Math.floor(500 * r() ** 1.3));
  const a = Math.floor(b / BUILDINGS_PER_AREA);
  const t = Math.floor(a / AREAS_PER_TOWN);
  const tail = ((Math.imul(i, 0x9e3779b1) >>> 0) + o.seed) % 2 ** 30;
  let tailText = '';
  for (let k = 0, v = tail; k < 6; k++, v = Math.floor(v / 32)) tailText = ALPHABET[v % 32] + tailText;
  const id = `C${new Date(opened + 8 * HOUR).toISOString().slice(0, 10).replace(/-/g, '')}-${tailText}`;
  const open = i >= n - Math.max(1, Math.round(n * o.openShare)) || r() < 0.0005;
  const stage = open ? pick(r(), OPEN_STAGES) : pick(r(), CLOSED_STAGES);
  const unresolved = ['assigned', 'acknowledged', 'in_progress', 'pending_approval'].includes(stage);
  const chain = [pointOf(b), areaStewardId(a), chiefId(t)];
  const stewards = new Set<string>();
  // a former 点楼长 of the building (directory change), or a reassignment to another 点楼长 of the town
  const former = i < n / 2 && r() < 0.01;
  const reassigned = r() < 0.005;
  const otherPoint = pointId(t * AREAS_PER_TOWN + Math.floor(r() * AREAS_PER_TOWN), Math.floor(r() * 8));
  if (former) stewards.add(otherPoint);
  else stewards.add(chain[0]!);
  let level = 1;
  let owner = former ? otherPoint : chain[0]!;
  if (reassigned && !former && otherPoint !== chain[0]) {
    owner = otherPoint;
    stewards.add(owner);
  }
  let overdue = false;
  let overdueSince: number | null = null;
  let atRisk = false;
  let dueAt: number | null = null;
  let warnAt: number | null = null;
  let paused = false;
  const u = r();
  if (open && unresolved) {
    paused = stage === 'in_progress' && r() < 0.03;
    if (u < 0.06) {
      // escalated past a missed deadline: overdue since then, a new window at the next level
      level = r() < 0.7 ? 2 : 3;
      overdue = true;
      overdueSince = Math.max(opened + HOUR, o.now - Math.floor(r() * 5 * DAY) - HOUR);
      dueAt = o.now + Math.floor((r() - 0.3) * 2 * DAY);
    } else if (u < 0.065) {
      dueAt = o.now - Math.floor(r() * 6 * HOUR) - 60_000; // past, not yet flagged (a lagging worker)
      warnAt = dueAt - 2 * HOUR;
    } else if (u < 0.115) {
      atRisk = true;
      dueAt = o.now + Math.floor(r() * 8 * HOUR) + 60_000;
      warnAt = o.now - Math.floor(r() * 2 * HOUR) - 60_000;
    } else if (u < 0.12) {
      dueAt = o.now + Math.floor(r() * 8 * HOUR) + 60_000; // past the warning point, not yet flagged
      warnAt = o.now - Math.floor(r() * HOUR) - 60_000;
    } else {
      // the worker flags a case at its warning point: an unflagged one has not reached it
      dueAt = o.now + Math.floor(r() * 5 * DAY) + 4 * HOUR;
      warnAt = o.now + Math.floor((dueAt - o.now) * 0.75);
    }
  } else if (open) {
    dueAt = o.now + Math.floor(r() * 5 * DAY) + HOUR; // follow-up windows: no warning
  } else if (r() < 0.035) {
    level = r() < 0.85 ? 2 : 3;
  }
  if (level >= 2 && !(reassigned && owner !== chain[0])) owner = chain[level - 1]!;
  for (let l = 2; l <= level; l++) stewards.add(chain[l - 1]!);
  if (level >= 2) stewards.add(owner);
  const closedAt = open ? null : opened + Math.floor((1 + r() * 9) * DAY);
  const tasks: CaseRow['tasks'] = [];
  if (r() < 0.35 && stage !== 'assigned' && stage !== 'rejected') {
    const lead = Math.floor(r() * DEPARTMENTS_PER_TOWN);
    const dispatchedAt = opened + Math.floor(r() * DAY);
    const taskDue = dispatchedAt + 5 * DAY;
    const openTask = open && (stage === 'in_progress' || stage === 'acknowledged');
    const late = openTask && taskDue <= o.now;
    const status = openTask ? (r() < 0.5 ? 'dispatched' : 'accepted') : r() < 0.9 ? 'replied' : 'closed';
    const flagged = late && r() < 0.7;
    tasks.push({ no: 0, departmentId: departmentId(t, lead), role: 'lead', status, dispatchedAt, dueAt: taskDue, overdue: flagged, overdueSince: flagged ? taskDue : null });
    if (r() < 0.1) {
      const assist = (lead + 1 + Math.floor(r() * (DEPARTMENTS_PER_TOWN - 1))) % DEPARTMENTS_PER_TOWN;
      tasks.push({ no: 1, departmentId: departmentId(t, assist), role: 'assist', status: openTask ? 'dispatched' : 'replied', dispatchedAt, dueAt: taskDue, overdue: false, overdueSince: null });
    }
  }
  const category = CATEGORIES[Math.floor(r() * CATEGORIES.length)]!;
  const urgency = r() < 0.1 ? 'urgent' : 'normal';
  const enterpriseId = `SYN${String(b).padStart(3, '0')}E${String(Math.floor(r() * 40)).padStart(2, '0')}`;
  const responseDueAt = opened + 4 * HOUR;
  const resolutionDueAt = opened + 5 * DAY;
  const acknowledgedAt = stage === 'assigned' ? null : opened + Math.floor(r() * 3 * HOUR);
  const resolvedAt = ['resolved', 'follow_up'].includes(stage) || (!open && stage.startsWith('closed')) ? (closedAt ?? o.now) - HOUR : null;
  const outcome = open ? null : stage;
  const satisfaction = stage === 'closed' ? (r() < 0.9 ? 'satisfied' : 'basically_satisfied') : null;
  const row = {
    id,
    townId: townId(t),
    areaId: areaId(a),
    buildingId: buildingId(b),
    enterpriseId,
    category,
    urgency,
    title: `诉求 ${i}`,
    description: '企业反映的问题与诉求（合成数据）',
    contactName: '联系人',
    contactPhone: `139${String(i % 1e8).padStart(8, '0')}`,
    stage,
    outcome,
    satisfaction,
    ownerLevel: level,
    ownerStewardId: owner,
    departmentId: tasks[0]?.departmentId ?? null,
    responseDueAt,
    resolutionDueAt,
    currentDueAt: dueAt,
    currentWarnAt: warnAt,
    overdue,
    overdueSince,
    atRisk,
    paused,
    escalations: level - 1,
    openedAt: opened,
    acknowledgedAt,
    resolvedAt,
    closedAt,
    version: open ? 4 : 9,
    updatedAt: closedAt ?? o.now - Math.floor(r() * HOUR),
    stewards: [...stewards],
    tasks,
    snapshot: '',
    ...NOT_MEASURED,
  };
  Object.assign(row, measuresOf(row));
  row.snapshot = snapshotOf(row, chain);
  return row;
}

type Measured = Pick<CaseRow, 'respondedAt' | 'responseSettledAt' | 'responseOnTime' | 'resolvedOnTime' | 'resolutionSettledAt' | 'followUpAt' | 'ackWorkingMs' | 'resolveWorkingMs' | 'escalationsToArea' | 'escalationsToChief'>;
const NOT_MEASURED: Measured = {
  respondedAt: null,
  responseSettledAt: null,
  responseOnTime: false,
  resolvedOnTime: false,
  resolutionSettledAt: null,
  followUpAt: null,
  ackWorkingMs: null,
  resolveWorkingMs: null,
  escalationsToArea: 0,
  escalationsToChief: 0,
};

/** The facts the measures count, by the same function the persistence activity uses, on the row's own state. */
function measuresOf(c: Omit<CaseRow, 'snapshot'>): Measured {
  const m = caseMeasures({
    deadlines: { responseDueAt: iso(c.responseDueAt)!, resolutionDueAt: iso(c.resolutionDueAt)!, resolutionBaseDueAt: iso(c.resolutionDueAt)! },
    openedAt: iso(c.openedAt)!,
    acknowledgedAt: iso(c.acknowledgedAt),
    resolvedAt: iso(c.resolvedAt),
    closedAt: iso(c.closedAt),
    outcome: (c.outcome ?? undefined) as CaseSnapshot['outcome'],
    ...(c.paused ? { pause: { since: iso(c.updatedAt)!, reason: '待企业补充材料', by: { kind: 'steward', id: c.ownerStewardId } } } : {}),
    pauses: [],
    escalations: Array.from({ length: c.escalations }, (_, k) => ({ toLevel: (k + 2) as 2 | 3 })) as CaseSnapshot['escalations'],
    calendar: CALENDAR_OBJECT,
  } as unknown as CaseSnapshot);
  const ms = (d: Date | null) => (d ? d.getTime() : null);
  return {
    respondedAt: ms(m.respondedAt),
    responseSettledAt: ms(m.responseSettledAt),
    responseOnTime: m.responseOnTime,
    resolvedOnTime: m.resolvedOnTime,
    resolutionSettledAt: ms(m.resolutionSettledAt),
    // a closed case's 回访 answer was recorded as it closed
    followUpAt: c.satisfaction && c.closedAt !== null ? c.closedAt : null,
    ackWorkingMs: m.ackWorkingMs,
    resolveWorkingMs: m.resolveWorkingMs,
    escalationsToArea: m.escalationsToArea,
    escalationsToChief: m.escalationsToChief,
  };
}

const iso = (ms: number | null) => (ms === null ? undefined : new Date(ms).toISOString());
// the part of a state every case carries alike (policy and calendar), as the workflow writes it
const POLICY =
  '{"category":"%CAT%","categoryName":"合成事项","catalogueVersion":1,"departmentId":null,"response":{"value":4,"unit":"working_hours"},"urgentResponse":{"value":2,"unit":"working_hours"},"resolution":{"value":5,"unit":"working_days"},"escalation":{"2":{"value":1,"unit":"working_days"},"3":{"value":1,"unit":"working_days"}},"reminderEvery":{"value":1,"unit":"working_days"},"departmentReply":{"value":5,"unit":"working_days"},"followUpDelay":{"value":1,"unit":"working_days"},"followUpWindow":{"value":5,"unit":"working_days"},"warnAt":0.75,"extensionCap":{"value":30,"unit":"working_days"}}';
const CALENDAR = JSON.stringify({
  data: {
    source: 'chinese-days@1.5.7',
    years: [2026],
    holidays: ['2026-01-01', '2026-01-02', '2026-01-03', '2026-02-15', '2026-02-16', '2026-02-17', '2026-02-18', '2026-02-19', '2026-02-20', '2026-02-21', '2026-02-22', '2026-02-23', '2026-04-04', '2026-04-05', '2026-04-06', '2026-05-01', '2026-05-02', '2026-05-03', '2026-05-04', '2026-05-05', '2026-06-19', '2026-06-20', '2026-06-21', '2026-09-25', '2026-09-26', '2026-09-27', '2026-10-01', '2026-10-02', '2026-10-03', '2026-10-04', '2026-10-05', '2026-10-06', '2026-10-07'],
    workdays: ['2026-01-04', '2026-02-14', '2026-02-28', '2026-05-09', '2026-09-20', '2026-10-10'],
  },
  hours: { start: '09:00', end: '17:30', lunchStart: '12:00', lunchEnd: '13:30' },
});

const CALENDAR_OBJECT = JSON.parse(CALENDAR) as CaseSnapshot['calendar'];

function snapshotOf(c: Omit<CaseRow, 'snapshot'>, chain: string[]): string {
  const ref = (id: string, level: number) => ({ id, name: `楼长 ${id}`, level });
  const state = {
    caseId: c.id,
    parties: {
      building: { id: c.buildingId, name: `大厦 ${c.buildingId}`, areaId: c.areaId, townId: c.townId },
      enterprise: { id: c.enterpriseId, name: `企业 ${c.enterpriseId}`, creditCode: c.enterpriseId },
    },
    request: { category: c.category, urgency: c.urgency, title: c.title, description: c.description, contact: { name: c.contactName, phone: c.contactPhone } },
    policy: '%POLICY%',
    calendar: '%CALENDAR%',
    quietHours: true,
    chain: { 1: ref(chain[0]!, 1), 2: ref(chain[1]!, 2), 3: ref(chain[2]!, 3) },
    stage: c.stage,
    owner: ref(c.ownerStewardId, c.ownerLevel),
    openedAt: iso(c.openedAt),
    openedBy: { kind: 'enterprise', id: c.enterpriseId },
    deadlines: { responseDueAt: iso(c.responseDueAt), resolutionDueAt: iso(c.resolutionDueAt), resolutionBaseDueAt: iso(c.resolutionDueAt) },
    window: c.currentDueAt === null ? null : { step: c.stage === 'assigned' ? 'acknowledge' : 'resolve', level: c.ownerLevel, openedAt: iso(c.openedAt), dueAt: iso(c.currentDueAt), ...(c.currentWarnAt === null ? {} : { warnAt: iso(c.currentWarnAt) }), clock: 'working', warned: c.atRisk, reminding: false },
    atRisk: c.atRisk,
    overdue: c.overdue,
    ...(c.overdueSince === null ? {} : { overdueSince: iso(c.overdueSince) }),
    ...(c.paused ? { pause: { since: iso(c.updatedAt), reason: '待企业补充材料' } } : {}),
    breaches: {},
    pauses: [],
    extensions: [],
    tasks: c.tasks.map((t) => ({ no: t.no, departmentId: t.departmentId, departmentName: `部门 ${t.departmentId}`, role: t.role, status: t.status, dispatchedAt: iso(t.dispatchedAt), dueAt: iso(t.dueAt), overdueMs: 0, reminders: 0 })),
    escalations: [],
    reminders: 0,
    ...(c.acknowledgedAt === null ? {} : { acknowledgedAt: iso(c.acknowledgedAt) }),
    ...(c.resolvedAt === null ? {} : { resolvedAt: iso(c.resolvedAt) }),
    ...(c.closedAt === null ? {} : { closedAt: iso(c.closedAt) }),
    ...(c.outcome === null ? {} : { outcome: c.outcome }),
    ...(c.satisfaction === null ? {} : { satisfaction: c.satisfaction }),
  };
  return JSON.stringify(state).replace('"%POLICY%"', POLICY.replace('%CAT%', c.category)).replace('"%CALENDAR%"', CALENDAR);
}

/** The directory the cases name, and the people the bench and tests sign in as. */
function directoryRows(now: number) {
  const towns = Array.from({ length: TOWNS }, (_, t) => ({ id: townId(t), name: `合成街道${t}`, chiefStewardId: chiefId(t) }));
  const areas = Array.from({ length: TOWNS * AREAS_PER_TOWN }, (_, a) => ({ id: areaId(a), name: `合成园区${a}`, townId: townId(Math.floor(a / AREAS_PER_TOWN)), areaStewardId: areaStewardId(a) }));
  const stewards: { id: string; name: string; level: number; townId: string; areaId: string | null }[] = [];
  for (let t = 0; t < TOWNS; t++) stewards.push({ id: chiefId(t), name: `总楼长${t}`, level: 3, townId: townId(t), areaId: null });
  for (const a of areas) {
    const n = Number(a.id.split('-').pop());
    stewards.push({ id: areaStewardId(n), name: `分楼长${n}`, level: 2, townId: a.townId, areaId: a.id });
    for (let k = 0; k < POINTS_PER_AREA[n % AREAS_PER_TOWN]!; k++) stewards.push({ id: pointId(n, k), name: `点楼长${n}-${k}`, level: 1, townId: a.townId, areaId: a.id });
  }
  const buildings = Array.from({ length: TOWNS * AREAS_PER_TOWN * BUILDINGS_PER_AREA }, (_, b) => ({
    id: buildingId(b),
    name: `合成大厦${b}`,
    address: `合成路${b}号`,
    areaId: areaId(Math.floor(b / BUILDINGS_PER_AREA)),
    pointStewardId: pointOf(b),
  }));
  const departments = Array.from({ length: TOWNS * DEPARTMENTS_PER_TOWN }, (_, k) => ({
    id: departmentId(Math.floor(k / DEPARTMENTS_PER_TOWN), k % DEPARTMENTS_PER_TOWN),
    name: `合成部门${k}`,
    townId: townId(Math.floor(k / DEPARTMENTS_PER_TOWN)),
  }));
  const people = SYNTHETIC_USERS.map((u) => ({ id: `psn-${u.subject}`, subject: u.subject, name: u.name }));
  const grants = SYNTHETIC_USERS.map((u) => ({ personId: `psn-${u.subject}`, role: u.role, scopeId: u.scopeId }));
  return { towns, areas, stewards, buildings, departments, people, grants, createdAt: now };
}

const CASE_COLUMNS = [
  'id', 'workflowId', 'townId', 'areaId', 'buildingId', 'enterpriseId', 'category', 'urgency', 'title', 'description', 'contactName', 'contactPhone', 'stage', 'outcome',
  'satisfaction', 'ownerLevel', 'ownerStewardId', 'departmentId', 'responseDueAt', 'resolutionDueAt', 'currentDueAt', 'currentWarnAt', 'overdue', 'overdueSince', 'atRisk',
  'paused', 'calendarUnknown', 'catalogueVersion', 'escalations', 'reminders', 'openedAt', 'acknowledgedAt', 'resolvedAt', 'closedAt', 'version', 'snapshot', 'updatedAt',
  'respondedAt', 'responseSettledAt', 'responseOnTime', 'resolvedOnTime', 'resolutionSettledAt', 'followUpAt', 'ackWorkingMs', 'resolveWorkingMs', 'escalationsToArea', 'escalationsToChief', 'measured',
] as const;
const DATE_COLUMNS = new Set(['responseDueAt', 'resolutionDueAt', 'currentDueAt', 'currentWarnAt', 'overdueSince', 'openedAt', 'acknowledgedAt', 'resolvedAt', 'closedAt', 'updatedAt', 'respondedAt', 'responseSettledAt', 'resolutionSettledAt', 'followUpAt']);
const BOOL_COLUMNS = new Set(['overdue', 'atRisk', 'paused', 'calendarUnknown', 'responseOnTime', 'resolvedOnTime', 'measured']);
const INT_COLUMNS = new Set(['ownerLevel', 'catalogueVersion', 'escalations', 'reminders', 'version', 'ackWorkingMs', 'resolveWorkingMs', 'escalationsToArea', 'escalationsToChief']);

function columnValue(c: CaseRow, column: (typeof CASE_COLUMNS)[number]): unknown {
  switch (column) {
    case 'workflowId':
      return `case-${c.id}`;
    case 'calendarUnknown':
      return false;
    case 'catalogueVersion':
      return 1;
    case 'reminders':
      return 0;
    case 'measured':
      return true;
    default:
      return (c as unknown as Record<string, unknown>)[column];
  }
}

export interface SyntheticResult {
  rows: number;
  caseStewards: number;
  tasks: number;
  ms: number;
}

/**
 * Fills a migrated database (sqlite `file:` or `postgresql://` URL) with the synthetic district
 * and `rows` cases. The directory rows are upserted; the cases are new (run it on an empty read model).
 */
export async function fillSynthetic(url: string, opts: SyntheticOptions): Promise<SyntheticResult> {
  const o = { now: (opts.now ?? new Date()).getTime(), spanMs: opts.spanMs ?? 3 * 365 * DAY, quantumMs: opts.quantumMs ?? 1000, seed: opts.seed ?? 1, openShare: opts.openShare ?? 0.008 };
  const started = Date.now();
  const result = providerOf(url) === 'sqlite' ? fillSqlite(sqlitePath(url), opts, o) : await fillPostgres(url, opts, o);
  return { ...result, ms: Date.now() - started };
}

export type Resolved = { now: number; spanMs: number; quantumMs: number; seed: number; openShare: number };

function fillSqlite(file: string, opts: SyntheticOptions, o: Resolved): Omit<SyntheticResult, 'ms'> {
  const db = new Database(file, { timeout: 5000 });
  try {
    // a bulk load on a file no one else has open: no WAL copy of every page, no fsync per commit
    let wal = true;
    try {
      db.pragma('journal_mode = DELETE');
      wal = false;
    } catch {
      // another connection has the file open (a test's client): stay in WAL
    }
    db.pragma('synchronous = OFF');
    db.pragma('cache_size = -262144');
    const dir = directoryRows(o.now);
    const at = sqliteDate(o.now);
    const insertDirectory = db.transaction(() => {
      for (const t of dir.towns) db.prepare(`INSERT OR IGNORE INTO "Town" (id, name, "chiefStewardId", "createdAt") VALUES (?, ?, ?, ?)`).run(t.id, t.name, t.chiefStewardId, at);
      for (const a of dir.areas) db.prepare(`INSERT OR IGNORE INTO "Area" (id, name, "townId", "areaStewardId", "createdAt") VALUES (?, ?, ?, ?, ?)`).run(a.id, a.name, a.townId, a.areaStewardId, at);
      const st = db.prepare(`INSERT OR IGNORE INTO "Steward" (id, name, level, "townId", "areaId", active, "createdAt") VALUES (?, ?, ?, ?, ?, 1, ?)`);
      for (const s of dir.stewards) st.run(s.id, s.name, s.level, s.townId, s.areaId, at);
      const bd = db.prepare(`INSERT OR IGNORE INTO "Building" (id, name, address, "areaId", "pointStewardId", "createdAt") VALUES (?, ?, ?, ?, ?, ?)`);
      for (const b of dir.buildings) bd.run(b.id, b.name, b.address, b.areaId, b.pointStewardId, at);
      const dp = db.prepare(`INSERT OR IGNORE INTO "Department" (id, name, "townId", adapter, "createdAt") VALUES (?, ?, ?, 'portal', ?)`);
      for (const d of dir.departments) dp.run(d.id, d.name, d.townId, at);
      const ps = db.prepare(`INSERT OR IGNORE INTO "Person" (id, subject, name, kind, active, "createdAt") VALUES (?, ?, ?, 'person', 1, ?)`);
      for (const p of dir.people) ps.run(p.id, p.subject, p.name, at);
      const has = db.prepare(`SELECT 1 FROM "RoleGrant" WHERE "personId" = ? AND role = ? AND "scopeId" IS ?`);
      const gr = db.prepare(`INSERT INTO "RoleGrant" ("personId", role, "scopeId", "grantedBy", "grantedAt") VALUES (?, ?, ?, 'synthetic', ?)`);
      for (const g of dir.grants) if (!has.get(g.personId, g.role, g.scopeId)) gr.run(g.personId, g.role, g.scopeId, at);
    });
    insertDirectory();
    const insertCase = db.prepare(`INSERT INTO "Case" (${CASE_COLUMNS.map((c) => `"${c}"`).join(', ')}) VALUES (${CASE_COLUMNS.map(() => '?').join(', ')})`);
    const insertSteward = db.prepare(`INSERT INTO "CaseSteward" ("caseId", "stewardId") VALUES (?, ?)`);
    const insertTask = db.prepare(
      `INSERT INTO "DepartmentTask" ("caseId", no, "departmentId", role, status, "dispatchedAt", "dueAt", overdue, "overdueSince", "overdueMs", reminders, "updatedAt") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0, ?)`,
    );
    const value = (c: CaseRow, col: (typeof CASE_COLUMNS)[number]) => {
      const v = columnValue(c, col);
      if (v === null || v === undefined) return null;
      if (DATE_COLUMNS.has(col)) return sqliteDate(v as number);
      if (BOOL_COLUMNS.has(col)) return v ? 1 : 0;
      return v;
    };
    let caseStewards = 0;
    let tasks = 0;
    const load = db.transaction(() => {
      for (let i = 0; i < opts.rows; i++) {
        const c = syntheticCase(i, opts.rows, o);
        insertCase.run(CASE_COLUMNS.map((col) => value(c, col)));
        for (const s of c.stewards) insertSteward.run(c.id, s);
        for (const t of c.tasks) insertTask.run(c.id, t.no, t.departmentId, t.role, t.status, sqliteDate(t.dispatchedAt), sqliteDate(t.dueAt), t.overdue ? 1 : 0, t.overdueSince === null ? null : sqliteDate(t.overdueSince), sqliteDate(c.updatedAt));
        caseStewards += c.stewards.length;
        tasks += c.tasks.length;
        if ((i + 1) % 50_000 === 0) opts.progress?.(i + 1);
      }
    });
    load();
    if (!wal) db.pragma('journal_mode = WAL');
    return { rows: opts.rows, caseStewards, tasks };
  } finally {
    db.close();
  }
}

async function fillPostgres(url: string, opts: SyntheticOptions, o: Resolved): Promise<Omit<SyntheticResult, 'ms'>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('SET synchronous_commit = off');
    const dir = directoryRows(o.now);
    const at = new Date(o.now).toISOString();
    for (const t of dir.towns) await client.query(`INSERT INTO "Town" (id, name, "chiefStewardId", "createdAt") VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`, [t.id, t.name, t.chiefStewardId, at]);
    for (const a of dir.areas) await client.query(`INSERT INTO "Area" (id, name, "townId", "areaStewardId", "createdAt") VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`, [a.id, a.name, a.townId, a.areaStewardId, at]);
    for (const s of dir.stewards) {
      await client.query(`INSERT INTO "Steward" (id, name, level, "townId", "areaId", active, "createdAt") VALUES ($1, $2, $3, $4, $5, true, $6) ON CONFLICT DO NOTHING`, [s.id, s.name, s.level, s.townId, s.areaId, at]);
    }
    for (const b of dir.buildings) {
      await client.query(`INSERT INTO "Building" (id, name, address, "areaId", "pointStewardId", "createdAt") VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`, [b.id, b.name, b.address, b.areaId, b.pointStewardId, at]);
    }
    for (const d of dir.departments) await client.query(`INSERT INTO "Department" (id, name, "townId", adapter, "createdAt") VALUES ($1, $2, $3, 'portal', $4) ON CONFLICT DO NOTHING`, [d.id, d.name, d.townId, at]);
    for (const p of dir.people) await client.query(`INSERT INTO "Person" (id, subject, name, kind, active, "createdAt") VALUES ($1, $2, $3, 'person', true, $4) ON CONFLICT DO NOTHING`, [p.id, p.subject, p.name, at]);
    for (const g of dir.grants) {
      await client.query(
        `INSERT INTO "RoleGrant" ("personId", role, "scopeId", "grantedBy", "grantedAt") SELECT $1, $2, $3::text, 'synthetic', $4 WHERE NOT EXISTS (SELECT 1 FROM "RoleGrant" WHERE "personId" = $1 AND role = $2 AND "scopeId" IS NOT DISTINCT FROM $3::text)`,
        [g.personId, g.role, g.scopeId, at],
      );
    }
    const types = CASE_COLUMNS.map((c) => (DATE_COLUMNS.has(c) ? 'timestamp(3)' : BOOL_COLUMNS.has(c) ? 'boolean' : INT_COLUMNS.has(c) ? 'integer' : c === 'snapshot' ? 'jsonb' : 'text'));
    const insertCases = `INSERT INTO "Case" (${CASE_COLUMNS.map((c) => `"${c}"`).join(', ')}) SELECT * FROM unnest(${types.map((t, k) => `$${k + 1}::${t}[]`).join(', ')})`;
    const insertStewards = `INSERT INTO "CaseSteward" ("caseId", "stewardId") SELECT * FROM unnest($1::text[], $2::text[])`;
    const insertTasks = `INSERT INTO "DepartmentTask" ("caseId", no, "departmentId", role, status, "dispatchedAt", "dueAt", overdue, "overdueSince", "overdueMs", reminders, "updatedAt")
      SELECT c, n, d, r, s, da, du, o, os, 0, 0, u FROM unnest($1::text[], $2::int[], $3::text[], $4::text[], $5::text[], $6::timestamp(3)[], $7::timestamp(3)[], $8::boolean[], $9::timestamp(3)[], $10::timestamp(3)[]) AS t(c, n, d, r, s, da, du, o, os, u)`;
    const BATCH = 5_000;
    let caseStewards = 0;
    let tasks = 0;
    const ts = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
    await client.query('BEGIN');
    for (let from = 0; from < opts.rows; from += BATCH) {
      const cols: unknown[][] = CASE_COLUMNS.map(() => []);
      const st: [string[], string[]] = [[], []];
      const tk: unknown[][] = Array.from({ length: 10 }, () => []);
      for (let i = from; i < Math.min(opts.rows, from + BATCH); i++) {
        const c = syntheticCase(i, opts.rows, o);
        CASE_COLUMNS.forEach((col, k) => {
          const v = columnValue(c, col);
          cols[k]!.push(v === null || v === undefined ? null : DATE_COLUMNS.has(col) ? ts(v as number) : v);
        });
        for (const s of c.stewards) {
          st[0].push(c.id);
          st[1].push(s);
        }
        for (const t of c.tasks) {
          [c.id, t.no, t.departmentId, t.role, t.status, ts(t.dispatchedAt), ts(t.dueAt), t.overdue, ts(t.overdueSince), ts(c.updatedAt)].forEach((v, k) => tk[k]!.push(v));
        }
      }
      await client.query(insertCases, cols);
      await client.query(insertStewards, st);
      if (tk[0]!.length) await client.query(insertTasks, tk);
      caseStewards += st[0].length;
      tasks += tk[0]!.length;
      if (Math.floor((from + BATCH) / 50_000) > Math.floor(from / 50_000)) opts.progress?.(Math.min(opts.rows, from + BATCH));
    }
    await client.query('COMMIT');
    // autovacuum gets a live table there (statistics, and the visibility map index-only scans
    // need); a benchmark should not depend on whether it has yet
    await client.query('VACUUM (ANALYZE) "Case", "CaseSteward", "DepartmentTask"');
    return { rows: opts.rows, caseStewards, tasks };
  } finally {
    await client.end();
  }
}
