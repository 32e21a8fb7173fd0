/**
 * The service catalogue in the database, versioned: each change to an item adds a version.
 * New cases take the latest active version of their category and freeze it into their
 * workflow state, so later edits never move a running case's deadlines.
 */
import type { Db } from './db/client';
import type { SlaPolicy } from './domain/case-model';
import { type Catalogue, DEFAULT_POLICY, policyOf, type PolicyDurations } from './domain/policy';
import type { Prisma } from './generated/sqlite/client';

export interface CatalogueEntry {
  code: string;
  version: number;
  name: string;
  departmentId: string | null;
  departmentHint: string | null;
  active: boolean;
  changedBy: string;
  note: string | null;
  createdAt: Date;
  /** the complete policy a new case of this category would run under */
  policy: SlaPolicy;
}

export interface CatalogueChange {
  name?: string;
  departmentId?: string | null;
  departmentHint?: string | null;
  policy?: Partial<PolicyDurations>;
  active?: boolean;
  note?: string;
}

/** The time limits of a policy, without the category's identity. */
export function durationsOf(policy: SlaPolicy): PolicyDurations {
  return Object.fromEntries(Object.keys(DEFAULT_POLICY).map((k) => [k, policy[k as keyof PolicyDurations]])) as PolicyDurations;
}

type Row = Awaited<ReturnType<Db['catalogueItem']['findFirstOrThrow']>>;

function entryOf(row: Row): CatalogueEntry {
  const durations = row.policy as unknown as PolicyDurations;
  return {
    code: row.code,
    version: row.version,
    name: row.name,
    departmentId: row.departmentId,
    departmentHint: row.departmentHint,
    active: row.active,
    changedBy: row.changedBy,
    note: row.note,
    createdAt: row.createdAt,
    policy: policyOf({ code: row.code, name: row.name, ...(row.departmentId ? { departmentId: row.departmentId } : {}), overrides: durations }, row.version),
  };
}

export type CatalogueStore = ReturnType<typeof createCatalogueStore>;

export function createCatalogueStore(db: Db) {
  async function get(code: string): Promise<CatalogueEntry | null> {
    const row = await db.catalogueItem.findFirst({ where: { code }, orderBy: { version: 'desc' } });
    return row && entryOf(row);
  }

  return {
    get,

    /** Latest version of every item (inactive ones too, flagged). */
    async list(): Promise<CatalogueEntry[]> {
      const rows = await db.catalogueItem.findMany({ orderBy: [{ code: 'asc' }, { version: 'desc' }] });
      const latest = rows.filter((r, i) => i === 0 || rows[i - 1]!.code !== r.code);
      return latest.map(entryOf);
    },

    async versions(code: string): Promise<CatalogueEntry[]> {
      return (await db.catalogueItem.findMany({ where: { code }, orderBy: { version: 'desc' } })).map(entryOf);
    },

    /**
     * Adds a version: the previous version (or the defaults) with `change` applied. Concurrent
     * changes to one item cannot both win: (code, version) is the primary key.
     */
    async change(code: string, change: CatalogueChange, actorId: string): Promise<{ entry: CatalogueEntry; created: boolean }> {
      const previous = await get(code);
      const name = change.name ?? previous?.name;
      if (!name) throw new Error('a new catalogue item needs a name');
      const durations = { ...DEFAULT_POLICY, ...(previous ? durationsOf(previous.policy) : {}), ...change.policy };
      const row = await db.catalogueItem.create({
        data: {
          code,
          version: (previous?.version ?? 0) + 1,
          name,
          departmentId: change.departmentId !== undefined ? change.departmentId : (previous?.departmentId ?? null),
          departmentHint: change.departmentHint !== undefined ? change.departmentHint : (previous?.departmentHint ?? null),
          policy: durations as unknown as Prisma.InputJsonValue,
          active: change.active ?? previous?.active ?? true,
          changedBy: actorId,
          note: change.note ?? null,
        },
      });
      return { entry: entryOf(row), created: !previous };
    },

    /** Loads the file's items that the database does not have yet (first start, new items). */
    async seed(file: { version: string; catalogue: Catalogue }): Promise<string[]> {
      const added: string[] = [];
      for (const c of file.catalogue.categories) {
        if (await get(c.code)) continue;
        await this.change(
          c.code,
          { name: c.name, departmentId: c.departmentId ?? null, departmentHint: c.departmentHint ?? null, policy: c.overrides, note: `由服务清单文件 ${file.version} 导入` },
          'catalogue-file',
        );
        added.push(c.code);
      }
      return added;
    },
  };
}
