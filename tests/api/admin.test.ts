/**
 * Directory administration against the real stack: upserts of every kind with their referential
 * checks, secrets that go in and never come out, role grants and their revocation, handing a
 * steward post to another person, and the bulk import (CSV and xlsx, all rows or none).
 */
import ExcelJS from 'exceljs';
import request from 'supertest';
import { creditCodeCheckChar } from '../../src/domain/credit-code';
import { eventually } from '../helpers/eventually';
import { type Stack, startStack } from '../helpers/stack';

let stack: Stack;
const tokens: Record<string, string> = {};
const as = (who: string) => ({ Authorization: `Bearer ${tokens[who]}` });
const put = (url: string, body: object, who = 'admin') => request(stack.app).put(url).set(as(who)).send(body);
const get = (url: string, who = 'admin') => request(stack.app).get(url).set(as(who));
const post = (url: string, body: object, who = 'admin') => request(stack.app).post(url).set(as(who)).send(body);
const upload = (kind: string, type: string, file: Buffer, dryRun: boolean) =>
  request(stack.app)
    .post(`/api/admin/import/${kind}${dryRun ? '?dryRun=true' : ''}`)
    .set(as('admin'))
    .set('Content-Type', type)
    .send(file);
const fields = (res: request.Response) => (res.body.error?.issues ?? []).map((i: { field: string }) => i.field);

const WEBHOOK_SECRET = 'admin-test-webhook-secret-7c1e-do-not-leak';
const ROBOT_KEY = 'admin-test-robot-key-93ab-do-not-leak';
const ROBOT_URL = `https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=${ROBOT_KEY}`;
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const code = (first17: string) => first17 + creditCodeCheckChar(first17);
const NEW_ENTERPRISE = code('91310107MA1L8JK90');

/** Every JSON answer the admin routes gave, to search for secrets. */
const answers: string[] = [];

beforeAll(async () => {
  stack = await startStack();
  for (const s of ['admin', 'stw-point-1', 'manager-town', 'nobody', 'ent-qianshu']) tokens[s] = await stack.token(s);
});

afterAll(async () => {
  await stack?.stop();
});

afterEach(() => {
  // nothing a test did may have put a secret in an answer (checked once more at the end)
  for (const text of answers) {
    expect(text).not.toContain(WEBHOOK_SECRET);
    expect(text).not.toContain(ROBOT_KEY);
  }
});

const keep = (res: request.Response) => {
  answers.push(res.text);
  return res;
};

describe('who may', () => {
  it('refuses everyone but administrators', async () => {
    for (const who of ['stw-point-1', 'manager-town']) {
      expect((await get('/api/admin/directory', who)).status).toBe(403);
      expect((await get('/api/admin/people', who)).status).toBe(403);
      expect((await put('/api/admin/towns/town-x', { name: '不该有' }, who)).status).toBe(403);
      expect((await post('/api/admin/people/psn-nobody/grants', { role: 'admin' }, who)).status).toBe(403);
      const file = await request(stack.app).post('/api/admin/import/towns').set(as(who)).set('Content-Type', 'text/csv').send(Buffer.from('编号,名称\ntown-x,不该有\n'));
      expect(file.status).toBe(403);
    }
    expect((await request(stack.app).get('/api/admin/directory')).status).toBe(401);
    expect(await stack.db.town.count({ where: { id: 'town-x' } })).toBe(0);
  });

  it('lists every admin route in the OpenAPI document', async () => {
    const doc = (await request(stack.app).get('/api/openapi.json').expect(200)).body;
    for (const path of ['/api/admin/towns/{id}', '/api/admin/enterprises/{creditCode}', '/api/admin/people/{id}/grants/{grantId}', '/api/admin/stewards/{id}/holder', '/api/admin/import/{kind}']) {
      expect(doc.paths[path]).toBeDefined();
    }
  });
});

describe('upserts', () => {
  it('towns and areas: created, updated, bad references named', async () => {
    const created = await put('/api/admin/towns/town-new', { name: '  新华街道  ' }).expect(201);
    expect(created.body).toEqual({ id: 'town-new', name: '新华街道', chiefStewardId: null });
    await put('/api/admin/towns/town-new', { name: '新华路街道' }).expect(200);
    expect(fields(await put('/api/admin/towns/town-new', { name: '新华路街道', chiefStewardId: 'stw-chief' }).expect(400))).toEqual(['body.chiefStewardId']);
    expect(fields(await put('/api/admin/towns/town-new', { name: '新华路街道', chiefStewardId: 'nope' }).expect(400))).toEqual(['body.chiefStewardId']);
    expect(fields(await put('/api/admin/towns/town-new', { name: '新华\u0007街道' }).expect(400))).toEqual(['body.name']);
    expect(fields(await put('/api/admin/towns/town-new', { name: 'x'.repeat(101) }).expect(400))).toEqual(['body.name']);
    expect(fields(await put('/api/admin/towns/town-new', { name: '新华路街道', mayor: 'x' }).expect(400))).toEqual(['body.mayor']);
    expect(fields(await put('/api/admin/towns/bad id', { name: '新华路街道' }).expect(400))).toEqual(['params.id']);

    await put('/api/admin/areas/area-new', { name: '新华园区', townId: 'town-new' }).expect(201);
    expect((await put('/api/admin/areas/area-new', { name: '新华科创园区', townId: 'town-new' }).expect(200)).body).toMatchObject({ name: '新华科创园区', areaStewardId: null });
    expect(fields(await put('/api/admin/areas/area-bad', { name: '无处', townId: 'nope' }).expect(400))).toEqual(['body.townId']);
    // a 点楼长 is not a 分楼长, and another area's 分楼长 is not this one's
    expect(fields(await put('/api/admin/areas/area-new', { name: '新华科创园区', townId: 'town-new', areaStewardId: 'stw-point-1' }).expect(400))).toEqual(['body.areaStewardId']);
    expect(fields(await put('/api/admin/areas/area-new', { name: '新华科创园区', townId: 'town-new', areaStewardId: 'stw-area-east' }).expect(400))).toEqual(['body.areaStewardId']);
    expect(await stack.db.area.count({ where: { id: 'area-bad' } })).toBe(0);
  });

  it('steward posts: level and area rules, channel secrets sealed and never shown', async () => {
    const body = {
      name: '新点楼长',
      level: 1,
      townId: 'town-new',
      areaId: 'area-new',
      phone: '13800000099',
      channels: [
        { type: 'wecom', address: ROBOT_URL },
        { type: 'sms', address: '13800000099' },
      ],
    };
    const created = keep(await put('/api/admin/stewards/stw-new-point', body).expect(201));
    expect(created.body).toMatchObject({ id: 'stw-new-point', level: 1, active: true, channels: [{ type: 'wecom', addressSet: true }, { type: 'sms', address: '13800000099' }] });
    const stored = (await stack.db.steward.findUniqueOrThrow({ where: { id: 'stw-new-point' } })).channels as { type: string; address: string }[];
    expect(stored[0]!.address).not.toContain(ROBOT_KEY);
    expect(stack.secrets.open(stored[0]!.address)).toBe(ROBOT_URL);

    // omitted optional fields stay as they are; null clears
    const updated = keep(await put('/api/admin/stewards/stw-new-point', { name: '新点楼长', level: 1, townId: 'town-new', email: 'point@example.cn' }).expect(200));
    expect(updated.body).toMatchObject({ areaId: 'area-new', phone: '13800000099', email: 'point@example.cn', channels: [{ type: 'wecom', addressSet: true }, { type: 'sms' }] });
    expect((await put('/api/admin/stewards/stw-new-point', { name: '新点楼长', level: 1, townId: 'town-new', phone: null }).expect(200)).body.phone).toBeNull();

    await put('/api/admin/stewards/stw-new-area', { name: '新分楼长', level: 2, townId: 'town-new', areaId: 'area-new' }).expect(201);
    await put('/api/admin/stewards/stw-new-chief', { name: '新总楼长', level: 3, townId: 'town-new' }).expect(201);
    await put('/api/admin/areas/area-new', { name: '新华科创园区', townId: 'town-new', areaStewardId: 'stw-new-area' }).expect(200);
    await put('/api/admin/towns/town-new', { name: '新华路街道', chiefStewardId: 'stw-new-chief' }).expect(200);

    const bad = async (b: object) => fields(await put('/api/admin/stewards/stw-bad', b).expect(400));
    expect(await bad({ ...body, areaId: 'area-east' })).toEqual(['body.areaId']); // another town's area
    expect(await bad({ name: '总', level: 3, townId: 'town-new', areaId: 'area-new' })).toEqual(['body.areaId']);
    expect(await bad({ name: '点', level: 1, townId: 'town-new' })).toEqual(['body.areaId']);
    expect(await bad({ name: '点', level: 4, townId: 'town-new', areaId: 'area-new' })).toEqual(['body.level']);
    expect(await bad({ name: '点', level: 1, townId: 'nope', areaId: 'area-new' })).toEqual(['body.townId', 'body.areaId']);
    expect(await bad({ ...body, channels: [{ type: 'wecom', address: 'not a url' }] })).toEqual(['body.channels.0.address']);
    // a post named by a building cannot stop being a 点楼长
    expect(fields(await put('/api/admin/stewards/stw-point-1', { name: '陈静', level: 2, townId: 'town-changshou', areaId: 'area-east' }).expect(400))).toEqual(['body.level']);
    expect(await stack.db.steward.count({ where: { id: 'stw-bad' } })).toBe(0);
  });

  it('buildings: the 点楼长 must be an active level-1 post of the same town', async () => {
    const body = { name: '新华大厦', address: '新华路1号', areaId: 'area-new', pointStewardId: 'stw-new-point' };
    expect((await put('/api/admin/buildings/bld-new', body).expect(201)).body).toEqual({ id: 'bld-new', ...body });
    await put('/api/admin/buildings/bld-new', { ...body, address: '新华路2号' }).expect(200);
    expect(fields(await put('/api/admin/buildings/bld-new', { ...body, pointStewardId: 'stw-point-1' }).expect(400))).toEqual(['body.pointStewardId']);
    expect(fields(await put('/api/admin/buildings/bld-new', { ...body, pointStewardId: 'stw-new-area' }).expect(400))).toEqual(['body.pointStewardId']);
    expect(fields(await put('/api/admin/buildings/bld-new', { ...body, areaId: 'nope' }).expect(400))).toEqual(['body.areaId']);
    expect(fields(await put('/api/admin/buildings/bld-new', { name: '新华大厦', areaId: 'area-new', pointStewardId: 'stw-new-point' }).expect(400))).toEqual(['body.address']);
    expect((await stack.db.building.findUniqueOrThrow({ where: { id: 'bld-new' } })).address).toBe('新华路2号');
  });

  it('departments: the webhook secret is sealed, write-only, and kept when omitted', async () => {
    const body = { name: '新华市场监管所', townId: 'town-new', adapter: 'webhook', contact: '钱科长 021-12345678', webhookUrl: 'https://dept.example.cn/dispatch' };
    expect(fields(await put('/api/admin/departments/dept-new', body).expect(400))).toEqual(['body.webhookSecret']);
    expect(fields(await put('/api/admin/departments/dept-new', { ...body, webhookUrl: undefined, webhookSecret: WEBHOOK_SECRET }).expect(400))).toEqual(['body.webhookUrl']);
    expect(fields(await put('/api/admin/departments/dept-new', { ...body, webhookSecret: 'short' }).expect(400))).toEqual(['body.webhookSecret']);
    expect(fields(await put('/api/admin/departments/dept-new', { ...body, webhookSecret: WEBHOOK_SECRET, townId: 'nope' }).expect(400))).toEqual(['body.townId']);

    const created = keep(await put('/api/admin/departments/dept-new', { ...body, webhookSecret: WEBHOOK_SECRET, channels: [{ type: 'webhook', address: ROBOT_URL }] }).expect(201));
    expect(created.body).toMatchObject({ id: 'dept-new', adapter: 'webhook', webhookSecretSet: true, channels: [{ type: 'webhook', addressSet: true }] });
    expect(created.body).not.toHaveProperty('webhookSecret');
    const sealed = (await stack.db.department.findUniqueOrThrow({ where: { id: 'dept-new' } })).webhookSecret!;
    expect(sealed).not.toBe(WEBHOOK_SECRET);
    expect(sealed).not.toContain(WEBHOOK_SECRET);
    expect(stack.secrets.open(sealed)).toBe(WEBHOOK_SECRET);

    keep(await put('/api/admin/departments/dept-new', { ...body, contact: '新联系人' }).expect(200));
    expect(stack.secrets.open((await stack.db.department.findUniqueOrThrow({ where: { id: 'dept-new' } })).webhookSecret!)).toBe(WEBHOOK_SECRET);
    await put('/api/admin/departments/dept-portal', { name: '新华税务所', townId: 'town-new' }).expect(201);
  });

  it('enterprises: keyed by a checked 统一社会信用代码', async () => {
    const body = { name: '上海新华测试有限公司', buildingId: 'bld-new', contactName: '钱经理', contactPhone: '13900000099' };
    expect((await put(`/api/admin/enterprises/${NEW_ENTERPRISE}`, body).expect(201)).body).toMatchObject({ id: NEW_ENTERPRISE, creditCode: NEW_ENTERPRISE, ...body });
    await put(`/api/admin/enterprises/${NEW_ENTERPRISE.toLowerCase()}`, { ...body, contactName: '孙经理' }).expect(200);
    const wrongCheck = NEW_ENTERPRISE.slice(0, 17) + (NEW_ENTERPRISE.endsWith('0') ? '1' : '0');
    expect(fields(await put(`/api/admin/enterprises/${wrongCheck}`, body).expect(400))).toEqual(['params.creditCode']);
    expect(fields(await put(`/api/admin/enterprises/${NEW_ENTERPRISE}`, { ...body, buildingId: 'nope' }).expect(400))).toEqual(['body.buildingId']);
  });

  it('no answer carries a secret: the lists show only that they are set', async () => {
    const directory = keep(await get('/api/admin/directory').expect(200));
    expect(directory.body.departments.find((d: { id: string }) => d.id === 'dept-new')).toMatchObject({ webhookSecretSet: true, channels: [{ type: 'webhook', addressSet: true }] });
    expect(directory.body.stewards.find((s: { id: string }) => s.id === 'stw-new-point').channels[0]).toEqual({ type: 'wecom', addressSet: true });
    keep(await get('/api/directory').expect(200));
    keep(await get('/api/admin/people').expect(200));
    expect(answers.length).toBeGreaterThan(5);
    await eventually(async () => expect(await stack.db.auditLog.count({ where: { action: 'directory.department.put', target: 'department:dept-new', townId: 'town-new' } })).toBeGreaterThan(0));
  });
});

describe('people and grants', () => {
  it('registers a person, grants and revokes roles; revoked grants stay on record', async () => {
    expect((await get('/api/me', 'nobody')).status).toBe(403);
    expect((await put('/api/admin/people/psn-nobody', { subject: 'nobody', name: '新来的楼长' }).expect(201)).body).toMatchObject({ kind: 'person', active: true });
    await put('/api/admin/people/psn-nobody', { subject: 'nobody', name: '新来的楼长 周' }).expect(200);
    expect(fields(await put('/api/admin/people/psn-other', { subject: 'nobody', name: '冒名' }).expect(400))).toEqual(['body.subject']);
    expect((await get('/api/me', 'nobody').expect(200)).body.roles).toEqual([]);

    const grant = (await post('/api/admin/people/psn-nobody/grants', { role: 'steward', scopeId: 'stw-point-2' }).expect(201)).body;
    expect(grant).toMatchObject({ personId: 'psn-nobody', role: 'steward', scopeId: 'stw-point-2', grantedBy: 'admin', revokedAt: null });
    await post('/api/admin/people/psn-nobody/grants', { role: 'steward', scopeId: 'stw-point-2' }).expect(409);
    expect((await get('/api/me', 'nobody').expect(200)).body.scope.stewardPosts.map((p: { stewardId: string }) => p.stewardId)).toEqual(['stw-point-2']);

    const refused = async (body: object) => fields(await post('/api/admin/people/psn-nobody/grants', body).expect(400));
    expect(await refused({ role: 'steward', scopeId: 'nope' })).toEqual(['body.scopeId']);
    expect(await refused({ role: 'enterprise', scopeId: null })).toEqual(['body.scopeId']);
    expect(await refused({ role: 'department_staff', scopeId: 'nope' })).toEqual(['body.scopeId']);
    expect(await refused({ role: 'manager', scopeId: 'nope' })).toEqual(['body.scopeId']);
    expect(await refused({ role: 'admin', scopeId: 'town-new' })).toEqual(['body.scopeId']);
    expect(await refused({ role: 'department_system', scopeId: 'dept-new' })).toEqual(['body.role']);
    expect(await refused({ role: 'owner' })).toEqual(['body.role']);
    await post('/api/admin/people/psn-nope/grants', { role: 'admin' }).expect(404);
    // a machine is only ever its department's system
    await put('/api/admin/people/sys-new', { subject: 'dept-new-system', name: '新华市场监管系统', kind: 'machine' }).expect(201);
    await post('/api/admin/people/sys-new/grants', { role: 'department_system', scopeId: 'dept-new' }).expect(201);
    expect(fields(await post('/api/admin/people/sys-new/grants', { role: 'steward', scopeId: 'stw-point-2' }).expect(400))).toEqual(['body.role']);
    expect(fields(await put('/api/admin/people/sys-new', { subject: 'dept-new-system', name: '新华市场监管系统', kind: 'person' }).expect(400))).toEqual(['body.kind']);

    const manager = (await post('/api/admin/people/psn-nobody/grants', { role: 'manager', scopeId: 'town-new' }).expect(201)).body;
    const people = (await get('/api/admin/people').expect(200)).body.items;
    expect(people.find((p: { id: string }) => p.id === 'psn-nobody').grants.map((g: { role: string }) => g.role)).toEqual(['steward', 'manager']);

    const revoked = (await request(stack.app).delete(`/api/admin/people/psn-nobody/grants/${grant.id}`).set(as('admin')).expect(200)).body;
    expect(revoked).toMatchObject({ id: grant.id, revokedBy: 'admin' });
    expect(revoked.revokedAt).toEqual(expect.any(String));
    await request(stack.app).delete(`/api/admin/people/psn-nobody/grants/${grant.id}`).set(as('admin')).expect(409);
    await request(stack.app).delete(`/api/admin/people/psn-stw-point-1/grants/${manager.id}`).set(as('admin')).expect(404);
    await request(stack.app).delete(`/api/admin/people/psn-nobody/grants/${manager.id}`).set(as('admin')).expect(200);
    expect(await stack.db.roleGrant.findUniqueOrThrow({ where: { id: grant.id } })).toMatchObject({ revokedBy: 'admin', revokedAt: expect.any(Date) });
    expect((await get('/api/me', 'nobody').expect(200)).body.roles).toEqual([]);
    expect((await get('/api/admin/people').expect(200)).body.items.find((p: { id: string }) => p.id === 'psn-nobody').grants).toEqual([]);

    // the district is never left without an administrator
    const adminGrant = async (personId: string) => (await stack.db.roleGrant.findFirstOrThrow({ where: { personId, role: 'admin', revokedAt: null } })).id;
    await request(stack.app).delete(`/api/admin/people/psn-stw-chief/grants/${await adminGrant('psn-stw-chief')}`).set(as('admin')).expect(200);
    await request(stack.app).delete(`/api/admin/people/psn-admin/grants/${await adminGrant('psn-admin')}`).set(as('admin')).expect(409);
    expect(fields(await put('/api/admin/people/psn-admin', { subject: 'admin', name: '系统管理员', active: false }).expect(400))).toEqual(['body.active']);
  });

  it('hands a steward post to another person: the cases stay with the post, the grants record who held it when', async () => {
    const opened = await post(
      '/api/cases',
      {
        buildingId: 'bld-tianan',
        enterprise: { creditCode: '91310107MA1G0AB10G' },
        category: 'other',
        title: '交接前的诉求',
        description: '楼长交接前提交的诉求',
        contact: { name: '周经理', phone: '13900000001' },
      },
      'ent-qianshu',
    ).expect(201);
    const caseId: string = opened.body.caseId;
    await eventually(async () => expect(await stack.db.caseSteward.count({ where: { caseId, stewardId: 'stw-point-1' } })).toBe(1));
    await get(`/api/cases/${caseId}`, 'stw-point-1').expect(200);

    const handed = (await put('/api/admin/stewards/stw-point-1/holder', { personId: 'psn-nobody' }).expect(200)).body;
    expect(handed).toMatchObject({ stewardId: 'stw-point-1', holder: { personId: 'psn-nobody' }, grant: { personId: 'psn-nobody', scopeId: 'stw-point-1', revokedAt: null } });
    expect(handed.revoked.map((g: { personId: string }) => g.personId)).toEqual(['psn-stw-point-1']);

    expect((await get('/api/me', 'nobody').expect(200)).body.scope.stewardPosts.map((p: { stewardId: string }) => p.stewardId)).toEqual(['stw-point-1']);
    expect((await get('/api/me', 'stw-point-1').expect(200)).body.roles).toEqual([]);
    await get(`/api/cases/${caseId}`, 'nobody').expect(200);
    expect([403, 404]).toContain((await get(`/api/cases/${caseId}`, 'stw-point-1')).status);

    // and back: the history keeps all three spells
    await put('/api/admin/stewards/stw-point-1/holder', { personId: 'psn-stw-point-1' }).expect(200);
    const holders = (await get('/api/admin/stewards/stw-point-1/holders').expect(200)).body.holders;
    expect(holders.map((h: { personId: string; current: boolean; revokedBy: string | null }) => [h.personId, h.current, h.revokedBy])).toEqual([
      ['psn-stw-point-1', false, 'admin'],
      ['psn-nobody', false, 'admin'],
      ['psn-stw-point-1', true, null],
    ]);
    await get(`/api/cases/${caseId}`, 'stw-point-1').expect(200);

    expect(fields(await put('/api/admin/stewards/stw-point-1/holder', { personId: 'psn-nope' }).expect(400))).toEqual(['body.personId']);
    expect(fields(await put('/api/admin/stewards/stw-point-1/holder', { personId: 'sys-new' }).expect(400))).toEqual(['body.personId']);
    await put('/api/admin/stewards/stw-nope/holder', { personId: 'psn-nobody' }).expect(404);
    await get('/api/admin/stewards/stw-nope/holders').expect(404);
  });
});

describe('import', () => {
  // CRLF, a BOM, Chinese headers and an empty line: the bad rows are on lines 5 and 6 of the file
  const badCsv = Buffer.from(
    '\uFEFF编号,名称,地址,园区,点楼长\r\n' +
      'bld-imp-1,导入大厦一,示范路1号,area-east,stw-point-1\r\n' +
      'bld-imp-2,导入大厦二,示范路2号,area-east,stw-point-2\r\n' +
      '\r\n' +
      'bld-imp-3,导入大厦三,示范路3号,area-nope,stw-point-1\r\n' +
      'bld-imp-4,导入大厦四,示范路4号,area-west,stw-area-west\r\n' +
      'bld-imp-5,"导入大厦五",示范路5号,area-west,stw-point-3\r\n',
  );

  it('CSV: a dry run reports the bad rows with their lines and fields and writes nothing; for real it is refused whole', async () => {
    const before = await stack.db.building.count();
    const dry = (await upload('buildings', 'text/csv', badCsv, true).expect(200)).body;
    expect(dry).toMatchObject({ kind: 'buildings', dryRun: true, rows: 5, accepted: 3, created: 3, updated: 0, written: false });
    expect(dry.rejected).toEqual([
      { row: 5, field: 'areaId', column: '园区', message: '园区 area-nope 不存在' },
      { row: 6, field: 'pointStewardId', column: '点楼长', message: 'stw-area-west 是分楼长，不是点楼长' },
    ]);
    const inEnglish = (await upload('buildings', 'text/csv', badCsv, true).set('Accept-Language', 'en').expect(200)).body;
    expect(inEnglish.rejected).toEqual([
      { row: 5, field: 'areaId', column: '园区', message: 'unknown area area-nope' },
      { row: 6, field: 'pointStewardId', column: '点楼长', message: expect.stringContaining('not a 点楼长') },
    ]);
    expect(await stack.db.building.count()).toBe(before);

    const real = await upload('buildings', 'text/csv; charset=utf-8', badCsv, false).expect(400);
    expect(real.body.error).toMatchObject({ code: 'import_rejected', message: '5 行中有 2 处问题，未导入任何数据' });
    expect(real.body.report).toMatchObject({ dryRun: false, rows: 5, accepted: 3, created: 0, updated: 0, written: false });
    expect(real.body.report.rejected.map((r: { row: number; field: string }) => [r.row, r.field])).toEqual([
      [5, 'areaId'],
      [6, 'pointStewardId'],
    ]);
    expect(await stack.db.building.count()).toBe(before);
    expect(await stack.db.building.count({ where: { id: 'bld-imp-1' } })).toBe(0);
  });

  it('CSV: a clean file is imported in one go (created and updated counted)', async () => {
    const before = await stack.db.building.count();
    const clean = Buffer.from(
      'id,name,address,areaId,pointStewardId\n' +
        'bld-imp-1,导入大厦一,示范路1号,area-east,stw-point-1\n' +
        'bld-imp-2,导入大厦二,示范路2号,area-east,stw-point-2\n' +
        'bld-tianan,天安千树大厦,莫干山路600号,area-east,stw-point-1\n',
    );
    const report = (await upload('buildings', 'text/csv', clean, false).expect(200)).body;
    expect(report).toMatchObject({ rows: 3, accepted: 3, rejected: [], created: 2, updated: 1, written: true });
    expect(await stack.db.building.count()).toBe(before + 2);
    // the dry runs (in Chinese and in English), the refused import and this one are each on record
    await eventually(async () => {
      const entries = await stack.db.auditLog.findMany({ where: { action: 'directory.import', target: 'import:buildings' }, orderBy: { id: 'asc' } });
      expect(entries.map((e) => [e.status, (e.detail as { dryRun: boolean }).dryRun])).toEqual([
        [200, true],
        [200, true],
        [400, false],
        [200, false],
      ]);
      expect(entries[3]!.detail).toMatchObject({ created: 2, updated: 1, rejected: 0, written: true });
    });
  });

  const workbook = async (rows: unknown[][]) => {
    const wb = new ExcelJS.Workbook();
    const sheet = wb.addWorksheet('楼长');
    for (const r of rows) sheet.addRow(r);
    return Buffer.from(await wb.xlsx.writeBuffer());
  };
  const HEAD = ['编号', '姓名', '级别', '街道', '园区', '电话', '邮箱', '在岗'];

  it('xlsx: two bad rows reported and nothing written; a clean workbook imported', async () => {
    const bad = await workbook([
      HEAD,
      ['stw-x-1', '导入点楼长一', 1, 'town-new', 'area-new', 13800000101, 'a@example.cn', '是'],
      ['stw-x-2', '导入点楼长二', 5, 'town-new', 'area-new', 13800000102, '', '是'],
      ['stw-x-3', '导入分楼长', '分楼长', 'town-new', 'area-new', '13800000103', '', ''],
      ['stw-x-4', '导入点楼长四', '点楼长', 'town-new', '', '13800000104', 'not-an-email', '否'],
    ]);
    const before = await stack.db.steward.count();
    const dry = (await upload('stewards', XLSX, bad, true).expect(200)).body;
    expect(dry).toMatchObject({ kind: 'stewards', dryRun: true, rows: 4, accepted: 2, created: 2, written: false });
    expect(dry.rejected.map((r: { row: number; field: string; column?: string }) => [r.row, r.field, r.column])).toEqual([
      [3, 'level', '级别'],
      [5, 'email', '邮箱'],
    ]);
    const real = (await upload('stewards', XLSX, bad, false).expect(400)).body;
    expect(real.report).toMatchObject({ rows: 4, written: false });
    expect(await stack.db.steward.count()).toBe(before);

    const clean = await workbook([HEAD, ['stw-x-1', '导入点楼长一', 1, 'town-new', 'area-new', 13800000101, 'a@example.cn', '是'], ['stw-x-3', '导入分楼长', '分楼长', 'town-new', 'area-new', '13800000103', '', '否']]);
    expect((await upload('stewards', XLSX, clean, false).expect(200)).body).toMatchObject({ rows: 2, accepted: 2, created: 2, written: true });
    expect(await stack.db.steward.findUniqueOrThrow({ where: { id: 'stw-x-1' } })).toMatchObject({ level: 1, phone: '13800000101', email: 'a@example.cn', active: true });
    expect(await stack.db.steward.findUniqueOrThrow({ where: { id: 'stw-x-3' } })).toMatchObject({ level: 2, email: null, active: false });
  });

  it('enterprises and people by their Chinese headers; header problems are line 1', async () => {
    const csv = `统一社会信用代码,企业名称,楼宇,联系人,联系电话\n${code('91310107MA1M9LM10')},上海导入一有限公司,bld-new,王经理,13900000201\n${NEW_ENTERPRISE},上海新华测试有限公司,bld-new,,\n`;
    expect((await upload('enterprises', 'text/csv', Buffer.from(csv), false).expect(200)).body).toMatchObject({ accepted: 2, created: 1, updated: 1 });
    expect(await stack.db.enterprise.findUniqueOrThrow({ where: { id: NEW_ENTERPRISE } })).toMatchObject({ contactName: null, contactPhone: null });

    const good = code('91310107MA1M9LM10');
    const badCode = `统一社会信用代码,名称,楼宇\n${good.slice(0, 17)}${good.endsWith('0') ? '1' : '0'},错号公司,bld-new\n`;
    expect((await upload('enterprises', 'text/csv', Buffer.from(badCode), true).expect(200)).body.rejected).toEqual([
      { row: 2, field: 'creditCode', column: '统一社会信用代码', message: '统一社会信用代码校验位（第 18 位）与前 17 位不符，请核对' },
    ]);

    const people = '编号,账号,姓名,类型\npsn-imp-1,imp-1,导入一号,人员\npsn-imp-2,imp-2,导入二号,系统\npsn-imp-1,imp-3,重复,人员\n';
    const report = (await upload('people', 'text/csv', Buffer.from(people), true).expect(200)).body;
    expect(report.rejected).toEqual([{ row: 4, field: 'id', column: '编号', message: 'psn-imp-1 已出现在本文件第 2 行' }]);

    const headers = (await upload('towns', 'text/csv', Buffer.from('编号,人口\ntown-y,100\n'), true).expect(200)).body.rejected;
    expect(headers.map((r: { row: number; field: string }) => [r.row, r.field])).toEqual([
      [1, '人口'],
      [1, 'name'],
    ]);
  });

  it('refuses other content types, unknown kinds and unreadable files', async () => {
    await upload('towns', 'text/plain', Buffer.from('编号,名称\n'), true).expect(415);
    await request(stack.app).post('/api/admin/import/towns').set(as('admin')).send({ id: 'town-z', name: 'json' }).expect(415);
    await upload('towns', 'text/csv; charset=gbk', Buffer.from('编号,名称\n'), true).expect(415);
    expect(fields(await upload('spaceships', 'text/csv', Buffer.from('id\n'), true).expect(400))).toEqual(['params.kind']);
    expect((await upload('towns', XLSX, Buffer.from('not a zip'), true).expect(400)).body.error.code).toBe('unreadable_file');
    // GBK bytes for 编号,名称 are not UTF-8
    expect((await upload('towns', 'text/csv', Buffer.from([0xb1, 0xe0, 0xba, 0xc5, 0x2c, 0xc3, 0xfb, 0xb3, 0xc6, 0x0a]), true).expect(400)).body.error.message).toMatch(/UTF-8/);
  });
});

describe('incidents', () => {
  it('lists what went wrong inside cases, newest first, and an administrator resolves them', async () => {
    const refused = await stack.db.incident.create({ data: { kind: 'record_refused', caseId: 'C20261122-INCDNT', message: 'the database refused a batch' } });
    const failed = await stack.db.incident.create({ data: { kind: 'rule_failed', caseId: 'C20261122-INCDNT', message: 'a rule threw' } });
    const open = (await get('/api/admin/incidents?open=true&caseId=C20261122-INCDNT').expect(200)).body;
    expect(open.items.map((i: { id: number }) => i.id)).toEqual([failed.id, refused.id]);
    expect((await get('/api/admin/incidents?kind=rule_failed&caseId=C20261122-INCDNT').expect(200)).body.items).toHaveLength(1);

    const resolved = (await post(`/api/admin/incidents/${refused.id}/resolve`, { note: '清理了企业名称中的控制字符' }).expect(200)).body;
    expect(resolved).toMatchObject({ resolvedAt: expect.any(String), resolvedBy: 'psn-admin', resolvedByName: '系统管理员', resolution: '清理了企业名称中的控制字符' });
    // resolving again changes nothing: the first resolution stays
    expect((await post(`/api/admin/incidents/${refused.id}/resolve`, { note: '再次标记' }).expect(200)).body).toMatchObject({ resolvedAt: resolved.resolvedAt, resolution: '清理了企业名称中的控制字符' });
    expect((await get(`/api/admin/incidents?caseId=C20261122-INCDNT&open=false`).expect(200)).body.items).toEqual([expect.objectContaining({ id: refused.id, resolvedByName: '系统管理员' })]);
    expect(fields(await post(`/api/admin/incidents/${failed.id}/resolve`, { note: 'x'.repeat(1001) }).expect(400))).toEqual(['body.note']);
    // the audit log names the incident, not the URL
    await eventually(async () => expect((await get(`/api/audit?target=incident:${refused.id}`).expect(200)).body.items).toHaveLength(2));
    expect((await get('/api/admin/incidents?open=true&caseId=C20261122-INCDNT').expect(200)).body.items.map((i: { id: number }) => i.id)).toEqual([failed.id]);
    await post('/api/admin/incidents/987654/resolve', {}).expect(404);
    await get('/api/admin/incidents', 'manager-town').expect(403);
  });
});
