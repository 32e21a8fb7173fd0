/**
 * One case carried from filing to closed in the browser alone, by four people each in their own
 * browser, and the manager's figure moving with it: the enterprise files an appeal, the 点楼长
 * acknowledges and dispatches, the department accepts and replies, the 点楼长 approves, the
 * follow-up is recorded, the enterprise sees its case closed, and the town manager's dashboard
 * counts it. The real stack throughout (tests/helpers/console-browser.ts).
 */
import { openConsoleBrowser, reloadUntil, submitDialog, type ConsoleBrowser } from '../helpers/console-browser';

let b: ConsoleBrowser;

beforeAll(async () => {
  b = await openConsoleBrowser();
  // the 回访 may begin 3 seconds after resolution instead of a working day, so real time can cross it;
  // the change goes through the administrator's API like any other (a new catalogue version)
  const res = await fetch(`${b.origin}/api/catalogue/outdoor_promotion`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', ...(await b.stack.auth('admin')) },
    body: JSON.stringify({
      policy: { response: { value: 4, unit: 'working_hours' }, resolution: { value: 2, unit: 'working_days' }, followUpDelay: { value: 3, unit: 'seconds' } },
      note: '浏览器测试：回访提前开始',
    }),
  });
  expect(res.status).toBe(200);
});

afterAll(async () => {
  await b?.close();
});

/** The 满意率 of the manager's month, as the API counts it: [satisfied, answered]. */
async function satisfaction(): Promise<[number, number]> {
  const res = await fetch(`${b.origin}/api/stats`, { headers: await b.stack.auth('manager-town') });
  const { total } = (await res.json()) as { total: { satisfaction_rate: { numerator: number; denominator: number } } };
  return [total.satisfaction_rate.numerator, total.satisfaction_rate.denominator];
}

it('carries an appeal from filing to closed across four browsers, and the manager sees the rate move', async () => {
  const title = `外摆许可（全流程 ${Date.now() % 100000}）`;
  const [satisfiedBefore, answeredBefore] = await satisfaction();

  // the enterprise files the appeal on its phone
  const enterprise = await b.signIn('ent-qianshu', { width: 390, height: 844 });
  await enterprise.goto(`${b.origin}/file`);
  await enterprise.getByLabel('所在楼宇').click();
  await enterprise.getByTitle('天安千树大厦').first().click();
  await enterprise.getByLabel('诉求事项').click();
  await enterprise.getByTitle('外摆活动审批').click();
  await enterprise.getByLabel('标题').fill(title);
  await enterprise.getByLabel('诉求描述').fill('店庆期间在楼前广场外摆，请协调城管');
  await enterprise.getByLabel('联系人').fill('周经理');
  await enterprise.getByLabel('联系电话').fill('13900000001');
  await enterprise.locator('form button[type=submit]').click();
  await enterprise.waitForURL(/\/cases\/C\d{8}-/);
  const caseId = new URL(enterprise.url()).pathname.split('/').pop()!;
  await enterprise.getByTestId('stage').filter({ hasText: '待签收' }).waitFor();

  // the 点楼长 finds it in 我的待办 without reloading (the inbox refreshes itself), acknowledges and dispatches
  const steward = await b.signIn('stw-point-1');
  await steward.getByRole('heading', { name: '我的待办' }).waitFor();
  await steward.locator('tr', { hasText: caseId }).click();
  await steward.waitForURL(`${b.origin}/cases/${caseId}`);
  await steward.getByRole('button', { name: '签收' }).click();
  await steward.getByLabel('签收说明').fill('已电话联系周经理');
  await submitDialog(steward);
  await steward.getByTestId('stage').filter({ hasText: '已签收' }).waitFor();
  await steward.getByRole('button', { name: '派单' }).click();
  await steward.getByLabel('主办部门').click();
  await steward.getByTitle('城管中队').click();
  await steward.getByLabel('办理要求').fill('核定摆位与时段');
  await submitDialog(steward);
  await steward.getByTestId('stage').filter({ hasText: '办理中' }).waitFor();

  // the department's clerk accepts the task and replies, naming the permit file
  const clerk = await b.signIn('staff-urban');
  await clerk.locator('tr', { hasText: title }).click();
  await clerk.waitForURL(`${b.origin}/cases/${caseId}`);
  await clerk.getByRole('button', { name: '部门接单' }).click();
  await submitDialog(clerk);
  await clerk.getByRole('button', { name: '部门答复' }).waitFor();
  await clerk.getByRole('button', { name: '部门答复' }).click();
  await clerk.getByLabel('答复内容').fill('准予外摆，限周六 10:00-18:00');
  await clerk.getByLabel(/附件名称/).fill('外摆许可决定书.pdf');
  await submitDialog(clerk);

  // the 点楼长 approves the department's answer
  await reloadUntil(steward, steward.getByRole('button', { name: '审核通过' }));
  // the department's answer, with the file it named, under its task
  await steward.getByRole('button', { name: '展开行' }).first().click();
  await steward.getByText('外摆许可决定书.pdf').waitFor();
  await steward.getByRole('button', { name: '审核通过' }).click();
  await submitDialog(steward);
  await steward.getByTestId('stage').filter({ hasText: /已办结|待回访/ }).waitFor();

  // three seconds on, the 回访 opens: the 点楼长 records the enterprise's satisfaction
  await reloadUntil(steward, steward.getByRole('button', { name: '回访评价' }));
  await steward.getByRole('button', { name: '回访评价' }).click();
  await steward.getByRole('dialog').getByText('满意', { exact: true }).click();
  await steward.getByLabel('回访记录').fill('企业对办理结果满意');
  await submitDialog(steward);
  await steward.getByTestId('stage').filter({ hasText: '已结案' }).waitFor();
  await b.shot(steward, 'journey-closed');

  // the enterprise sees its case closed, with the whole history
  await enterprise.goto(`${b.origin}/my-cases`);
  await enterprise.locator('tr', { hasText: title }).filter({ hasText: '已结案' }).waitFor();
  await enterprise.goto(`${b.origin}/cases/${caseId}`);
  for (const step of ['受理', '签收', '派单', '部门答复', '回访']) await enterprise.getByText(step, { exact: true }).first().waitFor();

  // the manager's 满意率 counts the answer
  const [satisfiedAfter, answeredAfter] = await satisfaction();
  expect([satisfiedAfter, answeredAfter]).toEqual([satisfiedBefore + 1, answeredBefore + 1]);
  const manager = await b.signIn('manager-town');
  await manager.goto(`${b.origin}/dashboard`);
  const total = manager.locator('tr', { hasText: '合计' });
  await total.waitFor();
  await total.getByText(`${satisfiedAfter}/${answeredAfter}`).first().waitFor();
  await b.shot(manager, 'journey-dashboard');
});
