/**
 * Who sees what, with real tokens from a real provider: lists, single cases, department task
 * lists and the directory cut by the caller's scope; no secret in any answer; the audit log;
 * request ids, security headers, CORS and the per-identity rate limit.
 */
import { Writable } from 'node:stream';
import request from 'supertest';
import { createLogger } from '../../src/logger';
import { ConfigError, loadConfig } from '../../src/config';
import { eventually } from '../helpers/eventually';
import { type Stack, startStack } from '../helpers/stack';

let stack: Stack;
const tokens: Record<string, string> = {};
const as = (subject: string) => ({ Authorization: `Bearer ${tokens[subject]}` });
const get = (url: string, who: string) => request(stack.app).get(url).set(as(who));
const post = (url: string, who: string, body: object = {}) => request(stack.app).post(url).set(as(who)).send(body);

const SUBJECTS = ['ent-qianshu', 'ent-changfeng', 'stw-point-1', 'stw-point-2', 'stw-point-3', 'stw-area-east', 'stw-area-west', 'stw-chief', 'staff-market', 'staff-tax', 'dept-market-system', 'manager-town', 'inspector', 'admin'];
const ROBOT_KEY = 'robot-key-0f3c9a7e-do-not-leak';
const WEBHOOK_SECRET = 'webhook-secret-5b1d-do-not-leak';

const opened = (building: string, creditCode: string, title: string) => ({
  buildingId: building,
  enterprise: { creditCode },
  category: 'other',
  title,
  description: `${title}的详细描述`,
  contact: { name: '联系人', phone: '13912345678' },
});

let tianan: string; // ent-qianshu's case in bld-tianan (area-east, stw-point-1)
let changfeng: string; // ent-changfeng's case in bld-changfeng (area-west, stw-point-3)

beforeAll(async () => {
  stack = await startStack();
  for (const s of SUBJECTS) tokens[s] = await stack.token(s);
  await stack.db.department.update({
    where: { id: 'dept-fire' },
    data: {
      adapter: 'webhook',
      webhookUrl: 'http://127.0.0.1:9/none',
      webhookSecret: stack.secrets.seal(WEBHOOK_SECRET),
      channels: [{ type: 'wecom', address: stack.secrets.seal(`https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=${ROBOT_KEY}`) }],
    },
  });
  tianan = (await post('/api/cases', 'ent-qianshu', opened('bld-tianan', '91310107MA1G0AB10G', '天安的诉求')).expect(201)).body.caseId;
  changfeng = (await post('/api/cases', 'ent-changfeng', opened('bld-changfeng', '91310107MA1J4EF50C', '长风的诉求')).expect(201)).body.caseId;
  await post(`/api/cases/${tianan}/acknowledge`, 'stw-point-1').expect(200);
  await post(`/api/cases/${tianan}/dispatch`, 'stw-point-1', { departmentId: 'dept-market' }).expect(200);
  await eventually(async () => expect(await stack.db.departmentTask.count({ where: { caseId: tianan } })).toBe(1));
});

afterAll(async () => {
  await stack?.stop();
});

const listed = async (who: string) => (await get('/api/cases?pageSize=100', who).expect(200)).body.items.map((c: { id: string }) => c.id) as string[];

describe('scope', () => {
  it.each([
    ['ent-qianshu', true, false],
    ['ent-changfeng', false, true],
    ['stw-point-1', true, false],
    ['stw-point-2', false, false],
    ['stw-point-3', false, true],
    ['stw-area-east', true, false],
    ['stw-area-west', false, true],
    ['stw-chief', true, true],
    ['staff-market', true, false],
    ['staff-tax', false, false],
    ['dept-market-system', true, false],
    ['manager-town', true, true],
    ['inspector', true, true],
  ])('%s: sees the tianan case %s, the changfeng case %s — in lists and one by one', async (who, seesTianan, seesChangfeng) => {
    const ids = await listed(who);
    expect([ids.includes(tianan), ids.includes(changfeng)]).toEqual([seesTianan, seesChangfeng]);
    expect((await get(`/api/cases/${tianan}`, who)).status).toBe(seesTianan ? 200 : 404);
    expect((await get(`/api/cases/${changfeng}`, who)).status).toBe(seesChangfeng ? 200 : 404);
  });

  it('list rows carry no contact details or descriptions', async () => {
    const res = await get('/api/cases?pageSize=100', 'manager-town');
    expect(res.body.items.length).toBeGreaterThanOrEqual(2);
    expect(JSON.stringify(res.body)).not.toMatch(/13912345678|联系人|详细描述/);
  });

  it('a department sees the request and its own tasks, not the steward chain, history or other departments', async () => {
    const res = await get(`/api/cases/${tianan}`, 'staff-market');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ caseId: tianan, request: { title: '天安的诉求' }, tasks: [{ departmentId: 'dept-market' }] });
    expect(res.body.chain).toBeUndefined();
    expect(res.body.history).toBeUndefined();
    expect(res.body.escalations).toBeUndefined();
  });

  it('department task lists: its own staff and system and the town\'s managers; another department\'s list is not found', async () => {
    for (const who of ['staff-market', 'dept-market-system', 'manager-town']) {
      const res = await get('/api/departments/dept-market/tasks', who);
      expect({ who, status: res.status }).toEqual({ who, status: 200 });
      expect(res.body.items.map((t: { caseId: string }) => t.caseId)).toContain(tianan);
    }
    expect((await get('/api/departments/dept-market/tasks', 'staff-tax')).status).toBe(404);
    expect((await get('/api/departments/dept-market/tasks', 'stw-point-1')).status).toBe(403);
  });

  it('a valid token grants nothing by itself: unknown subjects, and a person token on a machine\'s record, are refused', async () => {
    const stranger = await request(stack.app).get('/api/me').set('Authorization', `Bearer ${await stack.token('nobody')}`);
    expect(stranger.status).toBe(403);
    expect(stranger.body.error).toMatchObject({ code: 'unknown_identity', message: '身份 nobody 未在本系统登记（或已停用），请联系管理员授予角色' });
    // a user token whose subject is registered as a department system must not act as that system
    await stack.db.person.create({ data: { id: 'sys-other-town-point', subject: 'other-town-point', name: 'x', kind: 'machine', grants: { create: { role: 'department_system', scopeId: 'dept-market', grantedBy: 'test' } } } });
    const impostor = await request(stack.app).get('/api/departments/dept-market/tasks').set('Authorization', `Bearer ${await stack.token('other-town-point')}`);
    expect(impostor.status).toBe(403);
  });

  it('GET /api/me says who the token is for, with roles and scope', async () => {
    const me = await get('/api/me', 'stw-chief');
    expect(me.body).toMatchObject({ subject: 'stw-chief', kind: 'person', scope: { stewardPosts: [{ stewardId: 'stw-chief', level: 3 }], admin: true } });
    expect(me.body.roles.map((r: { role: string }) => r.role)).toEqual(['steward', 'admin']);
    expect((await get('/api/me', 'dept-market-system')).body).toMatchObject({ kind: 'machine', scope: { departmentSystems: ['dept-market'] } });
  });
});

describe('the directory', () => {
  it('needs a token', async () => {
    const res = await request(stack.app).get('/api/directory');
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toMatch(/^Bearer realm=/);
  });

  it.each(SUBJECTS)('never shows a secret, as %s', async (who) => {
    const res = await get('/api/directory', who);
    expect(res.status).toBe(200);
    const text = JSON.stringify(res.body);
    expect(text).not.toContain(ROBOT_KEY);
    expect(text).not.toContain(WEBHOOK_SECRET);
    expect(text).not.toMatch(/enc:v1:/);
    expect(text).not.toMatch(/webhookSecret"/);
  });

  it('shows contact details only to stewards, managers and administrators', async () => {
    const phonesOf = async (who: string) => (await get('/api/directory', who)).body.stewards.map((s: { phone?: string }) => s.phone).filter(Boolean);
    expect(await phonesOf('ent-qianshu')).toEqual([]);
    expect(await phonesOf('staff-market')).toEqual([]);
    expect((await phonesOf('stw-point-1')).length).toBeGreaterThan(0);
    expect((await phonesOf('manager-town')).length).toBeGreaterThan(0);
    const ent = await get('/api/directory', 'ent-qianshu');
    expect(ent.body.enterprises.map((e: { id: string }) => e.id)).toEqual(['91310107MA1G0AB10G']);
    const admin = await get('/api/directory', 'admin');
    expect(admin.body.departments.find((d: { id: string }) => d.id === 'dept-fire')).toMatchObject({ webhookSecretSet: true, channels: [{ type: 'wecom', addressSet: true }] });
  });
});

describe('the audit log', () => {
  it('records reads of a case and changes: who, when, what, from where, with the request id', async () => {
    const read = await get(`/api/cases/${changfeng}`, 'stw-point-3').set('X-Request-Id', 'audit-read-0001');
    expect(read.status).toBe(200);
    await post(`/api/cases/${changfeng}/acknowledge`, 'stw-point-3').set('X-Request-Id', 'audit-act-00001').expect(200);
    const entries = await eventually(async () => {
      const res = await get(`/api/audit?target=case:${changfeng}`, 'admin');
      expect(res.body.items.length).toBeGreaterThanOrEqual(3);
      return res.body.items as { action: string; personId: string; ip: string; requestId: string; status: number; townId: string }[];
    });
    expect(entries.find((e) => e.requestId === 'audit-read-0001')).toMatchObject({ action: 'case.read', personId: 'psn-stw-point-3', status: 200, townId: 'town-changshou', ip: expect.stringMatching(/127\.0\.0\.1/) });
    expect(entries.find((e) => e.requestId === 'audit-act-00001')).toMatchObject({ action: 'case.acknowledge', personId: 'psn-stw-point-3', status: 200 });
    expect(entries.find((e) => e.action === 'case.open')).toMatchObject({ personId: 'psn-ent-changfeng', status: 201 });
    // a town's manager pages through its town's entries; others may not read the log
    const town = await get(`/api/audit?target=case:${changfeng}`, 'manager-town');
    expect(town.body.items.length).toBe(entries.length);
    expect((await get('/api/audit', 'stw-point-3')).status).toBe(403);
    const page = await get('/api/audit?pageSize=2', 'admin');
    const next = await get(`/api/audit?pageSize=2&before=${page.body.nextBefore}`, 'admin');
    expect(next.body.items[0].id).toBeLessThan(page.body.items[1].id);
  });

  it('is append-only in the database itself', async () => {
    const first = await stack.db.auditLog.findFirstOrThrow();
    await expect(stack.db.auditLog.update({ where: { id: first.id }, data: { action: 'tampered' } })).rejects.toThrow(/append-only/);
    await expect(stack.db.auditLog.delete({ where: { id: first.id } })).rejects.toThrow(/append-only/);
  });
});

describe('hardening', () => {
  it('answers with a request id, also in errors, and security headers', async () => {
    const res = await get('/api/cases/C20260101-ZZZZZZ', 'stw-point-1');
    expect(res.status).toBe(404);
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.body.error.requestId).toBe(res.headers['x-request-id']);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['strict-transport-security']).toBeDefined();
    expect(res.headers['x-powered-by']).toBeUndefined();
  });

  it('allows only configured browser origins (CORS)', async () => {
    const app = stack.appWith({ corsOrigins: ['https://console.district.example'] });
    const ok = await request(app).options('/api/cases').set('Origin', 'https://console.district.example').set('Access-Control-Request-Method', 'POST');
    expect(ok.headers['access-control-allow-origin']).toBe('https://console.district.example');
    const other = await request(app).options('/api/cases').set('Origin', 'https://evil.example').set('Access-Control-Request-Method', 'POST');
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('limits writes per identity, not per address', async () => {
    const app = stack.appWith({ rateLimitPerMinute: 2 });
    const pause = (who: string) => request(app).post(`/api/cases/${tianan}/pause`).set(as(who)).send({});
    expect((await pause('stw-point-1')).status).toBe(400);
    expect((await pause('stw-point-1')).status).toBe(400);
    const limited = await pause('stw-point-1');
    expect(limited.status).toBe(429);
    expect(limited.body.error.code).toBe('rate_limited');
    expect((await pause('stw-area-east')).status).toBe(400); // someone else is not held back
    expect((await request(app).get(`/api/cases/${tianan}`).set(as('stw-point-1'))).status).toBe(200); // reads are not limited
    // nor is the codec, which changes nothing and gets one request per payload from the CLI
    for (let i = 0; i < 3; i++) expect((await request(app).post('/api/codec/decode').set(as('admin')).send({ payloads: [] })).status).toBe(200);
  });

  it('never logs a token or a secret', () => {
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) });
    const logger = createLogger('info', sink);
    logger.info({ headers: { authorization: 'Bearer eyJ.secret.token' }, department: { webhookSecret: WEBHOOK_SECRET }, password: 'demo' }, 'request');
    expect(lines.join('')).not.toMatch(/eyJ\.secret|do-not-leak|"demo"/);
    expect(lines.join('')).toContain('[redacted]');
  });

  it('names a bad secret variable without echoing its value', () => {
    expect(() => loadConfig({ PAYLOAD_KEYS: 'k1:not base64!!' })).toThrow(ConfigError);
    try {
      loadConfig({ PAYLOAD_KEYS: 'k1:not base64!!' });
    } catch (err) {
      expect((err as Error).message).toContain('PAYLOAD_KEYS');
      expect((err as Error).message).not.toContain('not base64');
    }
  });
});
