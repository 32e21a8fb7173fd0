/**
 * The case actions the other console tests leave to the API, each driven in a real browser by the
 * role that takes it, and checked by what a person then sees (the stage, the sections, the
 * timeline): the 点楼长 declines, acknowledges, pauses, asks for an extension with the date picker,
 * reassigns and proposes; the 分楼长 approves the extension and sends a proposal back; the
 * enterprise, on its phone, supplies what was asked, withdraws a case and gives its own 回访 where
 * the category allows; the department returns its task; and one action is done with the keyboard
 * alone. Each role's page is checked for controls without a name. The real stack throughout
 * (tests/helpers/console-browser.ts).
 */
import type { Locator, Page } from 'playwright-core';
import { openConsoleBrowser, reloadUntil, submitDialog, type ConsoleBrowser } from '../helpers/console-browser';

let b: ConsoleBrowser;
const PHONE = { width: 390, height: 844 };
/** the catalogue item whose 回访 the enterprise answers itself, made by the administrator in beforeAll */
const SELF_RATED = 'self_rated_promotion';

beforeAll(async () => {
  b = await openConsoleBrowser();
  const res = await fetch(`${b.origin}/api/catalogue/${SELF_RATED}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', ...(await b.stack.auth('admin')) },
    body: JSON.stringify({
      name: '外摆活动审批（企业自评）',
      departmentId: 'dept-urban',
      // the 回访 opens two seconds after approval, so real time can cross it; the enterprise answers it
      policy: { followUpDelay: { value: 2, unit: 'seconds' }, enterpriseFeedback: true },
      note: '浏览器测试：企业自行回访评价',
    }),
  });
  expect([200, 201]).toContain(res.status);
});

afterAll(async () => {
  await b?.close();
});

const dialog = (page: Page) => page.getByRole('dialog');

/** The case page of `caseId`, loaded, with its stage shown. */
async function openCasePage(page: Page, caseId: string) {
  await page.goto(`${b.origin}/cases/${caseId}`);
  await page.getByTestId('stage').waitFor();
}

/** One clock's line in the 时限 card. */
const clock = (page: Page, name: string) => section(page, '时限').locator('div', { has: page.locator(':scope > b', { hasText: new RegExp(`^${name}$`) }) });
const stage = (page: Page, text: string | RegExp) => page.getByTestId('stage').filter({ hasText: text });
/** A card of the case page by its title. */
const section = (page: Page, title: string) => page.locator('.ant-card').filter({ has: page.locator('.ant-card-head-title', { hasText: title }) });
/** The 办理过程 timeline's entry of one step that says `words`. */
const step = (page: Page, name: string, words?: string) =>
  section(page, '办理过程')
    .locator('.ant-timeline-item')
    .filter({ has: page.locator('b', { hasText: new RegExp(`^${name}$`) }) })
    .filter({ hasText: words ?? '' });

/** Every control of the page has a name a screen reader can read. */
async function allLabelled(page: Page) {
  await page.waitForLoadState('networkidle');
  expect(await b.unlabelled(page)).toEqual([]);
}

/** Presses Tab until `target` has the focus: it is reachable from the keyboard. */
async function tabTo(page: Page, target: Locator, max = 60) {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    if (await target.evaluate((el) => el === el.ownerDocument.activeElement || el.contains(el.ownerDocument.activeElement))) return;
  }
  throw new Error(`${target} not reached with ${max} presses of Tab`);
}

async function act(user: string, caseId: string, action: string, body: unknown = {}) {
  const res = await b.post(user, `/api/cases/${caseId}/${action}`, body);
  if (res.status !== 200) throw new Error(`${action} by ${user} answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body;
}

async function read(user: string, caseId: string) {
  const res = await fetch(`${b.origin}/api/cases/${caseId}`, { headers: await b.stack.auth(user) });
  expect(res.status).toBe(200);
  return (await res.json()) as any;
}

/** The Beijing calendar date `days` after the one of `iso` (an instant with +08:00), as YYYY-MM-DD. */
function beijingDatePlus(iso: string, days: number): string {
  const ms = Date.parse(iso) + 8 * 3600_000 + days * 86400_000;
  return new Date(ms).toISOString().slice(0, 10);
}

describe('the 点楼长 and the 分楼长', () => {
  it('declines a case with the reason, and the case ends 不予受理 with the reason in its history', async () => {
    const title = `不予受理 ${Date.now() % 100000}`;
    const caseId = await b.openCase('ent-qianshu', title);
    const steward = await b.signIn('stw-point-1');
    await steward.locator('tr', { hasText: caseId }).click();
    await steward.waitForURL(`${b.origin}/cases/${caseId}`);
    await stage(steward, '待签收').waitFor();
    await allLabelled(steward);

    await steward.getByRole('button', { name: '不予受理' }).click();
    // the reason is required: the form says so and sends nothing
    await dialog(steward).getByRole('button', { name: '提交', exact: true }).click();
    await dialog(steward).getByText('请填写不予受理理由').waitFor();
    await steward.getByLabel('不予受理理由').fill('外摆场地属消防通道，不在可审批范围');
    await submitDialog(steward);
    await stage(steward, '不予受理').waitFor();
    await step(steward, '不予受理', '外摆场地属消防通道，不在可审批范围').waitFor();
    await section(steward, '可执行的操作').getByText('当前没有您可以执行的操作').waitFor();
    await b.shot(steward, 'case-declined');
    expect((await read('ent-qianshu', caseId)).stage).toBe('rejected');
  });

  /** the case carried through the pause, the extension, the reassignment and the sending back */
  let carried: { caseId: string; steward: Page; area?: Page };

  it('acknowledges and pauses a case for the enterprise’s material: the 暂停记录 shows it, the clock stops', async () => {
    const caseId = await b.openCase('ent-qianshu', `暂停与延期 ${Date.now() % 100000}`);
    const steward = await b.signIn('stw-point-1');
    await openCasePage(steward, caseId);
    await steward.getByRole('button', { name: '签收' }).click();
    await steward.getByLabel('签收说明').fill('已与企业联系');
    await submitDialog(steward);
    await stage(steward, '已签收').waitFor();

    await steward.getByRole('button', { name: '暂停（待企业补充材料）' }).click();
    await steward.getByLabel('需企业补充的内容').fill('请补充外摆区域平面图及物业同意书');
    await submitDialog(steward);
    const pauses = section(steward, '暂停记录');
    const row = pauses.locator('tbody tr', { hasText: '请补充外摆区域平面图及物业同意书' });
    await row.getByText('暂停中').waitFor();
    await row.getByText('陈静（点楼长）').waitFor();
    await step(steward, '暂停', '请补充外摆区域平面图及物业同意书').waitFor();
    // the resolution clock stands still while the case waits
    await clock(steward, '办结时限').getByText(/^已暂停，剩余/).waitFor();
    // waiting for the enterprise, it cannot be paused again
    await section(steward, '可执行的操作').getByRole('button').first().waitFor();
    expect(await steward.getByRole('button', { name: '暂停（待企业补充材料）' }).count()).toBe(0);
    await allLabelled(steward);
    await b.shot(steward, 'case-paused');
    carried = { caseId, steward };
  });

  it('the enterprise, on its phone, supplies the material: the pause ends and the case goes on', async () => {
    const { caseId, steward } = carried;
    const enterprise = await b.signIn('ent-qianshu', PHONE);
    await openCasePage(enterprise, caseId);
    // what was asked, on the enterprise's own page
    await section(enterprise, '暂停记录').getByText('请补充外摆区域平面图及物业同意书').waitFor();
    await allLabelled(enterprise);
    await b.shot(enterprise, 'enterprise-asked-phone');
    await enterprise.getByRole('button', { name: '补充材料' }).click();
    await enterprise.getByLabel('补充内容').fill('平面图与物业同意书已上传至企业网盘，链接已发陈静');
    await submitDialog(enterprise);
    await step(enterprise, '恢复').waitFor();
    await stage(enterprise, '已签收').waitFor();
    const pauses = section(enterprise, '暂停记录');
    await pauses.locator('tbody tr').first().waitFor();
    expect(await pauses.getByText('暂停中').count()).toBe(0);
    expect(await enterprise.getByRole('button', { name: '补充材料' }).count()).toBe(0);
    await b.shot(enterprise, 'enterprise-supplied-phone');

    // the 点楼长 sees the case going on: resumed, and the clock running again
    await steward.reload();
    await step(steward, '恢复').waitFor();
    await step(steward, '恢复', '平面图与物业同意书已上传至企业网盘').waitFor();
    expect(await section(steward, '暂停记录').getByText('暂停中').count()).toBe(0);
    await clock(steward, '办结时限').getByText(/^剩余/).waitFor();
    await steward.getByRole('button', { name: '暂停（待企业补充材料）' }).waitFor();
  });

  it('asks for an extension with the date picker; the 分楼长 approves it and the resolution deadline moves', async () => {
    const { caseId, steward } = carried;
    const before = await read('stw-point-1', caseId);
    const fromDue: string = before.deadlines?.resolutionDueAt ?? before.clocks.resolution.dueAt;
    // a week later, 17:00 Beijing time: five working days on
    const day = beijingDatePlus(fromDue, 7);
    const wanted = `${day}T17:00:00+08:00`;
    const sent: string[] = [];
    steward.on('request', (r) => {
      if (r.method() === 'POST' && r.url().endsWith('/request-extension')) sent.push(r.postData() ?? '');
    });

    await steward.getByRole('button', { name: '申请延期' }).click();
    await steward.getByLabel('延期理由').fill('企业补充材料耗时，需城管现场核定');
    await steward.getByLabel('新的办结期限（北京时间）').click();
    const picker = steward.locator('.ant-picker-dropdown:visible');
    await picker.waitFor();
    await allLabelled(steward);
    for (let i = 0; i < 3 && !(await picker.locator(`td[title="${day}"]`).isVisible()); i++) await picker.locator('.ant-picker-header-next-btn').click();
    await picker.locator(`td[title="${day}"]`).click();
    await picker.locator('.ant-picker-time-panel-column').nth(0).locator('li', { hasText: /^17$/ }).click();
    await picker.locator('.ant-picker-time-panel-column').nth(1).locator('li', { hasText: /^00$/ }).click();
    await picker.getByRole('button', { name: '确 定' }).or(picker.getByRole('button', { name: '确定' })).click();
    await submitDialog(steward);
    expect(sent.map((s) => JSON.parse(s))).toEqual([{ reason: '企业补充材料耗时，需城管现场核定', newDueAt: wanted }]);
    const extensions = section(steward, '延期申请');
    await extensions.locator('tbody tr', { hasText: `→ ${day} 17:00` }).getByText('待审批').waitFor();
    await step(steward, '申请延期', '企业补充材料耗时').waitFor();

    // the 分楼长 decides
    const area = await b.signIn('stw-area-east');
    await openCasePage(area, caseId);
    await area.getByRole('button', { name: '审批延期' }).click();
    await dialog(area).getByText('同意', { exact: true }).click();
    await area.getByLabel('审批意见').fill('同意延期，请抓紧办理');
    await allLabelled(area);
    await submitDialog(area);
    const approved = section(area, '延期申请').locator('tbody tr', { hasText: `→ ${day} 17:00` });
    await approved.getByText('已批准').waitFor();
    await approved.getByText(/李明（分楼长）.*同意延期，请抓紧办理/).waitFor();
    // the resolution clock now runs to the new deadline
    await section(area, '时限').getByText(`办结时限：截止 ${day} 17:00`).waitFor();
    await step(area, '批准延期', '同意延期').waitFor();
    await b.shot(area, 'case-extension');

    // and the 点楼长 who asked sees the same
    await steward.reload();
    await section(steward, '延期申请').getByText('已批准').waitFor();
    await section(steward, '时限').getByText(`办结时限：截止 ${day} 17:00`).waitFor();
    carried.area = area;
  });

  it('reassigns the case to another 点楼长 of the area, who finds it in 我的待办 and proposes; the 分楼长 sends it back with a reason', async () => {
    const { caseId, steward } = carried;
    const area = carried.area!;
    await steward.getByRole('button', { name: '转派楼长' }).click();
    // only a 点楼长 may take a case a 点楼长 owns: the form offers the directory's stewards
    await steward.getByLabel('转派给').click();
    const offered = steward.locator('.ant-select-dropdown:visible .ant-select-item-option');
    await offered.first().waitFor();
    const names = await offered.allTextContents();
    expect(names).toContain('刘洋（点楼长）');
    expect(names.filter((n) => !n.endsWith('（点楼长）') || n.startsWith('陈静'))).toEqual([]);
    await steward.getByLabel('转派给').fill('刘洋');
    await steward.getByTitle('刘洋（点楼长）').click();
    await steward.getByLabel('转派理由').fill('本人外出培训，转同片区刘洋跟进');
    await submitDialog(steward);
    await steward.getByText('刘洋（点楼长）').first().waitFor();
    await step(steward, '转派', '本人外出培训').waitFor();
    // the 点楼长 who handed it on still reads it, with nothing left to do
    await section(steward, '可执行的操作').getByText('当前没有您可以执行的操作').waitFor();
    expect(await steward.getByRole('alert').count()).toBe(0);
    await b.shot(steward, 'case-reassigned');

    const other = await b.signIn('stw-point-2');
    await other.getByRole('heading', { name: '我的待办' }).waitFor();
    const row = other.locator('tr', { hasText: caseId });
    await row.waitFor();
    await allLabelled(other);
    await b.shot(other, 'inbox-reassigned');
    await row.click();
    await other.waitForURL(`${b.origin}/cases/${caseId}`);
    await section(other, '诉求').getByText('刘洋（点楼长）').waitFor();
    await other.getByRole('button', { name: '提交办理意见' }).click();
    // (the dialog is titled 提交办理意见 too: its one text box)
    await dialog(other).getByRole('textbox').fill('经核定，准予周六 10:00-18:00 外摆');
    await submitDialog(other);
    await stage(other, '待审核').waitFor();
    await section(other, '办理意见').getByText('经核定，准予周六 10:00-18:00 外摆').waitFor();
    await section(other, '办理意见').getByText(/^刘洋（点楼长） \d{4}-/).waitFor();

    await area.reload();
    await stage(area, '待审核').waitFor();
    await area.getByRole('button', { name: '退回重办' }).click();
    await area.getByLabel('退回理由').fill('未写明摆位尺寸，请补充后重报');
    await submitDialog(area);
    await stage(area, '办理中').waitFor();
    await step(area, '退回重办', '未写明摆位尺寸，请补充后重报').waitFor();
    await b.shot(area, 'case-sent-back');

    // the new owner reads the reason and may propose again
    await other.reload();
    await stage(other, '办理中').waitFor();
    await step(other, '退回重办', '未写明摆位尺寸').waitFor();
    await other.getByRole('button', { name: '提交办理意见' }).waitFor();
  });
});

describe('the enterprise, on its phone', () => {
  it('withdraws a case: it ends 已撤回, with its reason', async () => {
    const title = `撤回 ${Date.now() % 100000}`;
    const caseId = await b.openCase('ent-qianshu', title);
    const enterprise = await b.signIn('ent-qianshu', PHONE);
    await enterprise.goto(`${b.origin}/my-cases`);
    await enterprise.locator('tr', { hasText: title }).click();
    await enterprise.waitForURL(`${b.origin}/cases/${caseId}`);
    await stage(enterprise, '待签收').waitFor();
    await enterprise.getByRole('button', { name: '撤回诉求' }).click();
    await enterprise.getByLabel('撤回理由').fill('活动取消');
    await submitDialog(enterprise);
    await stage(enterprise, '已撤回').waitFor();
    await step(enterprise, '撤回', '活动取消').waitFor();
    expect(await enterprise.getByRole('button', { name: '撤回诉求' }).count()).toBe(0);
    await allLabelled(enterprise);
    await b.shot(enterprise, 'enterprise-withdrawn-phone');
    await enterprise.goto(`${b.origin}/my-cases`);
    await enterprise.locator('tr', { hasText: title }).filter({ hasText: '已撤回' }).waitFor();
  });

  it('gives its own 回访 where the category lets it, and sees the case closed with its answer', async () => {
    const opened = await b.post('ent-qianshu', '/api/cases', {
      buildingId: 'bld-tianan',
      enterprise: { creditCode: '91310107MA1G0AB10G' },
      category: SELF_RATED,
      title: `企业自评 ${Date.now() % 100000}`,
      description: '店庆外摆，申请许可',
      contact: { name: '周经理', phone: '13900000001' },
    });
    expect(opened.status).toBe(201);
    const caseId = opened.body.caseId as string;
    await act('stw-point-1', caseId, 'acknowledge');
    await act('stw-point-1', caseId, 'propose', { text: '已协调城管，准予外摆' });
    expect((await act('stw-point-1', caseId, 'approve', { note: '同意' })).stage).toBe('resolved');

    const enterprise = await b.signIn('ent-qianshu', PHONE);
    await openCasePage(enterprise, caseId);
    await reloadUntil(enterprise, enterprise.getByRole('button', { name: '回访评价' }));
    await stage(enterprise, '待回访').waitFor();
    await enterprise.getByRole('button', { name: '回访评价' }).click();
    await dialog(enterprise).getByText('基本满意', { exact: true }).click();
    await enterprise.getByLabel('回访记录').fill('办理及时，希望简化材料');
    await allLabelled(enterprise);
    await submitDialog(enterprise);
    await stage(enterprise, '已结案').waitFor();
    await section(enterprise, '诉求').locator('.ant-descriptions-item', { hasText: '满意度' }).getByText('基本满意').waitFor();
    await step(enterprise, '回访', '基本满意；办理及时，希望简化材料').waitFor();
    await b.shot(enterprise, 'enterprise-self-rated-phone');
    const closed = await read('stw-point-1', caseId);
    expect([closed.stage, closed.satisfaction]).toEqual(['closed', 'basically_satisfied']);
  });
});

describe('the department', () => {
  it('returns its task with a reason: the 点楼长 sees the task 已退单, with the reason under it', async () => {
    const title = `退单 ${Date.now() % 100000}`;
    const caseId = await b.openCase('ent-qianshu', title);
    await act('stw-point-1', caseId, 'acknowledge');
    await act('stw-point-1', caseId, 'dispatch', { departmentId: 'dept-urban', instructions: '核定摆位与时段' });

    const clerk = await b.signIn('staff-urban');
    await clerk.getByRole('heading', { name: '部门任务' }).waitFor();
    await clerk.locator('tr', { hasText: title }).click();
    await clerk.waitForURL(`${b.origin}/cases/${caseId}`);
    await clerk.getByRole('button', { name: '退单' }).click();
    await clerk.getByLabel('退单理由').fill('该地块属区绿化市容局管辖，请改派');
    await allLabelled(clerk);
    await submitDialog(clerk);
    await section(clerk, '部门任务').locator('tbody tr', { hasText: '城管中队' }).getByText('已退单').waitFor();
    expect(await clerk.getByRole('button', { name: '退单' }).count()).toBe(0);

    const steward = await b.signIn('stw-point-1');
    await openCasePage(steward, caseId);
    const tasks = section(steward, '部门任务');
    await tasks.locator('tbody tr', { hasText: '城管中队' }).getByText('已退单').waitFor();
    await tasks.getByRole('button', { name: '展开行' }).first().click();
    await tasks.getByText(/退单（.*）：该地块属区绿化市容局管辖，请改派/).waitFor();
    await step(steward, '部门退单', '该地块属区绿化市容局管辖').waitFor();
    // back with the 点楼长, who dispatches again
    await steward.getByRole('button', { name: '派单' }).waitFor();
    await allLabelled(steward);
    await b.shot(steward, 'department-returned');
  });
});

describe('the keyboard', () => {
  it('reaches an action and its form without a mouse: the 点楼长 acknowledges with Tab, Enter and typing', async () => {
    const caseId = await b.openCase('ent-qianshu', `键盘签收 ${Date.now() % 100000}`);
    const steward = await b.signIn('stw-point-1');
    await openCasePage(steward, caseId);
    await stage(steward, '待签收').waitFor();
    await tabTo(steward, steward.getByRole('button', { name: '签收' }));
    await steward.keyboard.press('Enter');
    const note = steward.getByLabel('签收说明');
    await tabTo(steward, note);
    await steward.keyboard.type('键盘签收：已电话联系企业');
    await tabTo(steward, dialog(steward).getByRole('button', { name: '提交', exact: true }));
    await steward.keyboard.press('Enter');
    await dialog(steward).waitFor({ state: 'detached' });
    await stage(steward, '已签收').waitFor();
    await step(steward, '签收', '键盘签收：已电话联系企业').waitFor();
    await b.shot(steward, 'case-acknowledged-keyboard');
  });
});
