/**
 * The web console in a real browser against the real stack (tests/helpers/console-browser.ts): serving,
 * filing, the inbox, a journey across roles, and a refused action.
 */
import type { Page } from 'playwright-core';
import { openConsoleBrowser, submitDialog, type ConsoleBrowser } from '../helpers/console-browser';

let b: ConsoleBrowser;
let origin: string;
/** the case the 点楼长 acknowledged, carried on by the next test */
let journey: { caseId: string; title: string; steward: Page } | undefined;

beforeAll(async () => {
  b = await openConsoleBrowser();
  origin = b.origin;
});

afterAll(async () => {
  await b?.close();
});

const signIn = (user: string, viewport?: { width: number; height: number }) => b.signIn(user, viewport);

const openCase = (user: string, title: string) => b.openCase(user, title);

describe('web console', () => {
  it('serves the built console at / and at its own routes, with long-lived hashed assets and the provider in the CSP', async () => {
    const home = await fetch(`${origin}/`);
    expect(home.status).toBe(200);
    expect(home.headers.get('content-type')).toMatch(/text\/html/);
    expect(home.headers.get('content-security-policy')).toContain(`connect-src 'self' ${b.stack.idp.issuer}`);
    const html = await home.text();
    const asset = /src="(\/assets\/[^"]+\.js)"/.exec(html)![1]!;
    expect((await fetch(`${origin}${asset}`)).headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect((await fetch(`${origin}/cases/C20260101-ABCDEF`)).headers.get('content-type')).toMatch(/text\/html/);
    const api404 = await fetch(`${origin}/api/nowhere`);
    expect(api404.status).toBe(404);
    expect(await (await fetch(`${origin}/api/console-config`)).json()).toEqual({ issuer: b.stack.idp.issuer, clientId: 'steward-console', scope: 'openid profile api' });
  });

  it("an enterprise files an appeal in the browser, with its files' names; the API's own check refuses a bad field on the field, before sending", async () => {
    const page = await signIn('ent-qianshu', { width: 390, height: 844 });
    const filings: string[] = [];
    page.on('request', (r) => {
      if (r.method() === 'POST' && new URL(r.url()).pathname === '/api/cases') filings.push(r.postData() ?? '');
    });
    await page.goto(`${origin}/file`);
    await page.getByLabel('所在楼宇').click();
    await page.getByTitle('天安千树大厦').first().click();
    await page.getByLabel('诉求事项').click();
    await page.getByTitle('外摆活动审批').click();
    await page.getByText(/承诺时限：签收/).waitFor();
    await page.getByLabel('标题').fill('店庆外摆（浏览器提交）');
    await page.getByLabel('诉求描述').fill('周末在楼前广场外摆促销，申请许可');
    await page.getByLabel('联系人').fill('周经理');
    // the API's own schema (src/api/schemas.ts) in the page: not a phone number
    await page.getByLabel('联系电话').fill('abc');
    await page.locator('form button[type=submit]').click();
    await page.getByRole('alert').first().waitFor();
    // the API's message for the field, under the field, and nothing sent
    await page.locator('.ant-form-item-explain-error', { hasText: '须为电话号码' }).waitFor();
    expect(filings).toEqual([]);
    await page.locator('input[type=file]').setInputFiles([
      { name: '营业执照副本.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4') },
      { name: '摆位示意图.png', mimeType: 'image/png', buffer: Buffer.from('png') },
    ]);
    await page.getByText('摆位示意图.png').waitFor();
    await b.shot(page, 'file-appeal-phone');
    await page.getByLabel('联系电话').fill('13900000001');
    await page.locator('form button[type=submit]').click().catch(async (err: unknown) => {
      await b.shot(page, 'failure-file');
      throw err;
    });
    await page.waitForURL(/\/cases\/C\d{8}-/);
    await page.getByTestId('stage').filter({ hasText: '待签收' }).waitFor();
    // only the names (and sizes, types) went with the appeal, and the case page lists them
    expect(filings).toHaveLength(1);
    expect(JSON.parse(filings[0]!).attachments).toEqual([
      { name: '营业执照副本.pdf', size: 8, mimeType: 'application/pdf' },
      { name: '摆位示意图.png', size: 3, mimeType: 'image/png' },
    ]);
    await page.getByText('营业执照副本.pdf').waitFor();
    await page.goto(`${origin}/my-cases`);
    await page.getByRole('heading', { name: '我的诉求' }).waitFor();
    await page.locator('tr', { hasText: '店庆外摆（浏览器提交）' }).waitFor();
    await b.shot(page, 'my-cases-phone');
  });

  it('the 点楼长 sees the case in 我的待办 with its light, opens it and acknowledges it through the button', async () => {
    const title = `店庆外摆 ${Date.now()}`;
    const caseId = await openCase('ent-qianshu', title);
    const page = await signIn('stw-point-1');
    await page.getByRole('heading', { name: '我的待办' }).waitFor();
    const row = page.locator('tr', { hasText: caseId });
    await row.waitFor();
    expect(['超期', '临期', '正常']).toContain((await row.locator('[data-light]').textContent())?.trim());
    await b.shot(page, 'inbox');

    await row.click();
    await page.waitForURL(`${origin}/cases/${caseId}`);
    await page.getByTestId('stage').filter({ hasText: '待签收' }).waitFor();
    await page.getByText(/剩余|已超期|暂停/).first().waitFor();
    await b.shot(page, 'case-page');

    await page.getByRole('button', { name: '签收' }).click();
    await page.getByLabel('签收说明').fill('已电话联系企业');
    await submitDialog(page);
    await page.getByTestId('stage').filter({ hasText: '已签收' }).waitFor();
    await page.getByRole('button', { name: '派单' }).waitFor();
    await b.shot(page, 'case-acknowledged');
    journey = { caseId, title, steward: page };
  });

  it('the case goes on across roles: dispatched, answered by the department, approved, and the manager sees the rates', async () => {
    const { caseId, title, steward } = journey!;
    await steward.getByRole('button', { name: '派单' }).click();
    await steward.getByLabel('主办部门').click();
    await steward.getByTitle('城管中队').click();
    await steward.getByLabel('办理要求').fill('核定摆位与时段');
    await submitDialog(steward);
    await steward.getByTestId('stage').filter({ hasText: '办理中' }).waitFor();

    const clerk = await signIn('staff-urban');
    await clerk.getByRole('heading', { name: '部门任务' }).waitFor();
    const task = clerk.locator('tr', { hasText: title });
    await task.waitFor();
    await b.shot(clerk, 'department-tasks');
    await task.click();
    await clerk.waitForURL(`${origin}/cases/${caseId}`);
    await clerk.getByRole('button', { name: '部门答复' }).click();
    await clerk.getByLabel('答复内容').fill('准予外摆，限周六 10:00-18:00');
    await submitDialog(clerk);

    await steward.reload();
    await steward.getByTestId('stage').filter({ hasText: '待审核' }).waitFor();
    await steward.getByRole('button', { name: '审核通过' }).click();
    await submitDialog(steward);
    await steward.getByTestId('stage').filter({ hasText: /已办结|待回访/ }).waitFor();

    const manager = await signIn('manager-town');
    await manager.goto(`${origin}/dashboard`);
    await manager.getByRole('heading', { name: /考核看板/ }).waitFor();
    await manager.locator('tr', { hasText: '合计' }).waitFor();
    await manager.getByRole('img', { name: /趋势图/ }).locator('canvas').waitFor();
    await b.shot(manager, 'dashboard');
  });

  it('a refused action shows the Chinese reason of the server', async () => {
    const caseId = await openCase('ent-qianshu', `过期页面 ${Date.now()}`);
    const page = await signIn('stw-point-1');
    await page.goto(`${origin}/cases/${caseId}`);
    await page.getByRole('button', { name: '签收' }).click();
    // meanwhile the case is acknowledged elsewhere: this page's button is stale
    expect((await b.post('stw-point-1', `/api/cases/${caseId}/acknowledge`, {})).status).toBe(200);
    await page.getByRole('dialog').getByRole('button', { name: '提交', exact: true }).click();
    const alert = page.getByRole('alert').filter({ hasText: '无法签收' });
    await alert.waitFor();
    expect(await alert.textContent()).toContain('案件当前状态为“已签收”');
    await b.shot(page, 'refused-action');
  });
});

describe('accessibility basics', () => {
  it('names every control on each main page, for each role', async () => {
    const caseId = await openCase('ent-qianshu', `无障碍检查 ${Date.now()}`);
    const visits: [string, string[]][] = [
      ['stw-point-1', ['/', `/cases/${caseId}`, '/dashboard', '/supervision']],
      ['ent-qianshu', ['/my-cases', '/file', `/cases/${caseId}`]],
      ['staff-urban', ['/tasks']],
      ['admin', ['/admin/directory', '/admin/catalogue', '/admin/import', '/admin/incidents', '/admin/audit']],
    ];
    const found: string[] = [];
    for (const [user, paths] of visits) {
      const page = await signIn(user);
      for (const p of paths) {
        await page.goto(`${origin}${p}`);
        await page.getByRole('button', { name: '退出' }).waitFor();
        await page.waitForLoadState('networkidle');
        for (const html of await b.unlabelled(page)) found.push(`${user} ${p}: ${html}`);
      }
    }
    expect(found).toEqual([]);
    // and the check itself sees a control without a name
    const page = await signIn('stw-point-1');
    await page.setContent('<label>名称 <input id="a"></label><input id="b"><button><span></span></button><select aria-label="级别"></select>');
    expect((await b.unlabelled(page)).map((html) => /id="(\w)"|<(button)/.exec(html)?.slice(1).find(Boolean))).toEqual(['b', 'button']);
  });
});
