import { actorFor } from '../../src/auth/actor';
import type { Principal } from '../../src/auth/principal';
import { caseScope, departmentOnly, stateInScope } from '../../src/auth/scope';
import type { CaseState } from '../../src/domain/case-model';

const nobody: Principal = {
  personId: 'p',
  subject: 's',
  name: 'n',
  kind: 'person',
  roles: [],
  enterpriseIds: [],
  posts: [],
  departmentIds: [],
  systemDepartmentIds: [],
  managerTowns: [],
  admin: false,
};
const point1 = { stewardId: 'stw-point-1', name: '陈静', level: 1 as const, townId: 'town-a', areaId: 'area-east', buildingIds: ['bld-1'] };
const point2 = { ...point1, stewardId: 'stw-point-2', buildingIds: ['bld-2'] };
const area = { stewardId: 'stw-area-east', name: '李明', level: 2 as const, townId: 'town-a', areaId: 'area-east', buildingIds: [] };
const areaWest = { ...area, stewardId: 'stw-area-west', areaId: 'area-west' };
const chief = { stewardId: 'stw-chief', name: '王建国', level: 3 as const, townId: 'town-a', areaId: null, buildingIds: [] };

const state = (over: Partial<Pick<CaseState, 'owner' | 'escalations' | 'tasks'>> = {}) =>
  ({
    parties: { building: { id: 'bld-1', name: 'b', areaId: 'area-east', townId: 'town-a' }, enterprise: { id: 'ENT1', name: 'e', creditCode: 'ENT1' } },
    owner: { id: 'stw-point-1', name: '陈静', level: 1 },
    escalations: [],
    tasks: [],
    ...over,
  }) as unknown as CaseState;

describe('stateInScope (a case the read model has not recorded yet)', () => {
  it.each([
    ['the filing enterprise', true, { ...nobody, enterpriseIds: ['ENT1'] }],
    ['another enterprise', false, { ...nobody, enterpriseIds: ['ENT2'] }],
    ["the building's 点楼长", true, { ...nobody, posts: [point1] }],
    ['another building\'s 点楼长', false, { ...nobody, posts: [point2] }],
    ["the area's 分楼长", true, { ...nobody, posts: [area] }],
    ['another area\'s 分楼长', false, { ...nobody, posts: [areaWest] }],
    ["the town's 总楼长", true, { ...nobody, posts: [chief] }],
    ["the town's manager", true, { ...nobody, managerTowns: ['town-a'] }],
    ["another town's manager", false, { ...nobody, managerTowns: ['town-b'] }],
    ['a district-wide manager', true, { ...nobody, managerTowns: [null] }],
    ['an administrator only', false, { ...nobody, admin: true }],
    ['a department without a task', false, { ...nobody, departmentIds: ['dept-tax'] }],
  ] as [string, boolean, Principal][])('%s → %s', (_name, expected, p) => {
    expect(stateInScope(p, state())).toBe(expected);
  });

  it('keeps a case visible to the stewards who owned it and to departments with a task on it', () => {
    const handedOn = state({ owner: { id: 'stw-point-2', name: '刘洋', level: 1 } });
    expect(stateInScope({ ...nobody, posts: [{ ...point2, buildingIds: [] }] }, handedOn)).toBe(true);
    const escalated = state({ owner: { id: 'stw-area-west', name: '张华', level: 2 }, escalations: [{ fromStewardId: 'stw-x', toStewardId: 'stw-area-west' }] as never });
    expect(stateInScope({ ...nobody, posts: [{ ...point2, stewardId: 'stw-x', buildingIds: [] }] }, escalated)).toBe(true);
    const dispatched = state({ tasks: [{ departmentId: 'dept-tax' }] as never });
    expect(stateInScope({ ...nobody, systemDepartmentIds: ['dept-tax'] }, dispatched)).toBe(true);
  });
});

describe('caseScope (the database filter)', () => {
  it('sees nothing without a role that reaches cases, everything district-wide', () => {
    expect(caseScope({ ...nobody, admin: true })).toEqual({ id: { in: [] } });
    expect(caseScope({ ...nobody, managerTowns: [null] })).toEqual({});
  });

  it("joins every role's reach with OR", () => {
    const where = caseScope({ ...nobody, enterpriseIds: ['ENT1'], posts: [chief, point1], departmentIds: ['dept-tax'] });
    expect(where.OR).toEqual(
      expect.arrayContaining([
        { enterpriseId: { in: ['ENT1'] } },
        { buildingId: { in: ['bld-1'] } },
        { townId: { in: ['town-a'] } },
        { stewards: { some: { stewardId: { in: ['stw-chief', 'stw-point-1'] } } } },
        { tasks: { some: { departmentId: { in: ['dept-tax'] } } } },
      ]),
    );
  });

  it('gives a department-only caller the department view', () => {
    expect(departmentOnly({ ...nobody, departmentIds: ['dept-tax'] })).toBe(true);
    expect(departmentOnly({ ...nobody, departmentIds: ['dept-tax'], posts: [point1] })).toBe(false);
  });
});

describe('actorFor: the capacity a person acts in on a case', () => {
  const facts = { enterpriseId: 'ENT1', ownerStewardId: 'stw-point-1', chain: { 1: { id: 'stw-point-1' }, 2: { id: 'stw-area-east' }, 3: { id: 'stw-chief' } } as never, departmentIds: ['dept-tax'] };

  it('picks the post in the case\'s chain, with the person recorded', () => {
    const twoPosts = { ...nobody, personId: 'psn-1', posts: [point2, point1] };
    expect(actorFor(twoPosts, 'steward', facts)).toEqual({ kind: 'steward', id: 'stw-point-1', name: '陈静', level: 1, personId: 'psn-1' });
  });

  it('acts for the filing enterprise only, and for a department only with a task on the case', () => {
    expect(actorFor({ ...nobody, enterpriseIds: ['ENT1'] }, 'enterprise', facts)).toMatchObject({ kind: 'enterprise', id: 'ENT1' });
    expect(() => actorFor({ ...nobody, enterpriseIds: ['ENT2'] }, 'enterprise', facts)).toThrow(/enterprise that filed the case/);
    expect(actorFor({ ...nobody, departmentIds: ['dept-market', 'dept-tax'] }, 'department', facts, new Map([['dept-tax', '税务所']]))).toMatchObject({ kind: 'department', id: 'dept-tax', name: '税务所' });
    expect(() => actorFor({ ...nobody, departmentIds: ['dept-market'] }, 'department', facts)).toThrow(/department with a task/);
  });

  it('supplies information as the enterprise when the person is both', () => {
    expect(actorFor({ ...nobody, enterpriseIds: ['ENT1'], posts: [point1] }, 'steward_or_enterprise', facts)).toMatchObject({ kind: 'enterprise' });
  });
});
