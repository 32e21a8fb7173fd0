/** Read-only lookups in the directory (towns, areas, buildings, stewards, departments, enterprises). */
import type { Db } from '../db/client';
import type { CaseParties, Level, StewardChain, StewardRef } from '../domain/case-model';
import type { Principal } from '../auth/principal';
import { directoryTowns } from '../auth/scope';
import { presentChannels } from '../security/secrets';

const isLevel = (n: number): n is Level => n === 1 || n === 2 || n === 3;

export type Directory = ReturnType<typeof createDirectory>;

/** What a figure or a file names by id. */
export type NamedKind = 'town' | 'area' | 'building' | 'enterprise' | 'steward' | 'department' | 'category';

/** The names of these ids, as the directory (and, for a category, its latest catalogue version) has them; an unknown id is left out. */
export async function namesById(db: Db, kind: NamedKind, ids: readonly string[]): Promise<Map<string, string>> {
  if (!ids.length) return new Map();
  const byId = { where: { id: { in: [...ids] } }, select: { id: true as const, name: true as const } };
  const rows: { id: string; name: string }[] =
    kind === 'category'
      ? (await db.catalogueItem.findMany({ where: { code: { in: [...ids] } }, select: { code: true, name: true }, orderBy: { version: 'asc' } })).map((i) => ({ id: i.code, name: i.name }))
      : await ({
          town: () => db.town.findMany(byId),
          area: () => db.area.findMany(byId),
          building: () => db.building.findMany(byId),
          enterprise: () => db.enterprise.findMany(byId),
          steward: () => db.steward.findMany(byId),
          department: () => db.department.findMany(byId),
        })[kind]();
  // a category's versions come in ascending order: its latest name is the one kept
  return new Map(rows.map((r) => [r.id, r.name]));
}

export function createDirectory(db: Db) {
  async function stewardRef(id: string | null | undefined): Promise<StewardRef | null> {
    if (!id) return null;
    const s = await db.steward.findUnique({ where: { id } });
    return s && s.active && isLevel(s.level) ? { id: s.id, name: s.name, level: s.level } : null;
  }

  return {
    /** The building with its 点楼长 → 分楼长 → 总楼长 chain; missing links are null. */
    async building(buildingId: string) {
      const building = await db.building.findUnique({ where: { id: buildingId }, include: { area: { include: { town: true } } } });
      if (!building) return null;
      const [point, area, chief] = await Promise.all([
        stewardRef(building.pointStewardId),
        stewardRef(building.area.areaStewardId),
        stewardRef(building.area.town.chiefStewardId),
      ]);
      const parties: CaseParties['building'] = { id: building.id, name: building.name, areaId: building.areaId, townId: building.area.townId };
      const chain: StewardChain | null = point && area && chief ? { 1: point, 2: area, 3: chief } : null;
      return { building: parties, chain, missing: [!point && '点楼长', !area && '分楼长', !chief && '总楼长'].filter(Boolean) as string[] };
    },

    async steward(id: string) {
      return db.steward.findUnique({ where: { id } });
    },

    async department(id: string) {
      return db.department.findUnique({ where: { id } });
    },

    async enterpriseByCode(creditCode: string) {
      return db.enterprise.findUnique({ where: { creditCode } });
    },

    async registerEnterprise(creditCode: string, name: string, buildingId: string, contact: { name: string; phone: string }) {
      // the credit code is the enterprise's id: it is what an enterprise names itself by
      return db.enterprise.upsert({
        where: { creditCode },
        create: { id: creditCode, creditCode, name, buildingId, contactName: contact.name, contactPhone: contact.phone },
        update: {},
      });
    },

    departmentNames: (ids: string[]) => namesById(db, 'department', ids),

    /**
     * The directory as this principal may see it. Everyone signed in sees the structure (towns,
     * areas, buildings, who the stewards and departments are); contact details only reach the
     * stewards, managers and administrators of that town; enterprises only within scope. No
     * answer ever carries a secret: webhook secrets and robot keys show only as "set".
     */
    async overview(p: Principal) {
      const towns = directoryTowns(p);
      const inTown = (townId: string) => towns === 'all' || towns.includes(townId);
      const contacts = p.admin || p.posts.length > 0 || p.managerTowns.length > 0;
      const enterpriseWhere = towns === 'all' ? {} : { OR: [{ id: { in: p.enterpriseIds } }, { building: { area: { townId: { in: towns } } } }] };
      const [townRows, areas, buildings, stewards, departments, enterprises] = await Promise.all([
        db.town.findMany({ orderBy: { id: 'asc' } }),
        db.area.findMany({ orderBy: { id: 'asc' } }),
        db.building.findMany({ orderBy: { id: 'asc' } }),
        db.steward.findMany({ orderBy: [{ level: 'desc' }, { id: 'asc' }] }),
        db.department.findMany({ orderBy: { id: 'asc' } }),
        p.roles.some((r) => r !== 'department_staff' && r !== 'department_system') ? db.enterprise.findMany({ where: enterpriseWhere, orderBy: { id: 'asc' } }) : [],
      ]);
      return {
        towns: townRows.map(({ createdAt: _c, ...t }) => t),
        areas: areas.map(({ createdAt: _c, ...a }) => a),
        buildings: buildings.map(({ createdAt: _c, ...b }) => b),
        stewards: stewards.map((s) => ({
          id: s.id,
          name: s.name,
          level: s.level,
          townId: s.townId,
          areaId: s.areaId,
          active: s.active,
          ...(contacts && inTown(s.townId) ? { phone: s.phone, email: s.email } : {}),
          ...(p.admin ? { channels: presentChannels(s.channels) } : {}),
        })),
        departments: departments.map((d) => ({
          id: d.id,
          name: d.name,
          townId: d.townId,
          adapter: d.adapter,
          ...(contacts && inTown(d.townId) ? { contact: d.contact } : {}),
          ...(p.admin ? { webhookUrl: d.webhookUrl, webhookSecretSet: !!d.webhookSecret, channels: presentChannels(d.channels) } : {}),
        })),
        enterprises: enterprises.map((e) => ({
          id: e.id,
          name: e.name,
          creditCode: e.creditCode,
          buildingId: e.buildingId,
          ...(contacts || p.enterpriseIds.includes(e.id) ? { contactName: e.contactName, contactPhone: e.contactPhone } : {}),
        })),
      };
    },
  };
}
