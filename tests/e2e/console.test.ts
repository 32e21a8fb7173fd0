/**
 * The web console in a real browser (Debian's Chromium driven by playwright-core) against the real
 * stack: Temporal dev server, worker, API serving web/dist, and the identity provider's own login
 * page. Needs `bash scripts/setup.sh` (chromium, fonts-noto-cjk, the console build).
 * Screenshots of each main page land in test-output/screenshots/ for a reviewer.
 */
import { existsSync, mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startStack, type Stack } from '../helpers/stack';
import { freePort } from '../helpers/ports';

const ROOT = path.resolve(__dirname, '../..');
const SHOTS = path.join(ROOT, 'test-output/screenshots');
const CHROMIUM = '/usr/bin/chromium';

let stack: Stack;
let server: Server;
let origin: string;
let browser: Browser;
const contexts: BrowserContext[] = [];
/** the case the 点楼长 acknowledged, carried on by the next test */
let journey: { caseId: string; title: string; steward: Page } | undefined;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: run bash scripts/setup.sh (it installs Debian's chromium and fonts-noto-cjk)`);
  if (!existsSync(path.join(ROOT, 'web/dist/index.html'))) throw new Error('web/dist is missing: run bash scripts/setup.sh (it builds the console)');
  mkdirSync(SHOTS, { recursive: true });
  const port = await freePort();
  origin = `http://127.0.0.1:${port}`;
  stack = await startStack({ consoleOrigin: origin });
  const app = stack.appWith({ console: { issuer: stack.idp.issuer, clientId: 'steward-console' } });
  server = await new Promise<Server>((resolve) => {
    const s = app.listen(port, '127.0.0.1', () => resolve(s));
  });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-dev-shm-usage'],
  });
});

afterAll(async () => {
  await Promise.all(contexts.map((c) => c.close().catch(() => undefined)));
  await browser?.close();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  await stack?.stop();
});

/** A fresh browser (its own cookies and session storage) signed in through the provider's login page. */
async function signIn(user: string, viewport = { width: 1280, height: 900 }): Promise<Page> {
  const context = await browser.newContext({ viewport, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  contexts.push(context);
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (err) => problems.push(err.message));
  page.on('console', (msg) => {
    if (msg.type() === 'error' && /Content Security Policy|CORS/i.test(msg.text())) problems.push(msg.text());
  });
  await page.goto(`${origin}/`);
  await page.getByRole('button', { name: '登录' }).click();
  // the identity provider's own page: pick the demo user, type the demo password
  await page.waitForURL((url) => url.origin === stack.idp.issuer && url.pathname.startsWith('/interaction/'));
  await page.locator('select[name=subject]').selectOption(user);
  await page.locator('input[name=password]').fill('demo');
  await page.getByRole('button', { name: /登录/ }).click();
  await page.waitForURL((url) => url.origin === origin && url.pathname !== '/callback');
  await page.getByRole('button', { name: '退出' }).waitFor();
  expect(problems).toEqual([]);
  return page;
}

async function openCase(user: string, title: string): Promise<string> {
  const res = await fetch(`${origin}/api/cases`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(await stack.auth(user)) },
    body: JSON.stringify({
      buildingId: 'bld-tianan',
      enterprise: { creditCode: '91310107MA1G0AB10G' },
      category: 'outdoor_promotion',
      title,
      description: '周末在楼前广场外摆促销，申请许可',
      contact: { name: '周经理', phone: '13900000001' },
    }),
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { caseId: string }).caseId;
}

describe('web console', () => {
  it('serves the built console at / and at its own routes, with long-lived hashed assets and the provider in the CSP', async () => {
    const home = await fetch(`${origin}/`);
    expect(home.status).toBe(200);
    expect(home.headers.get('content-type')).toMatch(/text\/html/);
    expect(home.headers.get('content-security-policy')).toContain(`connect-src 'self' ${stack.idp.issuer}`);
    const html = await home.text();
    const asset = /src="(\/assets\/[^"]+\.js)"/.exec(html)![1]!;
    expect((await fetch(`${origin}${asset}`)).headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect((await fetch(`${origin}/cases/C20260101-ABCDEF`)).headers.get('content-type')).toMatch(/text\/html/);
    const api404 = await fetch(`${origin}/api/nowhere`);
    expect(api404.status).toBe(404);
    expect(await (await fetch(`${origin}/api/console-config`)).json()).toEqual({ issuer: stack.idp.issuer, clientId: 'steward-console', scope: 'openid profile api' });
  });

  it('an enterprise files an appeal in the browser; the field error of the server shows on the field', async () => {
    const page = await signIn('ent-qianshu', { width: 390, height: 844 });
    await page.goto(`${origin}/file`);
    await page.getByLabel('所在楼宇').click();
    await page.getByTitle('天安千树大厦').first().click();
    await page.getByLabel('诉求事项').click();
    await page.getByTitle('外摆活动审批').click();
    await page.getByText(/承诺时限：签收/).waitFor();
    await page.getByLabel('标题').fill('店庆外摆（浏览器提交）');
    await page.getByLabel('诉求描述').fill('周末在楼前广场外摆促销，申请许可');
    await page.getByLabel('联系人').fill('周经理');
    // the server's own check: not a phone number
    await page.getByLabel('联系电话').fill('abc');
    await page.locator('form button[type=submit]').click();
    await page.getByRole('alert').first().waitFor();
    // the server's message for the field, under the field
    await page.locator('.ant-form-item-explain-error', { hasText: '须为电话号码' }).waitFor();
    await page.screenshot({ path: path.join(SHOTS, 'file-appeal-phone.png'), fullPage: true });
    await page.getByLabel('联系电话').fill('13900000001');
    await page.locator('form button[type=submit]').click().catch(async (err: unknown) => {
      await page.screenshot({ path: path.join(SHOTS, 'failure-file.png'), fullPage: true });
      throw err;
    });
    await page.waitForURL(/\/cases\/C\d{8}-/);
    await page.getByTestId('stage').filter({ hasText: '待签收' }).waitFor();
    await page.goto(`${origin}/my-cases`);
    await page.getByRole('heading', { name: '我的诉求' }).waitFor();
    await page.locator('tr', { hasText: '店庆外摆（浏览器提交）' }).waitFor();
    await page.screenshot({ path: path.join(SHOTS, 'my-cases-phone.png'), fullPage: true });
  });

  it('the 点楼长 sees the case in 我的待办 with its light, opens it and acknowledges it through the button', async () => {
    const title = `店庆外摆 ${Date.now()}`;
    const caseId = await openCase('ent-qianshu', title);
    const page = await signIn('stw-point-1');
    await page.getByRole('heading', { name: '我的待办' }).waitFor();
    const row = page.locator('tr', { hasText: caseId });
    await row.waitFor();
    expect(['超期', '临期', '正常']).toContain((await row.locator('[data-light]').textContent())?.trim());
    await page.screenshot({ path: path.join(SHOTS, 'inbox.png'), fullPage: true });

    await row.click();
    await page.waitForURL(`${origin}/cases/${caseId}`);
    await page.getByTestId('stage').filter({ hasText: '待签收' }).waitFor();
    await page.getByText(/剩余|已超期|暂停/).first().waitFor();
    await page.screenshot({ path: path.join(SHOTS, 'case-page.png'), fullPage: true });

    await page.getByRole('button', { name: '签收' }).click();
    await page.getByLabel('签收说明').fill('已电话联系企业');
    await page.getByRole('dialog').getByRole('button', { name: '提交', exact: true }).click();
    await page.getByTestId('stage').filter({ hasText: '已签收' }).waitFor();
    await page.getByRole('button', { name: '派单' }).waitFor();
    await page.screenshot({ path: path.join(SHOTS, 'case-acknowledged.png'), fullPage: true });
    journey = { caseId, title, steward: page };
  });

  it('the case goes on across roles: dispatched, answered by the department, approved, and the manager sees the rates', async () => {
    const { caseId, title, steward } = journey!;
    await steward.getByRole('button', { name: '派单' }).click();
    await steward.getByLabel('主办部门').click();
    await steward.getByTitle('城管中队').click();
    await steward.getByLabel('办理要求').fill('核定摆位与时段');
    await steward.getByRole('dialog').getByRole('button', { name: '提交', exact: true }).click();
    await steward.getByTestId('stage').filter({ hasText: '办理中' }).waitFor();

    const clerk = await signIn('staff-urban');
    await clerk.getByRole('heading', { name: '部门任务' }).waitFor();
    const task = clerk.locator('tr', { hasText: title });
    await task.waitFor();
    await clerk.screenshot({ path: path.join(SHOTS, 'department-tasks.png'), fullPage: true });
    await task.click();
    await clerk.waitForURL(`${origin}/cases/${caseId}`);
    await clerk.getByRole('button', { name: '部门答复' }).click();
    await clerk.getByLabel('答复内容').fill('准予外摆，限周六 10:00-18:00');
    await clerk.getByRole('dialog').getByRole('button', { name: '提交', exact: true }).click();
    await clerk.getByRole('dialog').waitFor({ state: 'detached' });

    await steward.reload();
    await steward.getByTestId('stage').filter({ hasText: '待审核' }).waitFor();
    await steward.getByRole('button', { name: '审核通过' }).click();
    await steward.getByRole('dialog').getByRole('button', { name: '提交', exact: true }).click();
    await steward.getByTestId('stage').filter({ hasText: /已办结|待回访/ }).waitFor();

    const manager = await signIn('manager-town');
    await manager.goto(`${origin}/dashboard`);
    await manager.getByRole('heading', { name: /考核看板/ }).waitFor();
    await manager.locator('tr', { hasText: '合计' }).waitFor();
    await manager.getByRole('img', { name: /趋势图/ }).locator('canvas').waitFor();
    await manager.screenshot({ path: path.join(SHOTS, 'dashboard.png'), fullPage: true });
  });

  it('a refused action shows the Chinese reason of the server', async () => {
    const caseId = await openCase('ent-qianshu', `过期页面 ${Date.now()}`);
    const page = await signIn('stw-point-1');
    await page.goto(`${origin}/cases/${caseId}`);
    await page.getByRole('button', { name: '签收' }).click();
    // meanwhile the case is acknowledged elsewhere: this page's button is stale
    const ack = await fetch(`${origin}/api/cases/${caseId}/acknowledge`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(await stack.auth('stw-point-1')) },
      body: '{}',
    });
    expect(ack.status).toBe(200);
    await page.getByRole('dialog').getByRole('button', { name: '提交', exact: true }).click();
    const alert = page.getByRole('alert').filter({ hasText: '无法签收' });
    await alert.waitFor();
    expect(await alert.textContent()).toContain('案件当前状态为“已签收”');
    await page.screenshot({ path: path.join(SHOTS, 'refused-action.png'), fullPage: true });
  });
});
