/**
 * A small demo directory: one 街道 with its 总楼长, two 园区 with 分楼长, four buildings with
 * 点楼长, the usual departments and a few enterprises. Idempotent (upserts), so it can run at
 * every start.
 */
import type { CatalogueStore } from '../catalogue-store';
import type { Db } from './client';

export type RoleName = 'enterprise' | 'steward' | 'department_staff' | 'department_system' | 'manager' | 'admin';
export interface DemoUser {
  subject: string;
  name: string;
  roles: { role: RoleName; scopeId: string | null }[];
}

/** Every demo user's password on the embedded identity provider (never used in production). */
export const DEMO_PASSWORD = 'demo';

export const DEMO = {
  town: { id: 'town-changshou', name: '长寿路街道', chiefStewardId: 'stw-chief' },
  stewards: [
    { id: 'stw-chief', name: '王建国', level: 3, phone: '13800000001', areaId: null },
    { id: 'stw-area-east', name: '李明', level: 2, phone: '13800000002', areaId: 'area-east' },
    { id: 'stw-area-west', name: '张华', level: 2, phone: '13800000003', areaId: 'area-west' },
    { id: 'stw-point-1', name: '陈静', level: 1, phone: '13800000011', areaId: 'area-east' },
    { id: 'stw-point-2', name: '刘洋', level: 1, phone: '13800000012', areaId: 'area-east' },
    { id: 'stw-point-3', name: '赵磊', level: 1, phone: '13800000013', areaId: 'area-west' },
    { id: 'stw-point-4', name: '孙悦', level: 1, phone: '13800000014', areaId: 'area-west' },
  ],
  areas: [
    { id: 'area-east', name: '天安千树园区', areaStewardId: 'stw-area-east' },
    { id: 'area-west', name: '长风商务片区', areaStewardId: 'stw-area-west' },
  ],
  buildings: [
    { id: 'bld-tianan', name: '天安千树大厦', address: '莫干山路600号', areaId: 'area-east', pointStewardId: 'stw-point-1' },
    { id: 'bld-huashi', name: '华师大科技园', address: '中山北路3663号', areaId: 'area-east', pointStewardId: 'stw-point-2' },
    { id: 'bld-changfeng', name: '长风国际大厦', address: '大渡河路168号', areaId: 'area-west', pointStewardId: 'stw-point-3' },
    { id: 'bld-yueda', name: '月星环球港写字楼', address: '中山北路3300号', areaId: 'area-west', pointStewardId: 'stw-point-4' },
  ],
  departments: [
    { id: 'dept-market', name: '市场监管所' },
    { id: 'dept-tax', name: '税务所' },
    { id: 'dept-police', name: '派出所' },
    { id: 'dept-hr', name: '人社局' },
    { id: 'dept-urban', name: '城管中队' },
    { id: 'dept-fire', name: '消防救援站' },
  ],
  enterprises: [
    { creditCode: '91310107MA1G0AB10G', name: '上海千树信息科技有限公司', buildingId: 'bld-tianan', contactName: '周经理', contactPhone: '13900000001' },
    { creditCode: '91310107MA1H2CD30E', name: '上海华师智能装备有限公司', buildingId: 'bld-huashi', contactName: '吴女士', contactPhone: '13900000002' },
    { creditCode: '91310107MA1J4EF50C', name: '上海长风文化传媒有限公司', buildingId: 'bld-changfeng', contactName: '郑先生', contactPhone: '13900000003' },
    { creditCode: '91310107MA1K6GH70A', name: '上海环球港餐饮管理有限公司', buildingId: 'bld-yueda', contactName: '冯经理', contactPhone: '13900000004' },
  ],
  /**
   * Demo people for the embedded identity provider (subject = username, password `demo`) and the
   * roles the directory grants them. One per role, and a 总楼长 who is also an administrator.
   */
  users: [
    { subject: 'stw-chief', name: '王建国', roles: [{ role: 'steward', scopeId: 'stw-chief' }, { role: 'admin', scopeId: null }] },
    { subject: 'stw-area-east', name: '李明', roles: [{ role: 'steward', scopeId: 'stw-area-east' }] },
    { subject: 'stw-area-west', name: '张华', roles: [{ role: 'steward', scopeId: 'stw-area-west' }] },
    { subject: 'stw-point-1', name: '陈静', roles: [{ role: 'steward', scopeId: 'stw-point-1' }] },
    { subject: 'stw-point-2', name: '刘洋', roles: [{ role: 'steward', scopeId: 'stw-point-2' }] },
    { subject: 'stw-point-3', name: '赵磊', roles: [{ role: 'steward', scopeId: 'stw-point-3' }] },
    { subject: 'stw-point-4', name: '孙悦', roles: [{ role: 'steward', scopeId: 'stw-point-4' }] },
    { subject: 'ent-qianshu', name: '周经理', roles: [{ role: 'enterprise', scopeId: '91310107MA1G0AB10G' }] },
    { subject: 'ent-huashi', name: '吴女士', roles: [{ role: 'enterprise', scopeId: '91310107MA1H2CD30E' }] },
    { subject: 'ent-changfeng', name: '郑先生', roles: [{ role: 'enterprise', scopeId: '91310107MA1J4EF50C' }] },
    { subject: 'ent-yueda', name: '冯经理', roles: [{ role: 'enterprise', scopeId: '91310107MA1K6GH70A' }] },
    { subject: 'staff-market', name: '市场监管所 钱科员', roles: [{ role: 'department_staff', scopeId: 'dept-market' }] },
    { subject: 'staff-tax', name: '税务所 何科员', roles: [{ role: 'department_staff', scopeId: 'dept-tax' }] },
    { subject: 'staff-urban', name: '城管中队 林队员', roles: [{ role: 'department_staff', scopeId: 'dept-urban' }] },
    { subject: 'manager-town', name: '街道督查 马主任', roles: [{ role: 'manager', scopeId: 'town-changshou' }] },
    { subject: 'inspector', name: '区督查室 高科长', roles: [{ role: 'manager', scopeId: null }] },
    { subject: 'admin', name: '系统管理员', roles: [{ role: 'admin', scopeId: null }] },
  ] as DemoUser[],
  /** department systems that sign in as machines (OAuth 2 client credentials), by client id */
  machines: [{ clientId: 'dept-market-system', name: '市场监管所业务系统', departmentId: 'dept-market' }],
};

export async function seedDemo(db: Db): Promise<void> {
  const { town } = DEMO;
  await db.town.upsert({ where: { id: town.id }, create: town, update: town });
  for (const a of DEMO.areas) {
    const area = { ...a, townId: town.id };
    await db.area.upsert({ where: { id: a.id }, create: area, update: area });
  }
  for (const s of DEMO.stewards) {
    const steward = { ...s, townId: town.id };
    await db.steward.upsert({ where: { id: s.id }, create: steward, update: steward });
  }
  for (const b of DEMO.buildings) await db.building.upsert({ where: { id: b.id }, create: b, update: b });
  for (const d of DEMO.departments) {
    const dept = { ...d, townId: town.id, adapter: 'portal' };
    await db.department.upsert({ where: { id: d.id }, create: dept, update: dept });
  }
  for (const e of DEMO.enterprises) {
    const ent = { id: e.creditCode, ...e };
    await db.enterprise.upsert({ where: { id: e.creditCode }, create: ent, update: ent });
  }
  for (const u of DEMO.users) await grantAll(db, { id: `psn-${u.subject}`, subject: u.subject, name: u.name, kind: 'person' }, u.roles);
  for (const m of DEMO.machines) {
    await grantAll(db, { id: `sys-${m.clientId}`, subject: m.clientId, name: m.name, kind: 'machine' }, [{ role: 'department_system', scopeId: m.departmentId }]);
  }
}

/** The person and each of their roles, granted once (a grant an administrator revoked stays revoked). */
async function grantAll(db: Db, person: { id: string; subject: string; name: string; kind: string }, roles: DemoUser['roles']): Promise<void> {
  await db.person.upsert({ where: { id: person.id }, create: person, update: {} });
  for (const r of roles) {
    const existing = await db.roleGrant.findFirst({ where: { personId: person.id, role: r.role, scopeId: r.scopeId } });
    if (!existing) await db.roleGrant.create({ data: { personId: person.id, role: r.role, scopeId: r.scopeId, grantedBy: 'seed' } });
  }
}

/** The demo's own catalogue item: the 回访 opens a minute after resolution, so a newcomer can carry a case to 已结案 in one sitting. */
export const DEMO_WALKTHROUGH = {
  code: 'demo_walkthrough',
  name: '演示：快速办结（回访 1 分钟后开始）',
  departmentId: 'dept-urban',
  departmentHint: '城管',
  policy: {
    response: { value: 4, unit: 'working_hours' as const },
    resolution: { value: 2, unit: 'working_days' as const },
    followUpDelay: { value: 1, unit: 'minutes' as const },
    enterpriseFeedback: true,
  },
};

/** Adds the demo's catalogue item once; an administrator's later change of it stays. */
export async function seedDemoCatalogue(catalogue: CatalogueStore): Promise<boolean> {
  if (await catalogue.get(DEMO_WALKTHROUGH.code)) return false;
  const { code, ...item } = DEMO_WALKTHROUGH;
  await catalogue.change(code, { ...item, note: '演示数据' }, 'seed');
  return true;
}
