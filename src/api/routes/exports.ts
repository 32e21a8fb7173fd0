import type { Request, Response, Router } from 'express';
import { z } from 'zod';
import type { Db } from '../../db/client';
import type { Logger } from '../../logger';
import type { AccessControl } from '../../auth/access';
import type { Principal, Role } from '../../auth/principal';
import { LEVEL_NAMES, type Level } from '../../domain/case-model';
import type { CaseService } from '../case-service';
import {
  attachment,
  beijingText,
  type CaseRow,
  CSV_TYPE,
  groupsOf,
  type Pages,
  type Ranking,
  nameBook,
  streamCasesCsv,
  streamCasesXlsx,
  streamReport,
  XLSX_TYPE,
} from '../exports';
import { MEASURES, RATE_KEYS } from '../measures';
import { CaseListFilters, type Group, listFilterChecks, periodChecks, StatsQuery } from '../schemas';
import { createStats } from '../stats';
import { route } from '../validate';

/** Who may take files away: those the figures judge, and those who judge by them (as GET /api/stats). */
const EXPORTERS: readonly Role[] = ['steward', 'manager'];

/** Rows read per query of the walk: big enough to cost little per row, small enough to stream. */
const PAGE_SIZE = 500;

/** The case list's own filters and checks without paging (the file holds the whole list), and the format. */
export const ExportCasesQuery = CaseListFilters.extend({
  format: z.enum(['xlsx', 'csv']).default('xlsx').meta({ description: 'xlsx (default): an Excel workbook; csv: UTF-8 with a BOM, for Excel and other tools' }),
})
  .strict()
  .superRefine(listFilterChecks);
export type ExportCasesQuery = z.infer<typeof ExportCasesQuery>;

export const ReportQuery = StatsQuery.omit({ groupBy: true })
  .extend({ format: z.enum(['xlsx']).default('xlsx').meta({ description: 'xlsx only: the report is a workbook of several sheets' }) })
  .superRefine(periodChecks);
export type ReportQuery = z.infer<typeof ReportQuery>;

type ListFilters = Omit<ExportCasesQuery, 'format'>;

/**
 * The whole list, page by page along its cursor, exactly as GET /api/cases walks it (same
 * filters, scope and order). The first page is read before anything is sent, so a query the list
 * refuses or a database that is down is still answered as a JSON error.
 */
async function walk(cases: CaseService, q: ListFilters, principal: Principal): Promise<Pages> {
  let page = await cases.list({ ...q, pageSize: PAGE_SIZE }, principal);
  return (async function* () {
    yield page.items as readonly CaseRow[];
    while (page.nextCursor) {
      page = await cases.list({ ...q, pageSize: PAGE_SIZE, cursor: page.nextCursor }, principal);
      yield page.items;
    }
  })();
}

/**
 * Runs a file's writer once its status and headers are set. Failures the caller should hear about
 * as JSON (a refused query, a database down) happen before, on the first page; a failure here cuts
 * the connection, whether or not bytes went out (the workbook's zip writes on its own): the client
 * sees a broken transfer, never a short file that looks whole, nor JSON under a file's name.
 */
async function streaming(req: Request, res: Response, logger: Logger, write: () => Promise<void>): Promise<void> {
  try {
    await write();
  } catch (err) {
    logger.error({ err, reqId: req.requestId, path: req.path }, 'export failed while streaming; connection cut');
    res.destroy();
  }
}

const stamp = (t: Date) => beijingText(t).replace(/[-:]/g, '').replace(' ', '-');
const PART_NAMES = { numerator: '分子', denominator: '分母', count: '件数' } as const;
/** What the query from GET /api/cases lists, as a file name: 超期案件, 响应率分母案件, … */
function listName(q: ListFilters): string {
  if (q.measure) {
    // the list's default part: a rate's denominator, a count's count
    const part = q.part ?? ((RATE_KEYS as readonly string[]).includes(q.measure) ? 'denominator' : 'count');
    return `${MEASURES[q.measure].name}${PART_NAMES[part]}案件`;
  }
  return q.overdue ? '超期案件' : q.atRisk ? '临期案件' : '案件清单';
}
/** The query string as the caller wrote it, for the file's notes and the audit. */
const queryOf = (req: Request) => {
  const at = req.originalUrl.indexOf('?');
  return at < 0 ? '' : decodeURIComponent(req.originalUrl.slice(at + 1).replace(/\+/g, ' '));
};

const RANKINGS: { group: Group; sheet: string; noun: string }[] = [
  { group: 'area', sheet: '片区', noun: '片区' },
  { group: 'building', sheet: '楼宇', noun: '楼宇' },
  { group: 'steward', sheet: '楼长', noun: '楼长' },
  { group: 'department', sheet: '部门', noun: '主办部门' },
];
const FILTER_KEYS = ['townId', 'areaId', 'buildingId', 'ownerStewardId', 'departmentId', 'category', 'urgency', 'level'] as const;

/**
 * Files for managers: the case list as .xlsx or .csv, and the 考核 report (月报) as a workbook.
 * Registered before the cases router: `/api/cases/export` is not a case id.
 */
export function exportsRouter(access: AccessControl, cases: CaseService, db: Db, logger: Logger): Router {
  const stats = createStats(db);
  const { router, get } = access.router('/api');

  get(
    '/cases/export',
    {
      access: EXPORTERS,
      audit: 'case.export',
      produces: [XLSX_TYPE, 'text/csv'],
      summary: 'the case list as an Excel workbook or a CSV file: the filters, scope and order of GET /api/cases, every page, times in Beijing time',
    },
    route({ query: ExportCasesQuery }, async ({ query }, req, res) => {
      const { format, ...q } = query;
      const at = new Date();
      // a figure's cases as of one instant for the whole walk, as the figure's own links carry it
      const filters: ListFilters = q.measure && q.asOf === undefined ? { ...q, asOf: at.toISOString() } : q;
      const pages = await walk(cases, filters, req.principal!);
      const names = nameBook(db);
      const name = `${listName(filters)}-${stamp(at)}`;
      req.auditTarget = { target: 'cases', detail: { query: queryOf(req), format } };
      res
        .status(200)
        .set('Content-Type', format === 'csv' ? CSV_TYPE : XLSX_TYPE)
        .set('Content-Disposition', attachment(`${name}.${format}`, `cases-${stamp(at)}.${format}`))
        .set('Cache-Control', 'no-store');
      await streaming(req, res, logger, () =>
        format === 'csv' ? streamCasesCsv(res, pages, names) : streamCasesXlsx(res, pages, names, { at, query: queryOf(req) }),
      );
    }),
  );

  get(
    '/stats/report',
    {
      access: EXPORTERS,
      audit: 'stats.report',
      produces: [XLSX_TYPE],
      summary: '月报: the figures of GET /api/stats over a period as a workbook — 总览, rankings by area, building, steward and department, and the cases overdue now',
    },
    route({ query: ReportQuery }, async ({ query }, req, res) => {
      const { format: _xlsx, ...q } = query;
      const at = new Date();
      const principal = req.principal!;
      // every sheet counted at the same instant
      const base = { ...q, asOf: q.asOf ?? at.toISOString() };
      const [total, ...grouped] = await Promise.all([stats.rates(base, principal), ...RANKINGS.map((r) => stats.rates({ ...base, groupBy: r.group }, principal))]);
      const stewardIds = groupsOf(grouped[RANKINGS.findIndex((r) => r.group === 'steward')]!).flatMap((g) => (g.key ? [g.key] : []));
      const levels = new Map((await db.steward.findMany({ where: { id: { in: stewardIds } }, select: { id: true, level: true } })).map((s) => [s.id, s.level as Level]));
      const rankings: Ranking[] = RANKINGS.map((r, i) => ({
        sheet: r.sheet,
        noun: r.noun,
        groups: groupsOf(grouped[i]!),
        ...(r.group === 'steward' ? { extra: { header: '层级', width: 8, value: (g) => (g.key && levels.has(g.key) ? LEVEL_NAMES[levels.get(g.key)!] : null) } } : {}),
      }));
      const filters = Object.fromEntries(FILTER_KEYS.flatMap((k) => (q[k] === undefined ? [] : [[k, q[k]]])));
      const overdue = await walk(cases, { overdue: true, ...filters }, principal);
      const label = total.period.label;
      const title = /^\d{4}-\d{2}$/.test(label) ? '月报' : '考核报表';
      req.auditTarget = { target: 'stats', detail: { query: queryOf(req) } };
      res
        .status(200)
        .set('Content-Type', XLSX_TYPE)
        .set('Content-Disposition', attachment(`${title}-${label.replace('..', '至')}.xlsx`, `report-${label.replace('..', '_')}.xlsx`))
        .set('Cache-Control', 'no-store');
      await streaming(req, res, logger, () =>
        streamReport(res, {
          total,
          rankings,
          overdue,
          names: nameBook(db),
          info: { at, filters: decodeURIComponent(new URLSearchParams(filters as Record<string, string>).toString()) },
        }),
      );
    }),
  );

  return router;
}
