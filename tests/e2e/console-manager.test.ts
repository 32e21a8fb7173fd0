/**
 * The manager's console in a real browser against the real stack (tests/helpers/console-browser.ts):
 * 考核看板 by building and by steward with each figure opening exactly its cases, and 亮灯督办 with
 * the overdue and at-risk lists and the workload the data implies.
 *
 * The data, made through the API as the people who would make it:
 *  - 按时签收 at 天安千树大厦, acknowledged at once by its 点楼长 陈静 (response on time);
 *  - 华师签收 at 华师大科技园, acknowledged at once by its 点楼长 刘洋 (response on time);
 *  - 超期示例 at 天安千树大厦 under `quick_test` (a one-second response clock): nobody acknowledges,
 *    it escalates to the 分楼长 李明 and is overdue (response late);
 *  - 临期示例 at 天安千树大厦 under an item the administrator adds with a ten-minute response clock
 *    and its warning at 5 % (30 s): at risk after half a minute, overdue only after ten.
 */
import type { Page } from 'playwright-core';
import { openConsoleBrowser, type ConsoleBrowser } from '../helpers/console-browser';
import { eventually } from '../helpers/eventually';

let b: ConsoleBrowser;
let origin: string;
const stamp = Date.now();
const T = {
  onTime: `按时签收 ${stamp}`,
  huashi: `华师签收 ${stamp}`,
  overdue: `超期示例 ${stamp}`,
  atRisk: `临期示例 ${stamp}`,
};
const ids: Record<keyof typeof T, string> = { onTime: '', huashi: '', overdue: '', atRisk: '' };
let manager: Page;

async function get(user: string, p: string) {
  const res = await fetch(`${origin}${p}`, { headers: await b.stack.auth(user) });
  if (res.status !== 200) throw new Error(`GET ${p} answered ${res.status}`);
  return (await res.json()) as any;
}

async function open(user: string, body: Record<string, unknown>) {
  const res = await b.post(user, '/api/cases', { description: '企业诉求，测试数据', contact: { name: '联系人', phone: '13900000009' }, ...body });
  if (res.status !== 201) throw new Error(`opening a case answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body.caseId as string;
}

const QIANSHU = { buildingId: 'bld-tianan', enterprise: { creditCode: '91310107MA1G0AB10G' } };
const HUASHI = { buildingId: 'bld-huashi', enterprise: { creditCode: '91310107MA1H2CD30E' } };

beforeAll(async () => {
  b = await openConsoleBrowser();
  origin = b.origin;
  const put = await fetch(`${origin}/api/catalogue/quick_warn`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', ...(await b.stack.auth('admin')) },
    body: JSON.stringify({
      name: '临期测试事项',
      policy: { response: { value: 600, unit: 'seconds' }, urgentResponse: { value: 600, unit: 'seconds' }, warnAt: 0.05 },
    }),
  });
  expect(put.status).toBe(201);
  // opened first: its warning point (30 s) passes while the rest is set up and the dashboard is checked
  ids.atRisk = await open('ent-qianshu', { ...QIANSHU, category: 'quick_warn', title: T.atRisk });
  ids.overdue = await open('ent-qianshu', { ...QIANSHU, category: 'quick_test', title: T.overdue });
  ids.onTime = await b.openCase('ent-qianshu', T.onTime);
  expect((await b.post('stw-point-1', `/api/cases/${ids.onTime}/acknowledge`, { note: '已联系企业' })).status).toBe(200);
  ids.huashi = await open('ent-huashi', { ...HUASHI, category: 'outdoor_promotion', title: T.huashi });
  expect((await b.post('stw-point-2', `/api/cases/${ids.huashi}/acknowledge`, {})).status).toBe(200);
  // the worker escalates the unanswered quick_test case to the 分楼长 and flags it overdue
  await eventually(async () => {
    const list = await get('manager-town', '/api/cases?overdue=true');
    expect(list.items.map((c: { id: string }) => c.id)).toContain(ids.overdue);
    expect(list.items.find((c: { id: string }) => c.id === ids.overdue)).toMatchObject({ ownerStewardId: 'stw-area-east', ownerLevel: 2 });
  }, { timeoutMs: 20_000, intervalMs: 250 });
  manager = await b.signIn('manager-town');
}, 180_000);

afterAll(async () => {
  await b?.close();
});

/** A rates row of the dashboard's table, by the group's name. */
const ratesRow = (page: Page, name: string) => page.getByRole('table', { name: /的考核指标$/ }).locator('tr', { has: page.getByRole('cell', { name, exact: true }) });

async function pick(page: Page, select: string, option: string) {
  await page.getByLabel(select).click();
  const dropdown = page.locator('.ant-select-dropdown:visible');
  await dropdown.getByTitle(option, { exact: true }).click();
  await dropdown.waitFor({ state: 'hidden' });
}

/** The titles listed in the open dialog once its list has loaded, and its "共 N 件". */
async function dialogList(page: Page, total: number) {
  const dialog = page.getByRole('dialog');
  await dialog.getByText(`共 ${total} 件`).waitFor();
  return dialog.locator('tbody tr.ant-table-row').locator('a[href^="/cases/"]').allTextContents();
}

describe('the manager’s console', () => {
  it('考核看板: the rates by building and by steward; a figure opens exactly its cases, and a case its page', async () => {
    await manager.goto(`${origin}/dashboard`);
    await manager.getByRole('heading', { name: /考核看板 \d{4}年\d{1,2}月/ }).waitFor();
    await ratesRow(manager, '合计').waitFor();
    // three responses fell due this month, two answered in time (the overdue one was not)
    await manager.getByRole('button', { name: '合计 响应率 分母（应响应）3 件，查看案件' }).waitFor();
    await manager.getByRole('button', { name: '合计 响应率 分子（按时响应）2 件，查看案件' }).waitFor();
    expect(await ratesRow(manager, '合计').textContent()).toContain('66.7%');
    // by area: both buildings are in 天安千树园区
    expect(await ratesRow(manager, '天安千树园区').textContent()).toContain('66.7%');

    await pick(manager, '分组方式', '按楼宇');
    await manager.getByRole('heading', { name: '按楼宇' }).waitFor();
    await ratesRow(manager, '天安千树大厦').waitFor();
    expect(await ratesRow(manager, '天安千树大厦').textContent()).toContain('50.0%');
    expect(await ratesRow(manager, '华师大科技园').textContent()).toContain('100.0%');
    expect(manager.url()).toContain('groupBy=building');
    await b.shot(manager, 'dashboard-by-building');

    await manager.getByRole('button', { name: '天安千树大厦 响应率 分母（应响应）2 件，查看案件' }).click();
    expect((await dialogList(manager, 2)).sort()).toEqual([T.onTime, T.overdue].sort());
    await manager.getByRole('dialog').getByText('天安千树大厦 响应率 分母（应响应）').first().waitFor();
    await b.shot(manager, 'dashboard-drilldown');
    await manager.getByRole('dialog').getByRole('button', { name: /关闭|Close/ }).click();
    await manager.getByRole('dialog').waitFor({ state: 'detached' });

    await manager.getByRole('button', { name: '天安千树大厦 响应率 分子（按时响应）1 件，查看案件' }).click();
    expect(await dialogList(manager, 1)).toEqual([T.onTime]);
    await manager.getByRole('dialog').getByRole('link', { name: T.onTime }).click();
    await manager.waitForURL(`${origin}/cases/${ids.onTime}`);
    await manager.getByTestId('stage').filter({ hasText: '已签收' }).waitFor();

    // back: the dashboard keeps the grouping it was left with
    await manager.goBack();
    await manager.getByRole('heading', { name: '按楼宇' }).waitFor();

    await pick(manager, '分组方式', '按楼长');
    await manager.getByRole('heading', { name: '按楼长' }).waitFor();
    // a case counts for the steward who owns it now: the overdue one went up to the 分楼长 李明
    await ratesRow(manager, '李明').waitFor();
    expect(await ratesRow(manager, '李明').textContent()).toContain('0.0%');
    expect(await ratesRow(manager, '陈静').textContent()).toContain('100.0%');
    expect(await ratesRow(manager, '刘洋').textContent()).toContain('100.0%');
    await manager.getByRole('button', { name: '李明 响应率 分母（应响应）1 件，查看案件' }).click();
    expect(await dialogList(manager, 1)).toEqual([T.overdue]);
    await manager.getByRole('dialog').getByRole('button', { name: /关闭|Close/ }).click();
    await manager.getByRole('dialog').waitFor({ state: 'detached' });
    await b.shot(manager, 'dashboard-by-steward');

    // no case has a lead department yet: all three are 未派单
    await pick(manager, '分组方式', '按主办部门');
    await ratesRow(manager, '未派单').waitFor();
    expect(await ratesRow(manager, '未派单').textContent()).toContain('66.7%（2/3）');
    await manager.getByRole('button', { name: '未派单 响应率 分母（应响应）3 件，查看案件' }).click();
    expect((await dialogList(manager, 3)).sort()).toEqual([T.onTime, T.overdue, T.huashi].sort());
    await manager.getByRole('dialog').getByRole('button', { name: /关闭|Close/ }).click();
    await manager.getByRole('dialog').waitFor({ state: 'detached' });

    // the year: the same three responses (all made this month), and the trend over the year's months
    await pick(manager, '统计周期类型', '按年');
    await manager.getByRole('heading', { name: /考核看板 \d{4}年$/ }).waitFor();
    await manager.getByRole('button', { name: '合计 响应率 分母（应响应）3 件，查看案件' }).waitFor();
    await manager.getByRole('img', { name: /趋势图/ }).locator('canvas').waitFor();

    // the 月报 of the period shown, fetched with the token
    const [download] = await Promise.all([manager.waitForEvent('download'), manager.getByRole('button', { name: /下载月报/ }).click()]);
    expect(download.suggestedFilename()).toMatch(/^月报-\d{4}\.xlsx$/);
  });

  it('亮灯督办: the overdue and at-risk lists agree with the API, with names; workload per steward', async () => {
    // the warning point of the at-risk case (30 s after it opened) has passed by the clock
    await eventually(async () => expect((await get('manager-town', '/api/cases?atRisk=true')).items.map((c: { id: string }) => c.id)).toContain(ids.atRisk), {
      timeoutMs: 60_000,
      intervalMs: 500,
    });
    const overdue = await get('manager-town', '/api/cases?overdue=true&count=true&pageSize=100');
    const atRisk = await get('manager-town', '/api/cases?atRisk=true&count=true&pageSize=100');
    expect(overdue.total).toBe(1);
    expect(atRisk.total).toBe(1);

    await manager.goto(`${origin}/supervision`);
    await manager.getByRole('heading', { name: '亮灯督办' }).waitFor();
    await manager.getByText('督查范围：长寿路街道').waitFor();

    const overdueTable = manager.getByRole('table', { name: '超期案件' });
    const late = overdueTable.locator('tr', { hasText: T.overdue });
    await late.waitFor();
    expect(await overdueTable.locator('tbody tr.ant-table-row').count()).toBe(overdue.total);
    expect((await late.locator('[data-light]').textContent())?.trim()).toBe('超期');
    const lateText = (await late.textContent()) ?? '';
    expect(lateText).toContain('天安千树大厦');
    expect(lateText).toContain('李明');
    expect(lateText).toContain('分楼长');
    // office time past the deadline, as the API's row words it (at night: 已超期, no office time yet)
    expect(lateText).toMatch(/已超期( \d+ 小时)?( \d+ 分钟)?（自 \d{2}-\d{2} \d{2}:\d{2} 起）/);

    const atRiskTable = manager.getByRole('table', { name: '临期案件' });
    const near = atRiskTable.locator('tr', { hasText: T.atRisk });
    await near.waitFor();
    expect(await atRiskTable.locator('tbody tr.ant-table-row').count()).toBe(atRisk.total);
    expect((await near.locator('[data-light]').textContent())?.trim()).toBe('临期');
    const nearText = (await near.textContent()) ?? '';
    expect(nearText).toContain('陈静');
    expect(nearText).toContain('点楼长');
    expect(nearText).toContain('待签收');
    expect(nearText).toMatch(/剩余 (\d+ 个工作日 ?)?(\d+ 小时 ?)?(\d+ 分钟|不足 1 分钟)/);
    await manager.getByText(`已显示 ${overdue.total} / 共 ${overdue.total} 件`).first().waitFor();

    // the overdue picture: the one overdue case is owned at level 2
    await manager.getByRole('button', { name: '承办层级为分楼长的超期案件 1 件，查看案件' }).click();
    expect(await dialogList(manager, 1)).toEqual([T.overdue]);
    await manager.getByRole('dialog').getByRole('button', { name: /关闭|Close/ }).click();
    await manager.getByRole('dialog').waitFor({ state: 'detached' });
    await b.shot(manager, 'supervision');

    // workload: 陈静 owns the on-time case and the at-risk one, 李明 the overdue one, 刘洋 华师's
    const workload = manager.getByRole('table', { name: '楼长工作量' });
    const row = (name: string) => workload.locator('tr.ant-table-row', { has: manager.getByRole('button', { name: `${name} 承办的全部案件` }) });
    await row('陈静').waitFor();
    const cells = async (name: string) => (await row(name).locator('td').allTextContents()).map((t) => t.trim());
    expect((await cells('陈静')).slice(1, 5)).toEqual(['2', '临期 1', '0', '0']);
    expect((await cells('李明')).slice(1, 5)).toEqual(['1', '0', '超期 1', '0']);
    expect((await cells('刘洋')).slice(1, 5)).toEqual(['1', '0', '0', '0']);
    const api = (await get('manager-town', '/api/stats/workload')).stewards as { name: string; open: number; atRisk: number; overdue: number }[];
    expect(api.map((s) => s.name).sort()).toEqual(['刘洋', '李明', '陈静'].sort());
    expect(await workload.locator('tbody tr.ant-table-row').count()).toBe(api.length);

    await row('陈静').getByRole('button', { name: '陈静 在办的案件 2 件，查看案件' }).click();
    expect((await dialogList(manager, 2)).sort()).toEqual([T.onTime, T.atRisk].sort());
    await manager.getByRole('dialog').getByRole('button', { name: /关闭|Close/ }).click();
    await manager.getByRole('dialog').waitFor({ state: 'detached' });
    await row('陈静').getByRole('button', { name: '陈静 的临期案件 1 件，查看案件' }).click();
    expect(await dialogList(manager, 1)).toEqual([T.atRisk]);
    await manager.getByRole('dialog').getByRole('link', { name: T.atRisk }).click();
    await manager.waitForURL(`${origin}/cases/${ids.atRisk}`);
    await manager.goBack();
    await manager.getByRole('heading', { name: '楼长工作量' }).scrollIntoViewIfNeeded();
    await b.shot(manager, 'workload');
  });

  it('亮灯督办 on a phone, for a 分楼长 whose scope is the area: the same lists, nothing outside it', async () => {
    const phone = await b.signIn('stw-area-east', { width: 390, height: 844 });
    await phone.goto(`${origin}/supervision`);
    await phone.getByRole('heading', { name: '亮灯督办' }).waitFor();
    await phone.getByRole('table', { name: '超期案件' }).locator('tr', { hasText: T.overdue }).waitFor();
    await phone.getByRole('table', { name: '临期案件' }).locator('tr', { hasText: T.atRisk }).waitFor();
    await b.shot(phone, 'supervision-phone');

    // the 点楼长 of another building sees neither, and the page says so in words
    const other = await b.signIn('stw-point-3');
    await other.goto(`${origin}/supervision`);
    await other.getByRole('table', { name: '超期案件' }).getByText('当前没有超期案件').waitFor();
    await other.getByRole('table', { name: '临期案件' }).getByText('当前没有临期案件').waitFor();
    expect((await get('stw-point-3', '/api/cases?overdue=true')).items).toEqual([]);
  });
});
