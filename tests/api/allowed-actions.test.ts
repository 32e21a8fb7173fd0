/**
 * A case read tells the caller which actions they may take now (`allowedActions`), by the checks
 * the action itself would meet: the route's roles, the capacity, the workflow's rule. Each one
 * offered is accepted, and one not offered is refused.
 */
import request from 'supertest';
import { startStack, type Stack } from '../helpers/stack';
import { eventually } from '../helpers/eventually';
import { openCaseBody } from '../fixtures/case-input';

let stack: Stack;
const tokens: Record<string, string> = {};
const as = (subject: string) => ({ Authorization: `Bearer ${tokens[subject]}` });
const allowed = async (caseId: string, who: string): Promise<string[]> => {
  const res = await request(stack.app).get(`/api/cases/${caseId}`).set(as(who));
  expect(res.status).toBe(200);
  return [...res.body.allowedActions].sort();
};

beforeAll(async () => {
  stack = await startStack();
  for (const s of ['ent-qianshu', 'stw-point-1', 'stw-area-east', 'stw-point-3', 'staff-market', 'manager-town']) tokens[s] = await stack.token(s);
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

it('offers each person the actions the case allows them now, and each offered one is taken', async () => {
  const opened = await request(stack.app).post('/api/cases').set(as('ent-qianshu')).send(openCaseBody());
  expect(opened.status).toBe(201);
  const id: string = opened.body.caseId;
  await eventually(async () => expect(await stack.db.case.findUnique({ where: { id } })).not.toBeNull());

  // assigned: the 点楼长 and the levels above may acknowledge, decline or reassign; the enterprise may withdraw
  expect(await allowed(id, 'stw-point-1')).toEqual(['acknowledge', 'decline', 'reassign']);
  expect(await allowed(id, 'stw-area-east')).toEqual(['acknowledge', 'decline', 'reassign']);
  expect(await allowed(id, 'ent-qianshu')).toEqual(['withdraw']);
  expect(await allowed(id, 'manager-town')).toEqual([]); // managers read, they do not act
  await request(stack.app).get(`/api/cases/${id}`).set(as('stw-point-3')).expect(404); // another area's 点楼长

  // not offered → refused
  const refused = await request(stack.app).post(`/api/cases/${id}/approve`).set(as('stw-point-1')).send({});
  expect(refused.status).toBe(409);

  await request(stack.app).post(`/api/cases/${id}/acknowledge`).set(as('stw-point-1')).send({}).expect(200);
  expect(await allowed(id, 'stw-point-1')).toEqual(['decline', 'dispatch', 'pause', 'propose', 'reassign', 'request-extension']);

  await request(stack.app).post(`/api/cases/${id}/dispatch`).set(as('stw-point-1')).send({ departmentId: 'dept-market' }).expect(200);
  // the lead department is with it now: no second dispatch; its staff may accept, reply or return
  expect(await allowed(id, 'stw-point-1')).not.toContain('dispatch');
  await eventually(async () => expect(await allowed(id, 'staff-market')).toEqual(['department-accept', 'department-reply', 'department-return']));
  await request(stack.app).post(`/api/cases/${id}/department-reply`).set(as('staff-market')).send({ text: '已处理' }).expect(200);

  // the department's answer waits for the steward's approval
  expect(await allowed(id, 'stw-point-1')).toEqual(['approve', 'reassign', 'reject', 'request-extension']);
  await request(stack.app).post(`/api/cases/${id}/approve`).set(as('stw-point-1')).send({}).expect(200);
  expect(await allowed(id, 'stw-point-1')).toEqual([]);
  expect(await allowed(id, 'ent-qianshu')).toEqual([]);
});
