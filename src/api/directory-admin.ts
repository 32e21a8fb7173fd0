/**
 * Directory administration, one definition per kind: the zod schema of a row, the referential
 * checks, the write and what an answer shows. The PUT routes and the bulk import both go through
 * `applyRow`, so a row the import accepts is exactly a body the PUT route accepts.
 *
 * Optional fields: omitted = unchanged (null on create), null = cleared. Secrets (a department's
 * webhook secret, the addresses of wecom/webhook channels) are sealed before they are stored and
 * never shown again: an answer says only that they are set.
 */
import { z } from 'zod';
import { Prisma } from '../generated/sqlite/client';
import { CHANNEL_TYPES } from '../adapters/notification-channel';
import { ROLE_NAMES, ROLES, type Role } from '../auth/principal';
import { mapChannelSecrets, presentChannels, type SecretBox } from '../security/secrets';
import { CreditCode, HttpUrl, isHttpUrl, line } from './schemas';
import { zodIssueInChinese } from './chinese-messages';
import type { Issue } from './errors';

export type { Issue };
export type Tx = Prisma.TransactionClient;

// ---------------------------------------------------------------------------------------------
// Field schemas

const str = () => z.string({ error: (i) => (i.input === undefined ? 'is required' : 'must be text') });

export const Id = str()
  .trim()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'must be 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit')
  .meta({ example: 'bld-tianan' });

const PHONE = /^[0-9+\-() ]{5,20}$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const Phone = str().trim().regex(PHONE, 'must be a phone number');
const Email = line(200).regex(EMAIL, 'must be an e-mail address');
const Level = z
  .number({ error: (i) => (i.input === undefined ? 'is required' : 'must be 1 (点楼长), 2 (分楼长) or 3 (总楼长)') })
  .int('must be 1 (点楼长), 2 (分楼长) or 3 (总楼长)')
  .min(1, 'must be 1 (点楼长), 2 (分楼长) or 3 (总楼长)')
  .max(3, 'must be 1 (点楼长), 2 (分楼长) or 3 (总楼长)');

const Channel = z
  .object({
    type: z.enum(CHANNEL_TYPES),
    address: line(2000),
  })
  .strict()
  .superRefine((c, ctx) => {
    const bad =
      (c.type === 'email' && !EMAIL.test(c.address) && 'must be an e-mail address') ||
      (c.type === 'sms' && !PHONE.test(c.address) && 'must be a phone number') ||
      ((c.type === 'wecom' || c.type === 'webhook') && !isHttpUrl(c.address) && 'must be an http(s) URL');
    if (bad) ctx.addIssue({ code: 'custom', path: ['address'], message: bad });
  });
const Channels = z
  .array(Channel)
  .max(10, 'at most 10 channels')
  .nullable()
  .optional()
  .meta({ description: 'replaces all channels when given; wecom and webhook addresses are sealed and never shown again' });

const opt = <T extends z.ZodType>(schema: T) => schema.nullable().optional();

// ---------------------------------------------------------------------------------------------
// Row schemas (the key comes from the path, or the key column of an import)

export const TownBody = z
  .object({ name: line(100), chiefStewardId: opt(Id).meta({ description: '总楼长: an active level-3 steward of this town' }) })
  .strict()
  .meta({ id: 'AdminTown' });

export const AreaBody = z
  .object({ name: line(100), townId: Id, areaStewardId: opt(Id).meta({ description: '分楼长: an active level-2 steward of this area' }) })
  .strict()
  .meta({ id: 'AdminArea' });

export const BuildingBody = z
  .object({ name: line(100), address: line(200), areaId: Id, pointStewardId: Id.meta({ description: '点楼长: an active level-1 steward of the same town' }) })
  .strict()
  .meta({ id: 'AdminBuilding' });

export const StewardBody = z
  .object({
    name: line(50),
    level: Level,
    townId: Id,
    areaId: opt(Id).meta({ description: 'required for levels 1 and 2, empty for level 3' }),
    phone: opt(Phone),
    email: opt(Email),
    channels: Channels,
    active: z.boolean({ error: 'must be true or false' }).optional(),
  })
  .strict()
  .meta({ id: 'AdminStewardPost' });

export const DepartmentBody = z
  .object({
    name: line(100),
    townId: Id,
    adapter: z.enum(['portal', 'webhook'], { error: 'must be portal (门户) or webhook (接口)' }).optional(),
    contact: opt(line(200)),
    webhookUrl: opt(HttpUrl),
    webhookSecret: opt(
      str().regex(/^[\x21-\x7e]{16,200}$/, 'must be 16-200 printable ASCII characters without spaces'),
    ).meta({ description: 'write-only: sealed at rest, shown only as webhookSecretSet' }),
    channels: Channels,
  })
  .strict()
  .meta({ id: 'AdminDepartment' });

export const EnterpriseBody = z
  .object({ name: line(100), buildingId: Id, contactName: opt(line(50)), contactPhone: opt(Phone), channels: Channels })
  .strict()
  .meta({ id: 'AdminEnterprise' });

export const PersonBody = z
  .object({
    subject: line(200).meta({
      description: "the identity provider's subject; a machine's client id",
    }),
    name: line(100),
    kind: z.enum(['person', 'machine'], { error: 'must be person (人员) or machine (系统)' }).optional(),
    active: z.boolean({ error: 'must be true or false' }).optional(),
  })
  .strict()
  .meta({ id: 'AdminPerson' });

export const GrantBody = z
  .object({
    role: z.enum(ROLES),
    scopeId: opt(Id).meta({
      description: 'enterprise id, steward post id, department id, town id (manager; null = the whole district); null for admin',
    }),
  })
  .strict()
  .meta({ id: 'AdminGrant' });

export const HolderBody = z.object({ personId: Id }).strict().meta({ id: 'AdminStewardHolder' });

// ---------------------------------------------------------------------------------------------
// What answers show

type Row = Record<string, unknown>;

const omitCreated = <T extends { createdAt?: Date }>({ createdAt: _c, ...rest }: T) => rest;

export const present = {
  town: (t: Prisma.TownModel) => omitCreated(t),
  area: (a: Prisma.AreaModel) => omitCreated(a),
  building: (b: Prisma.BuildingModel) => omitCreated(b),
  steward: (s: Prisma.StewardModel) => ({ ...omitCreated(s), channels: presentChannels(s.channels) }),
  department: ({ webhookSecret, createdAt: _c, ...d }: Prisma.DepartmentModel) => ({ ...d, webhookSecretSet: !!webhookSecret, channels: presentChannels(d.channels) }),
  enterprise: (e: Prisma.EnterpriseModel) => ({ ...omitCreated(e), channels: presentChannels(e.channels) }),
  person: (p: Prisma.PersonModel) => p,
  grant: (g: Prisma.RoleGrantModel) => g,
};

// ---------------------------------------------------------------------------------------------
// The kinds

export interface Ctx {
  tx: Tx;
  secrets: SecretBox;
}
export type Outcome = { issues: Issue[] } | { issues?: undefined; created: boolean; row: Row; townId: string | null };

export interface KindSpec<S extends z.ZodObject = z.ZodObject> {
  /** for messages and audit targets: town, area, … */
  noun: string;
  /** the key: its field name (the route parameter and the import column) and schema */
  keyField: 'id' | 'creditCode';
  keySchema: z.ZodType<string>;
  body: S;
  apply(ctx: Ctx, key: string, body: z.infer<S>): Promise<Outcome>;
}
const kind = <S extends z.ZodObject>(spec: KindSpec<S>) => spec;

const LEVEL_NAMES: Record<number, string> = { 1: '点楼长', 2: '分楼长', 3: '总楼长' };
const list = (ids: string[]) => (ids.length > 3 ? `${ids.slice(0, 3).join(', ')} and ${ids.length - 3} more` : ids.join(', '));
const listZh = (ids: string[]) => (ids.length > 3 ? `${ids.slice(0, 3).join('、')} 等 ${ids.length} 处` : ids.join('、'));

/** A steward named in a role: it must exist, be active, and have the level the role needs. */
async function stewardFor(tx: Tx, field: string, id: string, level: 1 | 2 | 3, issues: Issue[]) {
  const s = await tx.steward.findUnique({ where: { id } });
  if (!s) issues.push({ field, message: `unknown steward ${id}`, zh: `楼长岗位 ${id} 不存在` });
  else if (s.level !== level) {
    issues.push({
      field,
      message: `${id} is a level-${s.level} steward (${LEVEL_NAMES[s.level] ?? '?'}), not a ${LEVEL_NAMES[level]} (level ${level})`,
      zh: `${id} 是${LEVEL_NAMES[s.level] ?? `${s.level} 级楼长`}，不是${LEVEL_NAMES[level]}`,
    });
  } else if (!s.active) issues.push({ field, message: `${id} is inactive`, zh: `楼长岗位 ${id} 已停用` });
  else return s;
  return null;
}

const sealChannels = (secrets: SecretBox, channels: z.infer<typeof Channels>) =>
  channels === undefined ? undefined : channels === null ? Prisma.DbNull : (mapChannelSecrets(channels, (v) => secrets.seal(v)) as Prisma.InputJsonValue);

const done = (created: boolean, row: Row, townId: string | null): Outcome => ({ created, row, townId });
const unknownTown = (id: string): Issue => ({ field: 'townId', message: `unknown town ${id}`, zh: `街道 ${id} 不存在` });
const unknownArea = (id: string): Issue => ({ field: 'areaId', message: `unknown area ${id}`, zh: `园区 ${id} 不存在` });

export const DIRECTORY_KINDS = {
  towns: kind({
    noun: 'town',
    keyField: 'id',
    keySchema: Id,
    body: TownBody,
    async apply({ tx }, id, body) {
      const issues: Issue[] = [];
      if (body.chiefStewardId) {
        const s = await stewardFor(tx, 'chiefStewardId', body.chiefStewardId, 3, issues);
        if (s && s.townId !== id) issues.push({ field: 'chiefStewardId', message: `${s.id} is a steward of town ${s.townId}, not of ${id}`, zh: `${s.id} 是街道 ${s.townId} 的楼长，不是 ${id} 的` });
      }
      if (issues.length) return { issues };
      const existing = await tx.town.findUnique({ where: { id }, select: { id: true } });
      const data = { name: body.name, chiefStewardId: body.chiefStewardId };
      const row = await tx.town.upsert({ where: { id }, create: { id, ...data }, update: data });
      return done(!existing, present.town(row), id);
    },
  }),

  areas: kind({
    noun: 'area',
    keyField: 'id',
    keySchema: Id,
    body: AreaBody,
    async apply({ tx }, id, body) {
      const issues: Issue[] = [];
      const existing = await tx.area.findUnique({ where: { id } });
      if (!(await tx.town.findUnique({ where: { id: body.townId }, select: { id: true } }))) issues.push(unknownTown(body.townId));
      else if (existing && existing.townId !== body.townId) {
        // stewards carry their town; cases carry the area's: an area does not change towns
        const [stewards, buildings] = await Promise.all([tx.steward.count({ where: { areaId: id } }), tx.building.count({ where: { areaId: id } })]);
        if (stewards || buildings) {
          issues.push({
            field: 'townId',
            message: `area ${id} has ${stewards} stewards and ${buildings} buildings in town ${existing.townId}; it cannot move to another town`,
            zh: `园区 ${id} 在街道 ${existing.townId} 有 ${stewards} 个楼长岗位和 ${buildings} 栋楼宇，不能改属其他街道`,
          });
        }
      }
      if (body.areaStewardId) {
        const s = await stewardFor(tx, 'areaStewardId', body.areaStewardId, 2, issues);
        if (s && s.areaId !== id) {
          issues.push({ field: 'areaStewardId', message: `${s.id} is the steward post of area ${s.areaId ?? '(none)'}, not of ${id}`, zh: `${s.id} 是园区 ${s.areaId ?? '（无）'} 的楼长岗位，不是 ${id} 的` });
        }
      }
      if (issues.length) return { issues };
      const data = { name: body.name, townId: body.townId, areaStewardId: body.areaStewardId };
      const row = await tx.area.upsert({ where: { id }, create: { id, ...data }, update: data });
      return done(!existing, present.area(row), row.townId);
    },
  }),

  buildings: kind({
    noun: 'building',
    keyField: 'id',
    keySchema: Id,
    body: BuildingBody,
    async apply({ tx }, id, body) {
      const issues: Issue[] = [];
      const area = await tx.area.findUnique({ where: { id: body.areaId } });
      if (!area) issues.push(unknownArea(body.areaId));
      const s = await stewardFor(tx, 'pointStewardId', body.pointStewardId, 1, issues);
      if (s && area && s.townId !== area.townId) {
        issues.push({
          field: 'pointStewardId',
          message: `${s.id} is a steward of town ${s.townId}; area ${area.id} is in town ${area.townId}`,
          zh: `${s.id} 是街道 ${s.townId} 的楼长，而园区 ${area.id} 属于街道 ${area.townId}`,
        });
      }
      if (issues.length || !area) return { issues };
      const existing = await tx.building.findUnique({ where: { id }, select: { id: true } });
      const data = { name: body.name, address: body.address, areaId: body.areaId, pointStewardId: body.pointStewardId };
      const row = await tx.building.upsert({ where: { id }, create: { id, ...data }, update: data });
      return done(!existing, present.building(row), area.townId);
    },
  }),

  stewards: kind({
    noun: 'steward',
    keyField: 'id',
    keySchema: Id,
    body: StewardBody,
    async apply({ tx, secrets }, id, body) {
      const issues: Issue[] = [];
      const existing = await tx.steward.findUnique({ where: { id } });
      const areaId = body.areaId !== undefined ? body.areaId : (existing?.areaId ?? null);
      if (!(await tx.town.findUnique({ where: { id: body.townId }, select: { id: true } }))) issues.push(unknownTown(body.townId));
      if (body.level === 3 && areaId) {
        issues.push({ field: 'areaId', message: 'a 总楼长 (level 3) answers for the whole town: leave the area empty', zh: '总楼长负责整个街道，园区须留空' });
      }
      if (body.level !== 3 && !areaId) {
        issues.push({ field: 'areaId', message: `a ${LEVEL_NAMES[body.level]} (level ${body.level}) needs an area`, zh: `${LEVEL_NAMES[body.level]}须指定所属园区` });
      }
      if (areaId) {
        const area = await tx.area.findUnique({ where: { id: areaId } });
        if (!area) issues.push(unknownArea(areaId));
        else if (area.townId !== body.townId) {
          issues.push({ field: 'areaId', message: `area ${areaId} is in town ${area.townId}, not ${body.townId}`, zh: `园区 ${areaId} 属于街道 ${area.townId}，不属于 ${body.townId}` });
        }
      }
      if (existing) {
        // the post is named elsewhere: a change must not leave a building, area or town pointing at the wrong kind of post
        const [buildings, areas, towns] = await Promise.all([
          tx.building.findMany({ where: { pointStewardId: id }, select: { id: true, area: { select: { townId: true } } } }),
          tx.area.findMany({ where: { areaStewardId: id }, select: { id: true } }),
          tx.town.findMany({ where: { chiefStewardId: id }, select: { id: true } }),
        ]);
        const named = (field: string, what: string, ids: string[]): Issue => ({
          field,
          message: `${id} is the ${what} of ${list(ids)}; name another steward there first`,
          zh: `${id} 现为 ${listZh(ids)} 的${what}，请先在那里指定其他楼长`,
        });
        if (buildings.length && body.level !== 1) issues.push(named('level', '点楼长', buildings.map((b) => b.id)));
        else if (buildings.some((b) => b.area.townId !== body.townId)) issues.push(named('townId', '点楼长', buildings.map((b) => b.id)));
        if (areas.length && (body.level !== 2 || areas.some((a) => a.id !== areaId))) issues.push(named(body.level !== 2 ? 'level' : 'areaId', '分楼长', areas.map((a) => a.id)));
        if (towns.length && (body.level !== 3 || towns.some((t) => t.id !== body.townId))) issues.push(named(body.level !== 3 ? 'level' : 'townId', '总楼长', towns.map((t) => t.id)));
      }
      if (issues.length) return { issues };
      const data = {
        name: body.name,
        level: body.level,
        townId: body.townId,
        areaId: body.areaId,
        phone: body.phone,
        email: body.email,
        active: body.active,
        channels: sealChannels(secrets, body.channels),
      };
      const row = await tx.steward.upsert({ where: { id }, create: { id, ...data }, update: data });
      return done(!existing, present.steward(row), row.townId);
    },
  }),

  departments: kind({
    noun: 'department',
    keyField: 'id',
    keySchema: Id,
    body: DepartmentBody,
    async apply({ tx, secrets }, id, body) {
      const issues: Issue[] = [];
      const existing = await tx.department.findUnique({ where: { id } });
      if (!(await tx.town.findUnique({ where: { id: body.townId }, select: { id: true } }))) issues.push(unknownTown(body.townId));
      const adapter = body.adapter ?? existing?.adapter ?? 'portal';
      if (adapter === 'webhook') {
        const url = body.webhookUrl !== undefined ? body.webhookUrl : existing?.webhookUrl;
        const secret = body.webhookSecret !== undefined ? body.webhookSecret : existing?.webhookSecret;
        if (!url) issues.push({ field: 'webhookUrl', message: 'a webhook department needs the URL its dispatches are POSTed to', zh: '接口对接的部门须填写接收派单的网址' });
        if (!secret) {
          issues.push({ field: 'webhookSecret', message: 'a webhook department needs the shared secret that signs dispatches and callbacks', zh: '接口对接的部门须填写派单和回调签名用的共享密钥' });
        }
      }
      if (issues.length) return { issues };
      const data = {
        name: body.name,
        townId: body.townId,
        adapter,
        contact: body.contact,
        webhookUrl: body.webhookUrl,
        webhookSecret: body.webhookSecret ? secrets.seal(body.webhookSecret) : body.webhookSecret,
        channels: sealChannels(secrets, body.channels),
      };
      const row = await tx.department.upsert({ where: { id }, create: { id, ...data }, update: data });
      return done(!existing, present.department(row), row.townId);
    },
  }),

  enterprises: kind({
    noun: 'enterprise',
    keyField: 'creditCode',
    keySchema: CreditCode,
    body: EnterpriseBody,
    async apply({ tx, secrets }, creditCode, body) {
      const building = await tx.building.findUnique({ where: { id: body.buildingId }, include: { area: { select: { townId: true } } } });
      if (!building) return { issues: [{ field: 'buildingId', message: `unknown building ${body.buildingId}`, zh: `楼宇 ${body.buildingId} 不存在` }] };
      const existing = await tx.enterprise.findUnique({ where: { creditCode }, select: { id: true } });
      const data = { name: body.name, buildingId: body.buildingId, contactName: body.contactName, contactPhone: body.contactPhone, channels: sealChannels(secrets, body.channels) };
      // the credit code is the enterprise's id, as when an enterprise registers itself
      const row = await tx.enterprise.upsert({ where: { creditCode }, create: { id: creditCode, creditCode, ...data }, update: data });
      return done(!existing, present.enterprise(row), building.area.townId);
    },
  }),

  people: kind({
    noun: 'person',
    keyField: 'id',
    keySchema: Id,
    body: PersonBody,
    async apply({ tx }, id, body) {
      const issues: Issue[] = [];
      const existing = await tx.person.findUnique({ where: { id }, include: { grants: { where: { revokedAt: null } } } });
      const other = await tx.person.findUnique({ where: { subject: body.subject }, select: { id: true } });
      if (other && other.id !== id) issues.push({ field: 'subject', message: `subject ${body.subject} already belongs to person ${other.id}`, zh: `登录标识 ${body.subject} 已属于人员 ${other.id}` });
      if (existing && body.kind && body.kind !== existing.kind) {
        const misfit = existing.grants.filter((g) => (g.role === 'department_system') !== (body.kind === 'machine'));
        if (misfit.length) {
          issues.push({
            field: 'kind',
            message: `${id} holds active grants (${misfit.map((g) => g.role).join(', ')}) a ${body.kind} cannot hold; revoke them first`,
            zh: `${id} 持有${body.kind === 'machine' ? '系统' : '人员'}不能持有的在用授权（${misfit.map((g) => ROLE_NAMES[g.role as Role] ?? g.role).join('、')}），请先撤销`,
          });
        }
      }
      if (existing && body.active === false && existing.grants.some((g) => g.role === 'admin') && !(await otherAdmins(tx, id))) {
        issues.push({ field: 'active', message: `${id} is the last active administrator`, zh: `${id} 是最后一位在任管理员，不能停用` });
      }
      if (issues.length) return { issues };
      const data = { subject: body.subject, name: body.name, kind: body.kind, active: body.active };
      const row = await tx.person.upsert({ where: { id }, create: { id, ...data }, update: data });
      return done(!existing, present.person(row), null);
    },
  }),
};

export type DirectoryKind = keyof typeof DIRECTORY_KINDS;
export const DIRECTORY_KIND_NAMES = Object.keys(DIRECTORY_KINDS) as DirectoryKind[];

/** Parses and applies one row of a kind; issues name the row's own fields. */
export async function applyRow(ctx: Ctx, spec: KindSpec, key: unknown, body: unknown): Promise<Outcome> {
  const issues: Issue[] = [];
  const k = spec.keySchema.safeParse(key);
  if (!k.success) issues.push(...k.error.issues.map((i) => ({ field: [spec.keyField, ...i.path].join('.'), message: i.message, zh: zodIssueInChinese(i) })));
  const b = spec.body.safeParse(body);
  if (!b.success) issues.push(...zodIssues(b.error));
  if (issues.length || !k.success || !b.success) return { issues };
  return spec.apply(ctx, k.data, b.data as never);
}

export const zodIssues = (err: z.ZodError): Issue[] =>
  err.issues.flatMap((i) =>
    i.code === 'unrecognized_keys'
      ? i.keys.map((key) => ({ field: [...i.path, key].join('.'), message: 'unknown field', zh: '不允许的字段' }))
      : [{ field: i.path.join('.') || '(row)', message: i.message, zh: zodIssueInChinese(i) }],
  );

/** Whether an active administrator other than this person remains (nobody locks the district out). */
export async function otherAdmins(tx: Tx, personId: string): Promise<boolean> {
  return (await tx.roleGrant.count({ where: { role: 'admin', revokedAt: null, personId: { not: personId }, person: { active: true } } })) > 0;
}

// ---------------------------------------------------------------------------------------------
// Grants

/** Why this person may not be granted this role with this scope, if they may not. */
export async function grantProblem(tx: Tx, person: { kind: string }, role: Role, scopeId: string | null): Promise<Issue | null> {
  const machine = person.kind === 'machine';
  if (machine !== (role === 'department_system')) {
    return machine
      ? { field: 'role', message: 'a machine (a department system) can only be granted department_system', zh: '系统账号（部门业务系统）只能授予 department_system（部门业务系统）角色' }
      : { field: 'role', message: 'department_system is for machines (a department system signing in with client credentials)', zh: 'department_system 角色仅用于以客户端凭据登录的部门业务系统' };
  }
  const need = (what: string, zh: string) => ({ field: 'scopeId', message: `a ${role} grant needs the ${what} it is for`, zh: `授予${ROLE_NAMES[role]}角色须指定所属${zh}` });
  const unknown = (what: string, zh: string) => ({ field: 'scopeId', message: `unknown ${what} ${scopeId}`, zh: `${zh} ${scopeId} 不存在` });
  switch (role) {
    case 'admin':
      return scopeId ? { field: 'scopeId', message: 'an admin grant has no scope: leave scopeId null', zh: '管理员授权没有范围，scopeId 须为 null' } : null;
    case 'manager':
      return scopeId && !(await tx.town.findUnique({ where: { id: scopeId }, select: { id: true } })) ? unknown('town', '街道') : null;
    case 'enterprise':
      if (!scopeId) return need('enterprise', '企业');
      return (await tx.enterprise.findUnique({ where: { id: scopeId }, select: { id: true } })) ? null : unknown('enterprise', '企业');
    case 'steward': {
      if (!scopeId) return need('steward post', '楼长岗位');
      const post = await tx.steward.findUnique({ where: { id: scopeId }, select: { active: true } });
      return !post ? unknown('steward post', '楼长岗位') : post.active ? null : { field: 'scopeId', message: `steward post ${scopeId} is inactive`, zh: `楼长岗位 ${scopeId} 已停用` };
    }
    case 'department_staff':
    case 'department_system':
      if (!scopeId) return need('department', '部门');
      return (await tx.department.findUnique({ where: { id: scopeId }, select: { id: true } })) ? null : unknown('department', '部门');
  }
}
