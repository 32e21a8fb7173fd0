/**
 * The administrator's console in a real browser against the real stack (tests/helpers/console-browser.ts):
 * the directory (a building created through the form, the server's refusal of a steward from another
 * town on its field, secrets shown only as 已设置), a catalogue change that adds a version, and an
 * import of towns checked row by row before it is written.
 */
import ExcelJS from 'exceljs';
import type { Locator, Page } from 'playwright-core';
import { openConsoleBrowser, type ConsoleBrowser } from '../helpers/console-browser';

let b: ConsoleBrowser;
let page: Page;

beforeAll(async () => {
  b = await openConsoleBrowser();
});

afterAll(async () => {
  await b?.close();
});

/** The API as the demo administrator. */
async function asAdmin(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${b.origin}${path}`, {
    method,
    headers: { ...(await b.stack.auth('admin')), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json().catch(() => null)) as any };
}

/** The error shown under the form item labelled `label`. */
const fieldError = (scope: Locator, label: string) =>
  scope.locator('.ant-form-item').filter({ has: scope.page().locator('label', { hasText: new RegExp(`^${label}$`) }) }).locator('.ant-form-item-explain-error');

/** Waits out the dialogs' opening animation, for a screenshot. */
const settled = (p: Page) => p.waitForFunction(() => !(globalThis as any).document.querySelector('[class*="-zoom-appear"], [class*="-zoom-enter"], [class*="-fade-appear"]'));

/** Opens the select labelled `label` and picks the option `title`. */
async function choose(scope: Locator, label: string, title: string) {
  await scope.getByLabel(label, { exact: true }).click();
  await scope.page().locator('.ant-select-dropdown:visible').getByTitle(title, { exact: true }).click();
}

describe('administrator console', () => {
  it('shows the directory with names; a building is created through the form after the server refuses a steward of another town on its field', async () => {
    // another town with its own 点楼长, and a webhook department whose secret must never come back
    expect((await asAdmin('PUT', '/api/admin/towns/town-e2e-far', { name: '远郊测试街道' })).status).toBe(201);
    expect((await asAdmin('PUT', '/api/admin/areas/area-e2e-far', { name: '远郊测试园区', townId: 'town-e2e-far' })).status).toBe(201);
    expect((await asAdmin('PUT', '/api/admin/stewards/stw-e2e-far', { name: '远郊点楼长', level: 1, townId: 'town-e2e-far', areaId: 'area-e2e-far' })).status).toBe(201);
    const secret = 'e2e-secret-never-shown-4711';
    const hook = { name: '测试接口部门', townId: 'town-changshou', adapter: 'webhook', webhookUrl: 'https://hook.example.gov.cn/steward', webhookSecret: secret };
    expect((await asAdmin('PUT', '/api/admin/departments/dept-e2e-hook', hook)).status).toBe(201);

    page = await b.signIn('admin');
    // the administrator's first page is the directory
    await page.getByRole('heading', { name: '组织目录' }).waitFor();
    const town = page.locator('tr', { hasText: '长寿路街道' });
    await town.waitFor();
    expect(await town.textContent()).toContain('王建国');

    await page.getByRole('tab', { name: /^楼宇/ }).click();
    const tianan = page.locator('tr', { hasText: '天安千树大厦' });
    await tianan.waitFor();
    // references by name, not only by id
    expect(await tianan.textContent()).toMatch(/天安千树园区.*陈静/);
    await page.getByLabel('搜索楼宇').fill('长风');
    await page.locator('tr', { hasText: '长风国际大厦' }).waitFor();
    expect(await page.locator('tr', { hasText: '天安千树大厦' }).count()).toBe(0);
    await page.getByLabel('搜索楼宇').fill('');
    await b.shot(page, 'admin-directory');

    await page.getByRole('button', { name: '新增楼宇' }).click();
    const dialog = page.getByRole('dialog', { name: '新增楼宇' });
    await dialog.getByLabel('楼宇编号').fill('bld-e2e-new');
    await dialog.getByLabel('楼宇名称').fill('测试新楼');
    await dialog.getByLabel('地址').fill('莫干山路1号');
    await choose(dialog, '所属园区', '天安千树园区（area-east）');
    await choose(dialog, '点楼长', '远郊点楼长（stw-e2e-far，远郊测试街道）');
    await dialog.getByRole('button', { name: '保存' }).click();
    // the server's reference check, on the field it names
    const refused = fieldError(dialog, '点楼长');
    await refused.waitFor();
    expect(await refused.textContent()).toContain('属于街道 town-changshou');
    await dialog.getByRole('alert').waitFor();
    await b.shot(page, 'admin-directory-field-error');
    let directory = (await asAdmin('GET', '/api/admin/directory')).body;
    expect(directory.buildings.some((x: { id: string }) => x.id === 'bld-e2e-new')).toBe(false);

    await choose(dialog, '点楼长', '陈静（stw-point-1，长寿路街道）');
    await dialog.getByRole('button', { name: '保存' }).click();
    await dialog.waitFor({ state: 'detached' });
    const created = page.locator('tr', { hasText: '测试新楼' });
    await created.waitFor();
    expect(await created.textContent()).toContain('陈静');
    directory = (await asAdmin('GET', '/api/admin/directory')).body;
    expect(directory.buildings.find((x: { id: string }) => x.id === 'bld-e2e-new')).toEqual({
      id: 'bld-e2e-new',
      name: '测试新楼',
      address: '莫干山路1号',
      areaId: 'area-east',
      pointStewardId: 'stw-point-1',
    });

    // the department's secret: 已设置, and nowhere on the page, not even in its edit form
    await page.getByRole('tab', { name: /^部门/ }).click();
    const dept = page.locator('tr', { hasText: '测试接口部门' });
    await dept.waitFor();
    expect(await dept.textContent()).toContain('已设置');
    await page.getByRole('button', { name: '编辑 测试接口部门' }).click();
    const edit = page.getByRole('dialog', { name: '编辑部门' });
    await expect(edit.getByLabel('签名密钥').inputValue()).resolves.toBe('');
    expect(await edit.getByLabel('签名密钥').getAttribute('placeholder')).toBe('已设置（留空则不变）');
    expect(await page.content()).not.toContain(secret);
    await edit.getByLabel('联系人/联系方式').fill('王科长 021-12345678');
    await edit.getByRole('button', { name: '保存' }).click();
    await edit.waitFor({ state: 'detached' });
    directory = (await asAdmin('GET', '/api/admin/directory')).body;
    const saved = directory.departments.find((d: { id: string }) => d.id === 'dept-e2e-hook');
    // an untouched secret stays set; the edit changed only what was typed
    expect(saved).toMatchObject({ contact: '王科长 021-12345678', adapter: 'webhook', webhookSecretSet: true });
  });

  it('a new person takes over a steward post; their grant is revoked with a confirmation; a wrong role is refused on its field', async () => {
    await page.getByRole('tab', { name: /^人员/ }).click();
    await page.getByRole('button', { name: '新增人员' }).click();
    const form = page.getByRole('dialog', { name: '新增人员' });
    await form.getByLabel('人员编号').fill('psn-e2e-zhou');
    await form.getByLabel('登录账号').fill('e2e-zhou');
    await form.getByLabel('姓名').fill('周测试');
    await form.getByRole('button', { name: '保存' }).click();
    await form.waitFor({ state: 'detached' });
    await page.locator('tr', { hasText: '周测试' }).waitFor();

    await page.getByRole('tab', { name: /^楼长岗位/ }).click();
    await page.getByRole('button', { name: '交接 远郊点楼长' }).click();
    const handover = page.getByRole('dialog', { name: /交接楼长岗位：远郊点楼长/ });
    await handover.getByText('尚无人员持有本岗位').waitFor();
    await choose(handover, '交接给', '周测试（e2e-zhou）');
    await handover.getByRole('button', { name: '交接' }).click();
    await page.locator('.ant-popconfirm').getByRole('button', { name: '交接' }).click();
    const holder = handover.locator('tr', { hasText: '周测试' });
    await holder.filter({ hasText: '现任' }).waitFor();
    await settled(page);
    await b.shot(page, 'admin-steward-handover');
    let holders = (await asAdmin('GET', '/api/admin/stewards/stw-e2e-far/holders')).body.holders;
    expect(holders).toEqual([expect.objectContaining({ personId: 'psn-e2e-zhou', current: true, revokedAt: null })]);
    await handover.getByRole('button', { name: /关闭|Close/ }).click();

    await page.getByRole('tab', { name: /^人员/ }).click();
    await page.locator('tr', { hasText: '周测试' }).getByText('楼长 · 远郊点楼长').waitFor();
    await page.getByRole('button', { name: '授权 周测试' }).click();
    const grants = page.getByRole('dialog', { name: /角色授权：周测试/ });
    // a person cannot hold the role of a department's system: the server says so on 角色
    await choose(grants, '角色', '部门业务系统');
    await choose(grants, '范围', '市场监管所（dept-market）');
    await grants.getByRole('button', { name: '授予' }).click();
    const refused = fieldError(grants, '角色');
    await refused.waitFor();
    expect(await refused.textContent()).toContain('部门业务系统');
    await grants.getByRole('button', { name: '撤销 楼长 · 远郊点楼长' }).click();
    await page.locator('.ant-popconfirm').getByRole('button', { name: '撤销' }).click();
    await grants.getByText('暂无在用授权').waitFor();
    holders = (await asAdmin('GET', '/api/admin/stewards/stw-e2e-far/holders')).body.holders;
    expect(holders).toEqual([expect.objectContaining({ personId: 'psn-e2e-zhou', current: false, revokedBy: 'admin' })]);
    const people = (await asAdmin('GET', '/api/admin/people')).body.items as { id: string; grants: unknown[] }[];
    expect(people.find((p) => p.id === 'psn-e2e-zhou')?.grants).toEqual([]);
    await grants.getByRole('button', { name: /关闭|Close/ }).click();
  });

  it('fits a phone: the directory scrolls inside its table, not the page', async () => {
    const phone = await b.signIn('admin', { width: 390, height: 844 });
    await phone.getByRole('heading', { name: '组织目录' }).waitFor();
    await phone.getByRole('tab', { name: /^楼长岗位/ }).click();
    await phone.locator('tr', { hasText: '王建国' }).first().waitFor();
    await b.shot(phone, 'admin-directory-phone');
    const overflow = await phone.evaluate(() => {
      const root = (globalThis as any).document.documentElement;
      return (root.scrollWidth - root.clientWidth) as number;
    });
    expect(overflow).toBeLessThanOrEqual(0);
  });

  it('changes a catalogue item: the server refuses a time limit beyond a year on its field, then the change is a new version', async () => {
    const before = (await asAdmin('GET', '/api/catalogue/outdoor_promotion')).body;
    expect(before.current.policy.resolution).toEqual({ value: 2, unit: 'working_days' });

    await page.goto(`${b.origin}/admin/catalogue`);
    await page.getByRole('heading', { name: '服务目录' }).waitFor();
    const cell = page.getByTestId('resolution-outdoor_promotion');
    await expect(cell.textContent()).resolves.toBe('2 个工作日');
    await b.shot(page, 'admin-catalogue');

    await page.getByRole('button', { name: '编辑 外摆活动审批' }).click();
    const dialog = page.getByRole('dialog', { name: '编辑服务事项：外摆活动审批' });
    await dialog.getByLabel('办结时限 数值').fill('300');
    await dialog.getByRole('button', { name: /保存/ }).click();
    const refused = fieldError(dialog, '办结时限');
    await refused.waitFor();
    expect(await refused.textContent()).toContain('不能超过 250');
    expect((await asAdmin('GET', '/api/catalogue/outdoor_promotion')).body.versions).toHaveLength(before.versions.length);

    await dialog.getByLabel('办结时限 数值').fill('4');
    await dialog.getByLabel('变更说明').fill('区政府新规（浏览器测试）');
    await dialog.getByRole('button', { name: /保存/ }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByTestId('resolution-outdoor_promotion').filter({ hasText: '4 个工作日' }).waitFor();

    const after = (await asAdmin('GET', '/api/catalogue/outdoor_promotion')).body;
    expect(after.versions).toHaveLength(before.versions.length + 1);
    expect(after.current).toMatchObject({ version: before.current.version + 1, note: '区政府新规（浏览器测试）', changedBy: 'admin' });
    expect(after.current.policy.resolution).toEqual({ value: 4, unit: 'working_days' });
    // only the time limit changed
    expect(after.current.policy.response).toEqual(before.current.policy.response);

    await page.getByRole('button', { name: '版本记录 外摆活动审批' }).click();
    const versions = page.getByRole('dialog', { name: /版本记录：外摆活动审批/ });
    const newest = versions.locator('tr', { hasText: `第 ${after.current.version} 版（现行）` });
    await newest.waitFor();
    expect(await newest.textContent()).toContain('办结时限：2 个工作日 → 4 个工作日');
    await settled(page);
    await b.shot(page, 'admin-catalogue-versions');
    await versions.getByRole('button', { name: /关闭|Close/ }).click();
  });

  it('lets an item take the enterprise’s own 回访 answer: 企业自评 switched on in the form is a new version with only that changed', async () => {
    const before = (await asAdmin('GET', '/api/catalogue/outdoor_promotion')).body;
    expect(before.current.policy.enterpriseFeedback).toBe(false);

    await page.goto(`${b.origin}/admin/catalogue`);
    await expect(page.getByTestId('feedback-outdoor_promotion').textContent()).resolves.toBe('不允许');
    await page.getByRole('button', { name: '编辑 外摆活动审批' }).click();
    const dialog = page.getByRole('dialog', { name: '编辑服务事项：外摆活动审批' });
    const feedback = dialog.getByLabel('企业自评');
    expect(await feedback.getAttribute('aria-checked')).toBe('false');
    await feedback.click();
    expect(await feedback.getAttribute('aria-checked')).toBe('true');
    await dialog.getByLabel('变更说明').fill('企业可自评（浏览器测试）');
    await dialog.getByRole('button', { name: /保存/ }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByTestId('feedback-outdoor_promotion').filter({ hasText: /^允许$/ }).waitFor();

    const after = (await asAdmin('GET', '/api/catalogue/outdoor_promotion')).body;
    expect(after.versions).toHaveLength(before.versions.length + 1);
    expect(after.current).toMatchObject({ version: before.current.version + 1, note: '企业可自评（浏览器测试）' });
    expect(after.current.policy.enterpriseFeedback).toBe(true);
    // the form sent the switch alone: every time limit carries over
    const { enterpriseFeedback: _was, catalogueVersion: _v, ...limitsBefore } = before.current.policy;
    const { enterpriseFeedback: _now, catalogueVersion: _w, ...limitsAfter } = after.current.policy;
    expect(limitsAfter).toEqual(limitsBefore);

    await page.getByRole('button', { name: '版本记录 外摆活动审批' }).click();
    const versions = page.getByRole('dialog', { name: /版本记录：外摆活动审批/ });
    const newest = versions.locator('tr', { hasText: `第 ${after.current.version} 版（现行）` });
    await newest.waitFor();
    expect(await newest.textContent()).toContain('企业自评：不允许 → 允许');
    await versions.getByRole('button', { name: /关闭|Close/ }).click();
  });

  it('the audit log finds the catalogue change by its object, with the administrator’s name, and links a case to its page', async () => {
    const caseId = await b.openCase('ent-qianshu', '审计日志链接测试');
    await page.goto(`${b.origin}/admin/audit`);
    await page.getByRole('heading', { name: '审计日志' }).waitFor();
    // newest first: the case just opened is on the first page
    await page.locator('tr', { hasText: `案件 ${caseId}` }).first().waitFor();

    await page.getByLabel('对象').fill('catalogue:outdoor_promotion');
    await choose(page.locator('body'), '操作', '修改服务目录');
    await page.getByRole('button', { name: '查询' }).click();
    const rows = page.locator('tr.ant-table-row');
    await rows.first().filter({ hasText: '服务事项 outdoor_promotion' }).waitFor();
    const api = (await asAdmin('GET', '/api/audit?target=catalogue:outdoor_promotion&action=catalogue.change')).body.items as { requestId: string }[];
    // the two changes of the tests above, and nothing else
    expect(await rows.count()).toBe(api.length);
    expect(api.length).toBeGreaterThanOrEqual(2);
    const newest = await rows.first().textContent();
    expect(newest).toContain('系统管理员');
    expect(newest).toContain('修改服务目录');
    expect(newest).toContain('成功 200');
    expect(newest).toContain(api[0]!.requestId);
    expect(await b.unlabelled(page)).toEqual([]);
    await b.shot(page, 'admin-audit');

    // a case's object leads to the case
    await page.getByRole('button', { name: '清空' }).click();
    await page.getByLabel('对象').fill(`case:${caseId}`);
    await page.getByRole('button', { name: '查询' }).click();
    const opened = page.locator('tr.ant-table-row', { hasText: '提交诉求' });
    await opened.waitFor();
    expect(await opened.textContent()).toContain('周经理');
    // an administrator alone does not read cases: the object names the case without a link to a refusal
    await opened.getByText(`案件 ${caseId}`).waitFor();
    expect(await opened.getByRole('link', { name: `案件 ${caseId}` }).count()).toBe(0);
    // the 总楼长, also an administrator, follows it to the case
    const chief = await b.signIn('stw-chief');
    await chief.goto(`${b.origin}/admin/audit?target=${encodeURIComponent(`case:${caseId}`)}`);
    await chief.locator('tr.ant-table-row', { hasText: '提交诉求' }).getByRole('link', { name: `案件 ${caseId}` }).click();
    await chief.waitForURL(`${b.origin}/cases/${caseId}`);
    await chief.getByTestId('stage').waitFor();
  });

  it('lists an incident of a running case with what it means and what to do; resolving it asks first, and the API then has it resolved', async () => {
    const caseId = await b.openCase('ent-qianshu', '异常处理测试');
    // the stack cannot make a rule throw on demand: the row the persistence activity writes for a failed timer, as the API tests seed it
    const incident = await b.stack.db.incident.create({
      data: { kind: 'rule_failed', caseId, message: '规则执行失败（timer due）：calendar does not cover 2031', detail: { seq: 2, where: 'timer due', message: 'calendar does not cover 2031' } },
    });

    await page.goto(`${b.origin}/admin/incidents`);
    await page.getByRole('heading', { name: '异常处理' }).waitFor();
    const row = page.locator('tr.ant-table-row', { hasText: caseId });
    await row.waitFor();
    const text = await row.textContent();
    expect(text).toContain('规则执行异常');
    expect(text).toContain('定时：到期（超期处理）');
    expect(text).toContain('处理建议');
    expect(text).toContain('未处理');
    // the kind filter: a 记录写入异常 list does not have it
    await choose(page.locator('body'), '异常类型', '记录写入异常');
    await page.getByText('没有未处理的异常').waitFor();
    await choose(page.locator('body'), '异常类型', '规则执行异常');
    await row.waitFor();
    expect(await b.unlabelled(page)).toEqual([]);
    await b.shot(page, 'admin-incidents');

    await row.getByRole('button', { name: `标记已处理 事件 ${incident.id}` }).click();
    const confirm = page.locator('.ant-popconfirm');
    await confirm.getByText('标记为已处理？').waitFor();
    await confirm.getByLabel('处理说明').fill('已修正工作日历数据');
    await confirm.getByRole('button', { name: '标记已处理' }).click();
    await row.getByText('已处理', { exact: true }).waitFor();
    const listed = (await asAdmin('GET', `/api/admin/incidents?caseId=${caseId}`)).body.items as { id: number; resolvedAt: string | null }[];
    expect(listed).toEqual([expect.objectContaining({ id: incident.id, resolvedAt: expect.any(String), resolvedBy: 'psn-admin', resolution: '已修正工作日历数据' })]);
    expect((await asAdmin('GET', `/api/admin/incidents?open=true&caseId=${caseId}`)).body.items).toEqual([]);

    // among the handled ones, with who handled it and what they did; the case number is for telling the stewards
    await page.locator('.ant-radio-button-wrapper', { hasText: /^已处理$/ }).click();
    const handled = page.locator('tr.ant-table-row', { hasText: caseId });
    await handled.getByText('处理人：系统管理员').waitFor();
    await handled.getByText('处理说明：已修正工作日历数据').waitFor();
    expect(await handled.getByRole('link', { name: caseId }).count()).toBe(0);
  });

  it('imports towns: the check lists the bad row by line and reason and writes nothing; a clean file imports and shows in the directory', async () => {
    await page.goto(`${b.origin}/admin/import`);
    await page.getByRole('heading', { name: '批量导入' }).waitFor();
    const file = page.locator('input[type=file]');
    const check = page.getByRole('button', { name: '预检' });
    const load = page.getByRole('button', { name: '导入', exact: true });

    await file.setInputFiles({
      name: 'towns.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from('编号,名称,总楼长\ntown-e2e-a,甲测试街道,\ntown-e2e-b,乙测试街道,stw-nope\n'),
    });
    expect(await load.isDisabled()).toBe(true);
    await check.click();
    const report = page.getByTestId('import-report');
    await report.getByText('预检发现 1 处问题').waitFor();
    const rows = report.locator('tr.ant-table-row');
    expect(await rows.count()).toBe(1);
    const bad = await rows.first().textContent();
    expect(bad).toContain('第 3 行');
    expect(bad).toContain('总楼长');
    expect(bad).toContain('楼长岗位 stw-nope 不存在');
    expect(await load.isDisabled()).toBe(true);
    await b.shot(page, 'admin-import-check');
    let towns = (await asAdmin('GET', '/api/admin/directory')).body.towns as { id: string }[];
    expect(towns.some((t) => t.id === 'town-e2e-a')).toBe(false);

    await file.setInputFiles({
      name: 'towns.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from('编号,名称,总楼长\ntown-e2e-a,甲测试街道,\ntown-e2e-b,乙测试街道,\n'),
    });
    await check.click();
    await report.getByText(/^预检通过：2 行均可导入/).waitFor();
    await load.click();
    await report.getByText('导入完成：新增 2，更新 0').waitFor();
    await b.shot(page, 'admin-import');
    towns = (await asAdmin('GET', '/api/admin/directory')).body.towns;
    expect(towns.filter((t) => t.id.startsWith('town-e2e-')).map((t) => t.id).sort()).toEqual(['town-e2e-a', 'town-e2e-b', 'town-e2e-far']);

    await report.getByRole('button', { name: '在组织目录中查看街道' }).click();
    await page.waitForURL(`${b.origin}/admin/directory?tab=towns`);
    await page.locator('tr', { hasText: '甲测试街道' }).waitFor();
    await page.locator('tr', { hasText: '乙测试街道' }).waitFor();

    // an Excel workbook goes up as one, to the kind chosen
    await page.getByRole('link', { name: '批量导入' }).or(page.getByRole('menuitem', { name: '批量导入' })).click();
    await page.getByRole('heading', { name: '批量导入' }).waitFor();
    await choose(page.locator('body'), '名单类型', '园区');
    const workbook = new ExcelJS.Workbook();
    workbook.addWorksheet('园区').addRows([
      ['编号', '名称', '街道'],
      ['area-e2e-a', '甲测试园区', 'town-e2e-a'],
    ]);
    await file.setInputFiles({
      name: 'areas.xlsx',
      mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      buffer: Buffer.from(await workbook.xlsx.writeBuffer()),
    });
    await check.click();
    await report.getByText(/^预检通过：1 行均可导入（将新增 1，更新 0）/).waitFor();
    const areas = (await asAdmin('GET', '/api/admin/directory')).body.areas as { id: string }[];
    expect(areas.some((a) => a.id === 'area-e2e-a')).toBe(false);
  });
});
