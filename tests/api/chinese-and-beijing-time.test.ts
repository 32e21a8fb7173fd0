/**
 * Chinese and Beijing time at the edges: every instant an answer gives is Beijing time with its
 * offset (`…+08:00`), inputs take any offset, and every error speaks Chinese to a steward by
 * default — the validation issues, the refusals of the case rules (their instants in Beijing time),
 * a missing case — and English to a caller that prefers it (Accept-Language: en).
 */
import request from 'supertest';
import { eventually } from '../helpers/eventually';
import { type Stack, startStack } from '../helpers/stack';
import { openCaseBody } from '../fixtures/case-input';

let stack: Stack;
const tokens: Record<string, string> = {};
const SUBJECTS = ['ent-qianshu', 'stw-point-1', 'stw-area-east', 'manager-town', 'admin'];

beforeAll(async () => {
  stack = await startStack();
  for (const s of SUBJECTS) tokens[s] = await stack.token(s);
});

afterAll(async () => {
  await stack?.stop();
});

const as = (subject: string) => ({ Authorization: `Bearer ${tokens[subject]}` });
const get = (url: string, who = 'stw-point-1') => request(stack.app).get(url).set(as(who));
const post = (url: string, body: object, who = 'stw-point-1') => request(stack.app).post(url).set(as(who)).send(body);

const UTC_INSTANT = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;
const BEIJING_INSTANT = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+08:00$/;

/** Every string in an answer, with where it is. */
function strings(value: unknown, at = '$'): [string, string][] {
  if (typeof value === 'string') return [[at, value]];
  if (Array.isArray(value)) return value.flatMap((v, i) => strings(v, `${at}[${i}]`));
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => strings(v, `${at}.${k}`));
  return [];
}

/** Asserts that no UTC instant is left in an answer, and returns how many Beijing ones it has. */
function beijingOnly(body: unknown): number {
  const all = strings(body);
  expect(all.filter(([, s]) => UTC_INSTANT.test(s))).toEqual([]);
  return all.filter(([, s]) => BEIJING_INSTANT.test(s)).length;
}

let caseId: string;
beforeAll(async () => {
  const opened = await post('/api/cases', openCaseBody({ title: '北京时间示例' }), 'ent-qianshu');
  expect(opened.status).toBe(201);
  caseId = opened.body.caseId;
  expect((await post(`/api/cases/${caseId}/acknowledge`, { note: '已联系' })).status).toBe(200);
});

describe('instants in Beijing time', () => {
  it('answers a case with every instant at +08:00: deadlines, history, clocks, the calendar note', async () => {
    const read = await eventually(async () => {
      const r = await get(`/api/cases/${caseId}`);
      expect(r.body).toMatchObject({ source: 'database', stage: 'acknowledged' });
      return r;
    });
    expect(beijingOnly(read.body)).toBeGreaterThan(8);
    expect(read.body.openedAt).toMatch(BEIJING_INSTANT);
    expect(read.body.history[0].at).toMatch(BEIJING_INSTANT);
    expect(read.body.recordedAt).toMatch(BEIJING_INSTANT);
    // the same instants as the workflow holds
    const live = await get(`/api/cases/${caseId}?live=true`);
    expect(beijingOnly(live.body)).toBeGreaterThan(8);
    expect(Date.parse(live.body.deadlines.resolutionDueAt)).toBe(Date.parse(read.body.deadlines.resolutionDueAt));
  });

  it('answers lists, the audit log and an action at +08:00, and the cursor still walks on', async () => {
    const first = await get('/api/cases?pageSize=1', 'manager-town');
    expect(first.status).toBe(200);
    expect(beijingOnly(first.body)).toBeGreaterThan(1);
    expect(first.body.generatedAt).toMatch(BEIJING_INSTANT);
    if (first.body.nextCursor) {
      const next = await get(`/api/cases?pageSize=1&cursor=${first.body.nextCursor}`, 'manager-town');
      expect(next.status).toBe(200);
      expect(next.body.items[0]?.id).not.toBe(first.body.items[0].id);
    }
    const audit = await eventually(async () => {
      const r = await get(`/api/audit?target=case:${caseId}`, 'admin');
      expect(r.body.items.length).toBeGreaterThan(0);
      return r;
    });
    expect(beijingOnly(audit.body)).toBeGreaterThan(0);
    const paused = await post(`/api/cases/${caseId}/pause`, { reason: '请补充营业执照副本' });
    expect(paused.status).toBe(200);
    expect(beijingOnly(paused.body)).toBeGreaterThan(3);
    expect(paused.body.pause.since).toMatch(BEIJING_INSTANT);
    expect((await post(`/api/cases/${caseId}/supply-info`, { info: '已上传' }, 'ent-qianshu')).status).toBe(200);
  });

  it('takes instants at any offset: a Beijing time and the same instant in UTC filter the audit log alike', async () => {
    const since = new Date(Date.now() - 3_600_000);
    const beijing = since.toISOString().replace('Z', '+00:00');
    const inUtc = await get(`/api/audit?target=case:${caseId}&from=${encodeURIComponent(since.toISOString())}`, 'admin');
    const inOffset = await get(`/api/audit?target=case:${caseId}&from=${encodeURIComponent(beijing)}`, 'admin');
    expect(inOffset.status).toBe(200);
    expect(inOffset.body.items.map((e: { id: number }) => e.id)).toEqual(inUtc.body.items.map((e: { id: number }) => e.id));
  });

  it('says the time left on each clock as working time, and a policy’s limits in Chinese', async () => {
    const read = await get(`/api/cases/${caseId}`);
    expect(read.body.clocks.resolution.remainingText).toMatch(/^剩余 (\d+ 个工作日( \d+ 小时)?|(\d+ 小时)?( ?\d+ 分钟)?)$/);
    expect(read.body.clocks.current.remainingText).toMatch(/^剩余 /);
    expect(read.body.clocks.response.remainingText).toBeNull(); // acknowledged: that step is done
    const item = await get('/api/catalogue/other', 'ent-qianshu');
    expect(item.body.current.policyText).toMatchObject({ resolution: '15 个工作日', urgentResponse: '2 个工作小时', warnAt: '75%' });
  });
});

describe('errors in Chinese, and in English on request', () => {
  it('answers a 400 with each field’s problem in Chinese; in English with Accept-Language: en', async () => {
    const bad = openCaseBody({ title: '', contact: { name: '周经理', phone: 'x' }, priority: 'high' });
    const zh = await post('/api/cases', bad, 'ent-qianshu');
    expect(zh.status).toBe(400);
    expect(zh.headers['content-language']).toBe('zh-CN');
    expect(zh.body.error.code).toBe('validation_failed');
    expect(zh.body.error.issues).toEqual(
      expect.arrayContaining([
        { field: 'body.title', message: '不能为空' },
        { field: 'body.contact.phone', message: '须为电话号码' },
        { field: 'body.priority', message: '不允许的字段' },
      ]),
    );
    expect(zh.body.error.message).toMatch(/body\.title：不能为空/);
    const missing = await post('/api/cases', { buildingId: 'bld-tianan' }, 'ent-qianshu');
    expect(missing.body.error.issues).toEqual(expect.arrayContaining([{ field: 'body.title', message: '必填' }]));

    const en = await request(stack.app).post('/api/cases').set(as('ent-qianshu')).set('Accept-Language', 'en-US,en;q=0.9').send(bad);
    expect(en.headers['content-language']).toBe('en');
    expect(en.body.error.code).toBe('validation_failed');
    expect(en.body.error.issues).toEqual(
      expect.arrayContaining([
        { field: 'body.title', message: 'must not be empty' },
        { field: 'body.contact.phone', message: 'must be a phone number' },
        { field: 'body.priority', message: 'unknown field' },
      ]),
    );
    // a caller preferring Chinese, or another language, is answered in Chinese
    const zhFirst = await request(stack.app).post('/api/cases').set(as('ent-qianshu')).set('Accept-Language', 'zh-CN,zh;q=0.9,en;q=0.8').send(bad);
    expect(zhFirst.body.error.issues).toEqual(expect.arrayContaining([{ field: 'body.title', message: '不能为空' }]));
  });

  it('answers a 409 refusal with its reason in Chinese, the latest deadline in Beijing time', async () => {
    const read = await get(`/api/cases/${caseId}`);
    const tooFar = new Date(Date.parse(read.body.deadlines.resolutionDueAt) + 200 * 86_400_000).toISOString();
    const refused = await post(`/api/cases/${caseId}/request-extension`, { reason: '需协调多个部门', newDueAt: tooFar });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('refused');
    expect(refused.body.error.message).toMatch(/^延期累计不得超过 30 个工作日：办结期限最晚可延至 (\d{4}-\d\d-\d\d \d\d:\d\d)（北京时间）$/);
    expect(refused.body.error.message).not.toMatch(/\d{2}Z|T\d\d:\d\d/);
    const inEnglish = await request(stack.app)
      .post(`/api/cases/${caseId}/request-extension`)
      .set(as('stw-point-1'))
      .set('Accept-Language', 'en')
      .send({ reason: '需协调多个部门', newDueAt: tooFar });
    expect(inEnglish.body.error).toMatchObject({ code: 'refused', message: expect.stringMatching(/^extensions are capped at 30 working days in total: the latest possible deadline is (\S+Z)$/) });
    // both name the same instant: the Chinese as Beijing wall-clock time
    const utc = /is (\S+Z)$/.exec(inEnglish.body.error.message)![1]!;
    const wall = new Date(Date.parse(utc) + 8 * 3_600_000).toISOString();
    expect(refused.body.error.message).toContain(`${wall.slice(0, 10)} ${wall.slice(11, 16)}（北京时间）`);
    // a refusal by the level rules, naming the people as a steward does
    const forbidden = await post(`/api/cases/${caseId}/decide-extension`, { approve: true }, 'stw-area-east');
    expect(forbidden.body.error).toMatchObject({ code: 'refused', message: '没有待审批的延期申请' });
  });

  it('answers a 404 in Chinese, for a case and for a route', async () => {
    const missing = await get('/api/cases/C20260101-ZZZZZZ');
    expect(missing.status).toBe(404);
    expect(missing.body.error).toMatchObject({ code: 'not_found', message: '案件 C20260101-ZZZZZZ 不存在' });
    const english = await get('/api/cases/C20260101-ZZZZZZ').set('Accept-Language', 'en');
    expect(english.body.error).toMatchObject({ code: 'not_found', message: 'case C20260101-ZZZZZZ not found' });
    const route = await get('/api/nowhere');
    expect(route.body.error).toMatchObject({ code: 'not_found', message: '接口不存在：GET /api/nowhere' });
  });

  it('answers 401 and 403 in Chinese, keeping the English reason in WWW-Authenticate', async () => {
    const anonymous = await request(stack.app).get('/api/me');
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.error.message).toBe('请先登录：请求须携带访问令牌（Authorization: Bearer <令牌>）');
    const garbage = await request(stack.app).get('/api/me').set('Authorization', 'Bearer not-a-jwt');
    expect(garbage.body.error.message).toBe('访问令牌格式无效，请重新登录');
    expect(garbage.headers['www-authenticate']).toMatch(/error_description="the access token is not a signed JWT"/);
    const notAdmin = await get('/api/admin/people', 'manager-town');
    expect(notAdmin.body.error).toMatchObject({ code: 'forbidden', message: '此操作需要以下角色之一：管理员；您的角色：管理者/督查' });
  });
});
