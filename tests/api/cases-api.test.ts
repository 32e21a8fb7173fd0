import request from 'supertest';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createDb } from '../../src/db/client';
import { migrateDeploy } from '../../src/db/migrate';
import { seedDemo } from '../../src/db/seed';
import { silentLogger } from '../../src/logger';
import { createTemporalClient } from '../../src/runtime';
import { eventually } from '../helpers/eventually';
import { freePort } from '../helpers/ports';
import { type Stack, startStack } from '../helpers/stack';
import { loadCatalogue } from '../../src/catalogue-file';
import { createCatalogueStore } from '../../src/catalogue-store';
import { openCaseBody } from '../fixtures/case-input';
import { toBeijing } from '../../src/api/beijing-time';

const ENTERPRISE = '91310107MA1G0AB10G'; // in bld-tianan, seeded

const openBody = openCaseBody;

let stack: Stack;
// bearer tokens from the stack's real identity provider, fetched once
const tokens: Record<string, string> = {};
const SUBJECTS = ['ent-qianshu', 'ent-changfeng', 'stw-point-1', 'stw-point-2', 'stw-point-3', 'stw-area-east', 'stw-chief', 'staff-market', 'staff-tax', 'staff-urban', 'manager-town', 'admin'];

beforeAll(async () => {
  stack = await startStack();
  for (const s of SUBJECTS) tokens[s] = await stack.token(s);
});

afterAll(async () => {
  await stack?.stop();
});

const as = (subject: string) => {
  if (!tokens[subject]) throw new Error(`no token fetched for ${subject}`);
  return { Authorization: `Bearer ${tokens[subject]}` };
};
const api = () => request(stack.app);
/** GET as someone (the point steward by default: the demo cases are in the point steward's building) */
const read = (url: string, who = 'stw-point-1') => api().get(url).set(as(who));
const open = (body: object = openBody(), who = 'ent-qianshu') => api().post('/api/cases').set(as(who)).send(body);
const act = (id: string, action: string, who: string, body: object = {}) => api().post(`/api/cases/${id}/${action}`).set(as(who)).send(body);
/**
 * Rows in the read model, once every workflow running on the test's queue has its row: intake
 * answers before the row is written, so an earlier test's case must not land mid-comparison.
 */
async function caseCount(): Promise<number> {
  await eventually(async () => {
    const running = [];
    for await (const w of stack.client.workflow.list({ query: `WorkflowType = 'caseWorkflow'` })) running.push(w.workflowId.replace(/^case-/, ''));
    expect(await stack.db.case.count({ where: { id: { in: running } } })).toBe(running.length);
  }, { timeoutMs: 15_000, intervalMs: 100 });
  return stack.db.case.count();
}


describe('POST /api/cases', () => {
  it('opens a case: 201, assigned to the building\'s 点楼长, recorded in the database, owner notified', async () => {
    const res = await open();
    expect(res.status).toBe(201);
    expect(res.headers.location).toBe(`/api/cases/${res.body.caseId}`);
    expect(res.body).toMatchObject({
      stage: 'assigned',
      owner: { id: 'stw-point-1', level: 1 },
      chain: { 2: { id: 'stw-area-east' }, 3: { id: 'stw-chief' } },
      parties: { enterprise: { creditCode: ENTERPRISE } },
    });
    expect(res.body.caseId).toMatch(/^C\d{8}-[0-9A-Z]{6}$/);
    // the answer does not wait for the read model; the row follows within moments
    await eventually(async () => {
      const row = await stack.db.case.findUniqueOrThrow({ where: { id: res.body.caseId }, include: { events: true } });
      expect(row).toMatchObject({ stage: 'assigned', ownerStewardId: 'stw-point-1', workflowId: `case-${res.body.caseId}` });
      expect(row.events.map((e) => e.type).sort()).toEqual(['assigned', 'opened']);
    });
    await eventually(() => expect(stack.sent.filter((n) => n.key.startsWith(res.body.caseId)).map((n) => n.recipient.id)).toEqual(['stw-point-1']));
    const notification = await stack.db.notification.findFirstOrThrow({ where: { caseId: res.body.caseId } });
    expect(notification).toMatchObject({ status: 'sent', attempts: 1, recipientId: 'stw-point-1', template: 'assigned_to_you' });
  });

  it("keeps the names of the enterprise's supporting files with the request", async () => {
    const files = [{ name: '营业执照副本.pdf' }, { name: '现场照片.jpg', size: 204800, mimeType: 'image/jpeg' }];
    const res = await open(openBody({ attachments: files }));
    expect(res.status).toBe(201);
    expect(res.body.request.attachments).toEqual(files);
    const read = await api().get(`/api/cases/${res.body.caseId}?live=true`).set(as('stw-point-1'));
    expect(read.body.request.attachments).toEqual(files);
  });

  it('lets a steward of the chain open a case for a new enterprise, registering it', async () => {
    const res = await open(openBody({ enterprise: { creditCode: '91310107MA1L8JK908', name: '上海新入驻科技有限公司' } }), 'stw-point-1');
    expect(res.status).toBe(201);
    expect(await stack.db.enterprise.findUnique({ where: { creditCode: '91310107MA1L8JK908' } })).toMatchObject({ name: '上海新入驻科技有限公司' });
  });

  // Idempotency-Key on intake: tests/api/intake.test.ts

  describe('rejects bad input with 400 and field-level reasons, creating nothing', () => {
    const cases: [string, () => request.Test, string, RegExp][] = [
      ['unknown building', () => open(openBody({ buildingId: 'bld-nowhere' })), 'body.buildingId', /^楼宇 bld-nowhere 不存在$/],
      ['credit code with a wrong check character', () => open(openBody({ enterprise: { creditCode: '91310107MA1G0AB10H' } })), 'body.enterprise.creditCode', /校验位（第 18 位）与前 17 位不符/],
      ['credit code of the wrong length', () => open(openBody({ enterprise: { creditCode: '9131010' } })), 'body.enterprise.creditCode', /^统一社会信用代码须为 18 位$/],
      ['empty description', () => open(openBody({ description: '   ' })), 'body.description', /^不能为空$/],
      ['over-long description', () => open(openBody({ description: '长'.repeat(4001) })), 'body.description', /^不能超过 4000 个字符$/],
      ['unknown field', () => open({ ...openBody(), priority: 'high' }), 'body.priority', /^不允许的字段$/],
      ['unknown category', () => open(openBody({ category: 'no_such_category' })), 'body.category', /^服务事项 no_such_category 不存在/],
      ['attachment without a name', () => open(openBody({ attachments: [{ name: ' ' }] })), 'body.attachments.0.name', /^不能为空$/],
      ['unknown enterprise without a name', () => open(openBody({ enterprise: { creditCode: '91310107MA1M0LM20F' } }), 'stw-point-1'), 'body.enterprise.name', /请填写企业名称/],
    ];
    it.each(cases)('%s', async (_name, send, field, message) => {
      const before = await caseCount();
      const res = await send();
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('validation_failed');
      expect(res.body.error.issues).toEqual(expect.arrayContaining([{ field, message: expect.stringMatching(message) }]));
      expect(await caseCount()).toBe(before);
    });

    it('malformed JSON', async () => {
      const res = await api().post('/api/cases').set(as('ent-qianshu')).set('content-type', 'application/json').send('{"buildingId":');
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('malformed_json');
    });

    it('an oversized body is refused before parsing (413)', async () => {
      const before = await caseCount();
      const res = await open(openBody({ description: 'x'.repeat(70_000) }));
      expect(res.status).toBe(413);
      expect(res.body.error).toMatchObject({ code: 'payload_too_large', message: expect.stringContaining('64 kB') });
      expect(await caseCount()).toBe(before);
    });
  });

  it('refuses callers who may not open the case (401/403), with the reason', async () => {
    const before = await caseCount();
    const anonymous = await api().post('/api/cases').send(openBody());
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers['www-authenticate']).toBe('Bearer realm="steward-api"');
    const other = await open(openBody(), 'ent-changfeng'); // another enterprise
    expect(other.status).toBe(403);
    expect(other.body.error.message).toMatch(/^您只能为本企业提出诉求/);
    const wrongBuilding = await open(openBody({ buildingId: 'bld-huashi' })); // the enterprise is not located there
    expect(wrongBuilding.status).toBe(403);
    expect(wrongBuilding.body.error.message).toBe('企业 91310107MA1G0AB10G 位于楼宇 bld-tianan，不能为楼宇 bld-huashi 提出诉求');
    expect((await open(openBody(), 'stw-point-3')).status).toBe(403); // steward of another building
    expect((await open(openBody(), 'staff-market')).body.error.message).toBe('此操作需要以下角色之一：企业用户、楼长；您的角色：部门工作人员');
    const inEnglish = await open(openBody(), 'staff-market').set('Accept-Language', 'en');
    expect(inEnglish.body.error).toMatchObject({ code: 'forbidden', message: expect.stringMatching(/needs one of the roles enterprise, steward/) });
    expect((await open(openBody(), 'manager-town')).status).toBe(403); // managers read, they do not file
    expect(await caseCount()).toBe(before);
  });
});

describe('actions', () => {
  it('drives a case through dispatch, a rejected reply, approval and follow-up to closed; then reads it from the database', async () => {
    const { body: opened } = await open(openBody({ category: 'quick_test', title: '快速流程' }));
    const id = opened.caseId as string;
    // the response clock is one second: acknowledge quickly, or the 分楼长 owns it
    expect((await act(id, 'acknowledge', 'stw-point-1', { note: '已联系' })).status).toBe(200);
    const dispatched = await act(id, 'dispatch', 'stw-point-1', { departmentId: 'dept-market', instructions: '请核查' });
    expect(dispatched.status).toBe(200);
    expect(dispatched.body).toMatchObject({ stage: 'in_progress', tasks: [{ departmentId: 'dept-market', role: 'lead' }] });
    expect((await act(id, 'department-reply', 'staff-tax', { text: '非我部门' })).status).toBe(404); // not dispatched to it: not its case
    await eventually(async () => expect((await read(`/api/cases?departmentId=dept-market&stage=in_progress`)).body.items.map((c: { id: string }) => c.id)).toContain(id));
    expect((await act(id, 'department-reply', 'staff-market', { text: '已核查' })).body.stage).toBe('pending_approval');
    const rejected = await act(id, 'reject', 'stw-point-1', { reason: '答复不完整' });
    expect(rejected.body).toMatchObject({ stage: 'in_progress', tasks: [{ status: 'accepted' }] });
    await act(id, 'department-reply', 'staff-market', { text: '已核查并指导整改，企业已确认' });
    const approved = await act(id, 'approve', 'stw-point-1');
    expect(approved.body).toMatchObject({ stage: 'resolved' });
    await eventually(async () => expect((await read(`/api/cases/${id}`)).body.stage).toBe('follow_up'));
    const closed = await act(id, 'follow-up', 'stw-point-1', { satisfaction: 'satisfied', comment: '满意' });
    expect(closed.body).toMatchObject({ stage: 'closed', outcome: 'closed', satisfaction: 'satisfied' });

    const finished = await eventually(async () => {
      const r = await read(`/api/cases/${id}`);
      expect(r.body.source).toBe('database');
      return r;
    });
    expect(finished.body.history.map((e: { type: string }) => e.type)).toEqual([
      'opened', 'assigned', 'acknowledged', 'dispatched', 'dispatch_delivered', 'department_replied', 'proposal_rejected',
      'department_replied', 'proposal_approved', 'follow_up_due', 'follow_up_recorded', 'closed',
    ]);
    expect(finished.body.history.find((e: { type: string }) => e.type === 'proposal_rejected')).toMatchObject({ reason: '答复不完整', actor: { id: 'stw-point-1' } });
    const after = await act(id, 'withdraw', 'ent-qianshu');
    expect(after.status).toBe(409);
    expect(after.body.error.message).toBe(`案件 ${id} 已办结（已结案），不再受理任何操作`);
  });

  it("takes the enterprise's own 回访 answer only where the category allows it", async () => {
    const toFollowUp = async (category: string) => {
      const id = (await open(openBody({ category, title: '企业自评' }))).body.caseId as string;
      expect((await act(id, 'acknowledge', 'stw-point-1')).status).toBe(200);
      expect((await act(id, 'propose', 'stw-point-1', { text: '已协调解决' })).status).toBe(200);
      expect((await act(id, 'approve', 'stw-area-east')).body.stage).toBe('resolved');
      await eventually(async () => expect((await read(`/api/cases/${id}`)).body.stage).toBe('follow_up'));
      return id;
    };
    // quick_test leaves the 回访 to the steward
    const byDefault = await toFollowUp('quick_test');
    const refused = await act(byDefault, 'follow-up', 'ent-qianshu', { satisfaction: 'satisfied' });
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toBe('本事项的回访由楼长登记，企业不能自行评价');
    expect((await read(`/api/cases/${byDefault}`, 'ent-qianshu')).body.allowedActions).not.toContain('follow-up');

    const seconds = (value: number) => ({ value, unit: 'seconds' });
    const policy = { response: seconds(600), resolution: seconds(600), escalation: { 2: seconds(600), 3: seconds(600) }, followUpDelay: seconds(1), followUpWindow: seconds(600), enterpriseFeedback: true };
    expect((await api().put('/api/catalogue/self_rated_test').set(as('admin')).send({ name: '企业自评测试', policy })).status).toBe(201);
    const selfRated = await toFollowUp('self_rated_test');
    expect((await read(`/api/cases/${selfRated}`, 'ent-qianshu')).body.allowedActions).toContain('follow-up');
    // another enterprise is not a party to it
    expect((await act(selfRated, 'follow-up', 'ent-changfeng', { satisfaction: 'satisfied' })).status).toBe(404);
    const rated = await act(selfRated, 'follow-up', 'ent-qianshu', { satisfaction: 'basically_satisfied', comment: '办理及时' });
    expect(rated.status).toBe(200);
    expect(rated.body).toMatchObject({ stage: 'closed', satisfaction: 'basically_satisfied' });
    expect(rated.body.events.find((e: { type: string }) => e.type === 'follow_up_recorded')).toMatchObject({ actor: { kind: 'enterprise' }, detail: { satisfaction: 'basically_satisfied', comment: '办理及时' } });
  });

  it('refuses out-of-turn actions with 409 and outsiders with 403, with the reason', async () => {
    const { body: opened } = await open();
    const id = opened.caseId as string;
    const early = await act(id, 'approve', 'stw-point-1');
    expect(early.status).toBe(409);
    expect(early.body.error).toMatchObject({ code: 'refused', message: '无法审核通过：案件当前状态为“待签收”，仅在“待审核”状态下可以审核通过' });
    const inEnglish = await act(id, 'approve', 'stw-point-1').set('Accept-Language', 'en-GB,en;q=0.9,zh-CN;q=0.5');
    expect(inEnglish.body.error).toMatchObject({ code: 'refused', message: expect.stringContaining('pending_approval') });
    // a steward of another building does not see the case at all; the 总楼长 above is refused by the chain rules
    const outsider = await act(id, 'acknowledge', 'stw-point-3');
    expect(outsider.status).toBe(404);
    const notTheirs = await act(id, 'acknowledge', 'stw-point-2'); // same area, another building
    expect(notTheirs.status).toBe(404);
    expect((await act(id, 'withdraw', 'stw-point-1')).status).toBe(403);
    expect((await act(id, 'withdraw', 'ent-changfeng')).status).toBe(404);
    const badBody = await act(id, 'reject', 'stw-point-1', { reason: '' });
    expect(badBody.status).toBe(400);
    expect(badBody.body.error.issues[0].field).toBe('body.reason');
    const state = await read(`/api/cases/${id}`);
    expect(state.body.history).toHaveLength(2); // nothing was recorded by the refused calls
  });

  it('reassigns to a steward of the same level only', async () => {
    const { body: opened } = await open();
    const id = opened.caseId as string;
    expect((await act(id, 'reassign', 'stw-point-1', { toStewardId: 'stw-area-west' })).status).toBe(409);
    const unknown = await act(id, 'reassign', 'stw-point-1', { toStewardId: 'stw-nobody' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.issues[0]).toMatchObject({ field: 'body.toStewardId' });
    await stack.db.town.upsert({ where: { id: 'town-far' }, create: { id: 'town-far', name: '远处街道' }, update: {} });
    await stack.db.steward.upsert({ where: { id: 'stw-far-point' }, create: { id: 'stw-far-point', name: '远处点楼长', level: 1, townId: 'town-far' }, update: {} });
    const otherTown = await act(id, 'reassign', 'stw-point-1', { toStewardId: 'stw-far-point' });
    expect(otherTown.status).toBe(400);
    expect(otherTown.body.error.issues).toEqual([{ field: 'body.toStewardId', message: 'stw-far-point 不是本案件所在街道的在岗楼长' }]);
    const moved = await act(id, 'reassign', 'stw-point-1', { toStewardId: 'stw-point-2', reason: '分工调整' });
    expect(moved.body.owner).toMatchObject({ id: 'stw-point-2' });
    // the point steward who handed it on still sees it, but may no longer act as its owner
    expect((await read(`/api/cases/${id}`, 'stw-point-1')).status).toBe(200);
    expect((await act(id, 'acknowledge', 'stw-point-1')).status).toBe(403);
    expect((await act(id, 'acknowledge', 'stw-point-2')).status).toBe(200);
  });

  it('lets the enterprise withdraw and declines with a reason', async () => {
    const a = (await open()).body.caseId as string;
    expect((await act(a, 'withdraw', 'ent-qianshu', { reason: '已自行解决' })).body).toMatchObject({ stage: 'withdrawn' });
    const b = (await open()).body.caseId as string;
    expect((await act(b, 'decline', 'stw-point-1', { reason: '重复诉求' })).body).toMatchObject({ stage: 'rejected', outcome: 'rejected' });
  });

  it('answers 404 for an unknown case', async () => {
    expect((await read('/api/cases/C20260101-ABCDEF')).status).toBe(404);
    expect((await act('C20260101-ABCDEF', 'acknowledge', 'stw-point-1')).status).toBe(404);
    const malformed = await read('/api/cases/not-a-case');
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.issues[0].field).toBe('params.id');
  });
});

describe('GET /api/cases (managers\' lists)', () => {
  it('lists overdue cases by level and building, paginated', async () => {
    const late = (await open(openBody({ category: 'quick_test', title: '超期示例' }))).body.caseId as string;
    // nobody acknowledges within a second: the case escalates to the 分楼长 and is overdue
    const row = await eventually(async () => {
      const r = await stack.db.case.findUniqueOrThrow({ where: { id: late } });
      expect(r).toMatchObject({ overdue: true, ownerLevel: 2, ownerStewardId: 'stw-area-east', escalations: 1 });
      return r;
    });
    expect(row.overdueSince).not.toBeNull();
    const overdue = await read('/api/cases', 'manager-town').query({ overdue: 'true', level: 2, buildingId: 'bld-tianan' });
    expect(overdue.status).toBe(200);
    expect(overdue.body.items.map((c: { id: string }) => c.id)).toContain(late);
    expect(overdue.body.items.every((c: { overdue: boolean; ownerLevel: number }) => c.overdue && c.ownerLevel === 2)).toBe(true);
    expect((await read('/api/cases', 'manager-town').query({ overdue: 'true', areaId: 'area-west' })).body.items).toEqual([]);
    expect((await read('/api/cases', 'manager-town').query({ overdue: 'true', level: 1 })).body.items.map((c: { id: string }) => c.id)).not.toContain(late);
    const page = await read('/api/cases', 'manager-town').query({ pageSize: 2, page: 1, count: 'true' });
    expect(page.body).toMatchObject({ page: 1, pageSize: 2, nextCursor: expect.any(String) });
    expect(page.body.items).toHaveLength(2);
    expect(page.body.total).toBeGreaterThan(2);
    const bad = await read('/api/cases', 'manager-town').query({ level: 4, overdue: 'maybe' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.issues.map((i: { field: string }) => i.field).sort()).toEqual(['query.level', 'query.overdue']);
  });
});

describe('clocks and the catalogue (issue 3)', () => {
  const admin = 'admin';

  it('versions catalogue changes and keeps running cases on the version they started with', async () => {
    const running = (await open(openBody({ category: 'tax_consultation', title: '版本前' }))).body;
    expect(running.policy).toMatchObject({ catalogueVersion: 1, resolution: { value: 3, unit: 'working_days' } });

    expect((await api().put('/api/catalogue/tax_consultation').set(as('stw-point-1')).send({ policy: { resolution: { value: 5, unit: 'working_days' } } })).status).toBe(403);
    const bad = await api().put('/api/catalogue/tax_consultation').set(as(admin)).send({ policy: { resolution: { value: -1, unit: 'fortnights' } } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.issues.map((i: { field: string }) => i.field)).toEqual(expect.arrayContaining(['body.policy.resolution.value', 'body.policy.resolution.unit']));
    const changed = await api().put('/api/catalogue/tax_consultation').set(as(admin)).send({ policy: { resolution: { value: 5, unit: 'working_days' } }, note: '区政府新规' });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ version: 2, changedBy: admin, note: '区政府新规', policy: { resolution: { value: 5, unit: 'working_days' }, response: { value: 1, unit: 'working_days' } } });
    const history = await read('/api/catalogue/tax_consultation');
    expect(history.body.versions.map((v: { version: number }) => v.version)).toEqual([2, 1]);

    const after = await read(`/api/cases/${running.caseId}`);
    expect(after.body.policy).toMatchObject({ catalogueVersion: 1, resolution: { value: 3, unit: 'working_days' } });
    expect(after.body.deadlines.resolutionDueAt).toBe(running.deadlines.resolutionDueAt);
    const fresh = (await open(openBody({ category: 'tax_consultation', title: '版本后' }))).body;
    expect(fresh.policy).toMatchObject({ catalogueVersion: 2, resolution: { value: 5, unit: 'working_days' } });

    const created = await api().put('/api/catalogue/greening').set(as(admin)).send({ name: '绿化养护', departmentId: 'dept-urban' });
    expect(created.status).toBe(201);
    expect((await api().put('/api/catalogue/unnamed_thing').set(as(admin)).send({})).body.error.issues[0].field).toBe('body.name');
    expect((await api().put('/api/catalogue/greening').set(as(admin)).send({ departmentId: 'dept-none' })).status).toBe(400);
    expect((await read('/api/catalogue/no_such_item')).status).toBe(404);
    const retired = await api().put('/api/catalogue/greening').set(as(admin)).send({ active: false });
    expect(retired.body).toMatchObject({ version: 2, active: false });
    expect((await open(openBody({ category: 'greening' }))).status).toBe(400);
  });

  it('shows clocks, pauses and resumes over HTTP, and lists paused cases', async () => {
    const id = (await open()).body.caseId as string;
    const fresh = await read(`/api/cases/${id}`);
    expect(fresh.body.clocks.response).toMatchObject({ running: true, paused: false, breached: false, metAt: null });
    expect(fresh.body.clocks.response.remainingWorkingMs).toBeGreaterThan(0);
    expect(fresh.body.calendar.data.source).toMatch(/^chinese-days@/);
    await act(id, 'acknowledge', 'stw-point-1');
    expect((await act(id, 'supply-info', 'ent-qianshu')).status).toBe(409); // nothing was asked
    const paused = await act(id, 'pause', 'stw-point-1', { reason: '请补充营业执照副本' });
    expect(paused.status).toBe(200);
    expect(paused.body.clocks.resolution).toMatchObject({ paused: true, running: false });
    await eventually(async () => expect((await read('/api/cases').query({ paused: 'true' })).body.items.map((c: { id: string }) => c.id)).toContain(id));
    expect((await act(id, 'supply-info', 'ent-changfeng')).status).toBe(404);
    const resumed = await act(id, 'supply-info', 'ent-qianshu', { info: '已上传' });
    expect(resumed.body.clocks.resolution).toMatchObject({ paused: false });
    expect(resumed.body.pauses).toHaveLength(1);
  });

  it('takes extension requests and decisions over HTTP, validating the date', async () => {
    const id = (await open()).body.caseId as string;
    const acked = (await act(id, 'acknowledge', 'stw-point-1')).body;
    const badDate = await act(id, 'request-extension', 'stw-point-1', { reason: '需核查', newDueAt: 'next week' });
    expect(badDate.status).toBe(400);
    expect(badDate.body.error.issues[0].field).toBe('body.newDueAt');
    // answers give instants in Beijing time, and a request may send them so (any offset is taken)
    expect(acked.deadlines.resolutionDueAt).toMatch(/\+08:00$/);
    const newDueAt = toBeijing(new Date(Date.parse(acked.deadlines.resolutionDueAt) + 5 * 86_400_000).toISOString());
    expect((await act(id, 'request-extension', 'stw-point-1', { reason: '需核查', newDueAt })).body.extension).toMatchObject({ status: 'pending', newDueAt });
    expect((await act(id, 'decide-extension', 'stw-point-1', { approve: true })).status).toBe(403);
    const approved = await act(id, 'decide-extension', 'stw-area-east', { approve: true });
    expect(approved.body.deadlines.resolutionDueAt).toBe(newDueAt);
  });

  it('lists a case as at risk between its warning point and its deadline, then as overdue', async () => {
    const seconds = (value: number) => ({ value, unit: 'seconds' });
    await api().put('/api/catalogue/risky_test').set(as(admin)).send({ name: '预警测试', policy: { response: seconds(8), escalation: { 2: seconds(600), 3: seconds(600) } } });
    const id = (await open(openBody({ category: 'risky_test', title: '预警示例' }))).body.caseId as string;
    const listed = (q: Record<string, string>) => read('/api/cases', 'stw-chief').query(q).then((r) => r.body.items.map((c: { id: string }) => c.id) as string[]);
    expect(await listed({ atRisk: 'true' })).not.toContain(id);
    // warned at 75 % of 8 s: at risk from 6 s until the deadline at 8 s
    await eventually(async () => expect(await listed({ atRisk: 'true', buildingId: 'bld-tianan' })).toContain(id), { timeoutMs: 8_000, intervalMs: 100 });
    const row = async (q: Record<string, string>) => (await read('/api/cases', 'stw-chief').query(q)).body.items.find((c: { id: string }) => c.id === id);
    // the row says how long is left in office time, as the case page does (0 minutes at night)
    expect((await row({ atRisk: 'true' }))?.remainingText).toMatch(/^剩余 (\d+ 个工作日 ?)?(\d+ 小时 ?)?(\d+ 分钟|不足 1 分钟)?$/);
    // the case view says so by the same rule as the list, at once; the warning's event follows when the timer fires
    expect((await read(`/api/cases/${id}`)).body.clocks.current).toMatchObject({ step: 'acknowledge', atRisk: true, overdue: false });
    await eventually(async () => {
      const warned = await read(`/api/cases/${id}`);
      expect(warned.body.history.find((e: { type: string }) => e.type === 'deadline_warning')).toMatchObject({ detail: { step: 'acknowledge', level: 1 } });
    }, { timeoutMs: 5_000, intervalMs: 100 });
    await eventually(async () => expect(await listed({ overdue: 'true', level: '2' })).toContain(id), { timeoutMs: 8_000, intervalMs: 100 });
    expect(await listed({ atRisk: 'true' })).not.toContain(id);
    expect((await row({ overdue: 'true' }))?.remainingText).toMatch(/^已超期/);
  });
});

describe('departments (issue 4)', () => {
  it('dispatches to lead and assisting departments, lists their tasks, and takes accept, reply and 退单', async () => {
    const id = (await open(openBody({ title: '联合办理' }))).body.caseId as string;
    await act(id, 'acknowledge', 'stw-point-1');
    const unknown = await act(id, 'dispatch', 'stw-point-1', { departmentId: 'dept-market', assisting: ['dept-tax', 'dept-nowhere'] });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.issues[0]).toMatchObject({ field: 'body.assisting.1', message: '部门 dept-nowhere 不存在' });
    const dispatched = await act(id, 'dispatch', 'stw-point-1', { departmentId: 'dept-market', assisting: ['dept-tax'], instructions: '联合核查' });
    expect(dispatched.body.tasks.map((t: { departmentId: string; role: string }) => [t.departmentId, t.role])).toEqual([
      ['dept-market', 'lead'],
      ['dept-tax', 'assist'],
    ]);
    const tasks = await eventually(async () => {
      const r = await read('/api/departments/dept-tax/tasks', 'staff-tax');
      expect(r.body.items.map((t: { caseId: string }) => t.caseId)).toContain(id);
      return r.body.items;
    });
    expect(tasks.find((t: { caseId: string }) => t.caseId === id)).toMatchObject({ role: 'assist', case: { title: '联合办理' } });
    expect((await read('/api/departments/dept-nowhere/tasks', 'manager-town')).status).toBe(404);
    expect((await read('/api/departments/dept-tax/tasks', 'staff-market')).status).toBe(404); // another department's list

    // a department's answers show only its own tasks
    expect((await act(id, 'department-accept', 'staff-tax')).body.tasks).toMatchObject([{ departmentId: 'dept-tax', status: 'accepted' }]);
    expect((await act(id, 'department-accept', 'staff-urban')).status).toBe(404); // no task: not its case
    const replied = await act(id, 'department-reply', 'staff-tax', { text: '无异议', attachments: [{ name: '意见.pdf', url: 'https://dept.example/files/1', size: 1024 }] });
    expect(replied.body.tasks[0]).toMatchObject({ departmentId: 'dept-tax', status: 'replied', reply: { attachments: [{ name: '意见.pdf' }] } });
    const badAttachment = await act(id, 'department-reply', 'staff-market', { text: 'x', attachments: [{ name: 'a', url: 'not a url' }] });
    expect(badAttachment.status).toBe(400);
    expect(badAttachment.body.error.issues[0].field).toBe('body.attachments.0.url');
    expect((await act(id, 'department-return', 'staff-market', {})).status).toBe(400);
    const returned = await act(id, 'department-return', 'staff-market', { reason: '非本部门职责' });
    expect(returned.body.tasks[0]).toMatchObject({ status: 'returned', returned: { reason: '非本部门职责' } });
    await eventually(async () => {
      const open = await read('/api/departments/dept-market/tasks', 'staff-market');
      expect(open.body.items.map((t: { caseId: string }) => t.caseId)).not.toContain(id);
      const all = await read('/api/departments/dept-market/tasks?status=all', 'staff-market');
      expect(all.body.items.find((t: { caseId: string }) => t.caseId === id)).toMatchObject({ status: 'returned' });
    });
  });
});

describe('reference and documentation', () => {
  it('serves an OpenAPI 3 document generated from the zod schemas', async () => {
    const res = await api().get('/api/openapi.json');
    expect(res.status).toBe(200);
    expect(res.body.openapi).toMatch(/^3\./);
    for (const action of ['acknowledge', 'propose', 'approve', 'reject', 'reassign', 'dispatch', 'department-accept', 'department-reply', 'department-return', 'follow-up', 'withdraw', 'decline', 'pause', 'supply-info', 'request-extension', 'decide-extension']) {
      expect(res.body.paths[`/api/cases/{id}/${action}`]?.post).toBeDefined();
    }
    expect(res.body.components.schemas.OpenCase.properties.enterprise.properties.creditCode).toBeDefined();
    expect(res.body.components.schemas.OpenCase.additionalProperties).toBe(false);
    expect(res.body.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    // every operation but the public ones names the bearer scheme and documents 401 and 403
    for (const [path, ops] of Object.entries(res.body.paths as Record<string, Record<string, { security: unknown[]; responses: Record<string, unknown> }>>)) {
      for (const [method, op] of Object.entries(ops)) {
        const isPublic = ['/api/health', '/api/openapi.json', '/api/console-config', '/api/departments/{id}/callback'].includes(path);
        expect({ path, method, security: op.security }).toEqual({ path, method, security: isPublic ? [] : [{ bearer: [] }] });
        if (!isPublic) expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(['401', '403']));
      }
    }
  });

  it('lists the catalogue and the directory', async () => {
    const cats = await read('/api/catalogue', 'ent-qianshu');
    expect(cats.body.items.find((c: { code: string }) => c.code === 'outdoor_promotion')).toMatchObject({
      name: '外摆活动审批',
      version: 1,
      departmentId: 'dept-urban',
      policy: { resolution: { value: 2, unit: 'working_days' }, warnAt: 0.75, extensionCap: { value: 30, unit: 'working_days' } },
    });
    const dir = await read('/api/directory');
    expect(dir.body.stewards.filter((s: { level: number; townId: string }) => s.level === 1 && s.townId === 'town-changshou')).toHaveLength(4);
    expect(dir.body.buildings).toHaveLength(4);
    expect((await read('/api/nothing-here')).status).toBe(404);
  });
});

describe('when no worker serves the case', () => {
  it('opens with 202 and answers 503 to reads and actions instead of hanging', async () => {
    const { client, connection } = createTemporalClient({ address: stack.address, namespace: 'default' });
    const errors: unknown[] = [];
    const logger = Object.assign(Object.create(silentLogger), { error: (o: unknown) => errors.push(o) });
    const app = stack.appWith({ temporal: client, taskQueue: 'no-worker-here', logger, actionWaitMs: 1000 });
    let caseId: string | undefined;
    try {
      const opened = await request(app).post('/api/cases').set(as('ent-qianshu')).send(openBody());
      expect(opened.status).toBe(202);
      caseId = opened.body.caseId;
      expect(opened.headers.location).toBe(`/api/cases/${caseId}`);
      const read = await request(app).get(`/api/cases/${caseId}`).set(as('ent-qianshu'));
      expect(read.status).toBe(503);
      expect(read.body.error.message).toBe(`案件 ${caseId} 未在 1 秒内应答（后台处理服务可能未运行），请稍后重试`);
      const action = await request(app).post(`/api/cases/${caseId}/acknowledge`).set(as('stw-point-1')).send({});
      expect({ status: action.status, errors }).toMatchObject({ status: 503, errors: [] });
      expect(action.body.error.message).toMatch(/后台处理服务可能未运行/);
      const inEnglish = await request(app).post(`/api/cases/${caseId}/acknowledge`).set(as('stw-point-1')).set('Accept-Language', 'en').send({});
      expect(inEnglish.body.error.message).toMatch(/is a worker running/);
    } finally {
      if (caseId) await client.workflow.getHandle(`case-${caseId}`).terminate('test over').catch(() => undefined);
      await connection.close();
    }
  });
});

describe('when Temporal is unreachable', () => {
  it('answers 503 and leaves no half-created case behind', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'steward-503-'));
    const url = `file:${path.join(dir, 'down.db')}`;
    await migrateDeploy(url);
    const db = createDb(url);
    await seedDemo(db);
    await createCatalogueStore(db).seed(loadCatalogue());
    const { client, connection } = createTemporalClient({ address: `127.0.0.1:${await freePort()}`, namespace: 'default' });
    const app = stack.appWith({ db, temporal: client, taskQueue: 'nowhere', logger: silentLogger });
    try {
      const res = await request(app).post('/api/cases').set(as('ent-qianshu')).set('Idempotency-Key', 'down-key-0001').send(openBody());
      expect(res.status).toBe(503);
      expect(res.body.error).toMatchObject({ code: 'unavailable', message: '服务暂不可用（Temporal 无法连接或未应答），未作任何更改，请稍后重试' });
      expect(await db.case.count()).toBe(0);
      expect(await db.intakeKey.count()).toBe(0); // Temporal was unreachable before anything was recorded
      expect((await request(app).get('/api/cases/C20260101-ABCDEF').set(as('stw-point-1'))).status).toBe(503);
      expect((await request(app).post('/api/cases/C20260101-ABCDEF/acknowledge').set(as('stw-point-1')).send({})).status).toBe(503);
    } finally {
      await connection.close().catch(() => undefined);
      await db.$disconnect();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
