/** Read-only lookups in the directory (towns, areas, buildings, stewards, departments, enterprises). */
import type { Db } from '../db/client';
import type { Actor, CaseParties, Level, StewardChain, StewardRef } from '../domain/case-model';
import { forbidden } from './errors';

const isLevel = (n: number): n is Level => n === 1 || n === 2 || n === 3;

export type Directory = ReturnType<typeof createDirectory>;

export function createDirectory(db: Db) {
  async function stewardRef(id: string | null | undefined): Promise<StewardRef | null> {
    if (!id) return null;
    const s = await db.steward.findUnique({ where: { id } });
    return s && s.active && isLevel(s.level) ? { id: s.id, name: s.name, level: s.level } : null;
  }

  return {
    /** Who is acting, from the X-Actor-Id header. */
    async actor(id: string): Promise<Actor> {
      const [steward, department, enterprise] = await Promise.all([
        db.steward.findUnique({ where: { id } }),
        db.department.findUnique({ where: { id } }),
        db.enterprise.findUnique({ where: { id } }),
      ]);
      if (steward && steward.active && isLevel(steward.level)) return { kind: 'steward', id, name: steward.name, level: steward.level };
      if (department) return { kind: 'department', id, name: department.name };
      if (enterprise) return { kind: 'enterprise', id, name: enterprise.name };
      throw forbidden(`X-Actor-Id ${id} is not a known steward, department or enterprise`);
    },

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

    async overview() {
      const [towns, areas, buildings, stewards, departments, enterprises] = await Promise.all([
        db.town.findMany({ orderBy: { id: 'asc' } }),
        db.area.findMany({ orderBy: { id: 'asc' } }),
        db.building.findMany({ orderBy: { id: 'asc' } }),
        db.steward.findMany({ orderBy: [{ level: 'desc' }, { id: 'asc' }] }),
        db.department.findMany({ orderBy: { id: 'asc' } }),
        db.enterprise.findMany({ orderBy: { id: 'asc' } }),
      ]);
      return { towns, areas, buildings, stewards, departments, enterprises };
    },
  };
}
