/**
 * Files for managers: a case list as .xlsx or .csv, written row by row while the list is walked
 * page by page (so memory stays flat however long the list), and the monthly report (月报) as one
 * workbook. Every instant is Beijing wall-clock time (UTC+8 all year). The rows are the case
 * list's rows, which carry no private data: no contact, no description.
 */
import { once } from 'node:events';
import ExcelJS from 'exceljs';
import type { Response } from 'express';
import type { Db } from '../db/client';
import { LEVEL_NAMES, type Level, SATISFACTION_NAMES, type Satisfaction, STAGE_NAMES, type Stage, type Urgency, URGENCY_NAMES } from '../domain/case-model';
import { namesById } from './directory';
import { dateLabel } from '../domain/periods';
import { BEIJING_OFFSET } from '../domain/working-time';
import type { CaseService } from './case-service';
import { type MeasureKey, MEASURE_KEYS, MEASURES, RATE_KEYS, type RateKey } from './measures';
import type { Stats } from './stats';

export type CaseRow = Awaited<ReturnType<CaseService['list']>>['items'][number];
type Rates = Awaited<ReturnType<Stats['rates']>>;
/** One group's row of a grouped answer. */
export type GroupRow = Extract<Rates, { groups: unknown }>['groups'][number];
/** The groups of a grouped answer (none of an ungrouped one). */
export const groupsOf = (r: Rates): readonly GroupRow[] => ('groups' in r ? r.groups : []);

export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
export const CSV_TYPE = 'text/csv; charset=utf-8';

/** Excel's own limit is 1,048,576 rows a sheet: a longer list goes on to the next sheet. */
export const EXCEL_SHEET_ROWS = 1_048_576;

/** The instant as Excel should show it: a date whose clock fields are Beijing's (Excel dates have no zone). */
const beijingWall = (t: Date) => new Date(t.getTime() + BEIJING_OFFSET);
/** `2026-11-23 09:00`, Beijing time. */
export const beijingText = (t: Date) => beijingWall(t).toISOString().slice(0, 16).replace('T', ' ');
const TIME_FORMAT = 'yyyy-mm-dd hh:mm';
const PERCENT_FORMAT = '0.00%';

/** Names of what the rows hold by id, read from the directory a page at a time and kept for the rest of the walk. */
export function nameBook(db: Db) {
  const kinds = ['area', 'building', 'enterprise', 'steward', 'department', 'category'] as const;
  type Kind = (typeof kinds)[number];
  const known = Object.fromEntries(kinds.map((k) => [k, new Map<string, string>()])) as Record<Kind, Map<string, string>>;
  const idsOf: Record<Kind, (r: CaseRow) => string | null> = {
    area: (r) => r.areaId,
    building: (r) => r.buildingId,
    enterprise: (r) => r.enterpriseId,
    steward: (r) => r.ownerStewardId,
    department: (r) => r.departmentId,
    category: (r) => r.category,
  };
  return {
    async learn(rows: readonly CaseRow[]) {
      await Promise.all(
        kinds.map(async (kind) => {
          const map = known[kind];
          const missing = [...new Set(rows.map(idsOf[kind]).filter((id): id is string => !!id && !map.has(id)))];
          if (!missing.length) return;
          for (const id of missing) map.set(id, id); // a name no longer in the directory shows as its id
          for (const [id, name] of await namesById(db, kind, missing)) map.set(id, name);
        }),
      );
    },
    name: (kind: Kind, id: string | null) => (id ? (known[kind].get(id) ?? id) : null),
  };
}
export type NameBook = ReturnType<typeof nameBook>;

type Cell = string | number | Date | null;
interface Column {
  header: string;
  width: number;
  time?: boolean;
  value: (r: CaseRow, names: NameBook) => string | number | Date | null;
}
const yesNo = (b: boolean) => (b ? '是' : '否');
const bj = (header: string) => `${header}（北京时间）`;

/** The columns of a case file, in order: no contact, no description (the list rows do not carry them). */
export const CASE_COLUMNS: Column[] = [
  { header: '案件编号', width: 20, value: (r) => r.id },
  { header: '标题', width: 36, value: (r) => r.title },
  { header: '类别', width: 14, value: (r, n) => n.name('category', r.category) },
  { header: '紧急程度', width: 9, value: (r) => URGENCY_NAMES[r.urgency as Urgency] ?? r.urgency },
  { header: '片区', width: 16, value: (r, n) => n.name('area', r.areaId) },
  { header: '楼宇', width: 18, value: (r, n) => n.name('building', r.buildingId) },
  { header: '企业', width: 30, value: (r, n) => n.name('enterprise', r.enterpriseId) },
  { header: '统一社会信用代码', width: 22, value: (r) => r.enterpriseId },
  { header: '当前阶段', width: 18, value: (r) => STAGE_NAMES[r.stage as Stage] ?? r.stage },
  { header: '承办楼长', width: 10, value: (r, n) => n.name('steward', r.ownerStewardId) },
  { header: '层级', width: 8, value: (r) => LEVEL_NAMES[r.ownerLevel as Level] ?? String(r.ownerLevel) },
  { header: '主办部门', width: 12, value: (r, n) => n.name('department', r.departmentId) },
  { header: bj('受理时间'), width: 22, time: true, value: (r) => r.openedAt },
  { header: bj('响应时限'), width: 22, time: true, value: (r) => r.responseDueAt },
  { header: bj('签收时间'), width: 22, time: true, value: (r) => r.acknowledgedAt },
  { header: bj('办结时限'), width: 22, time: true, value: (r) => r.resolutionDueAt },
  { header: bj('办结时间'), width: 22, time: true, value: (r) => r.resolvedAt },
  { header: bj('结案时间'), width: 22, time: true, value: (r) => r.closedAt },
  { header: '是否超期', width: 9, value: (r) => yesNo(r.overdue) },
  { header: bj('超期起始'), width: 22, time: true, value: (r) => r.overdueSince },
  { header: '是否临期', width: 9, value: (r) => yesNo(r.atRisk) },
  { header: '是否暂停', width: 9, value: (r) => yesNo(r.paused) },
  { header: '升级次数', width: 9, value: (r) => r.escalations },
  { header: '督办次数', width: 9, value: (r) => r.reminders },
  { header: '满意度', width: 9, value: (r) => (r.satisfaction ? (SATISFACTION_NAMES[r.satisfaction as Satisfaction] ?? r.satisfaction) : null) },
];
export const CASE_HEADERS = CASE_COLUMNS.map((c) => c.header);

// ── CSV ─────────────────────────────────────────────────────────────────────────────────────────

/**
 * One CSV field (RFC 4180): quoted when it holds a quote, comma or line break. Text that a
 * spreadsheet would run as a formula (= + - @, or a leading tab or carriage return) gets a leading
 * apostrophe, so opening the file never runs what a case's author typed (CSV injection).
 */
export function csvField(v: Cell): string {
  if (v === null) return '';
  let s = v instanceof Date ? beijingText(v) : String(v);
  if (typeof v === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
const csvLine = (cells: Cell[]) => `${cells.map(csvField).join(',')}\r\n`;

// ── Writing to the response ─────────────────────────────────────────────────────────────────────

/** Writes a chunk, and waits while the client is slower than the database. False once the client has gone. */
async function send(res: Response, chunk: string | Buffer): Promise<boolean> {
  if (res.destroyed) return false;
  if (!res.write(chunk)) await drained(res);
  return !res.destroyed;
}
/** Waits until the response takes more (or the client has gone). */
async function drained(res: Response): Promise<boolean> {
  if (res.writableNeedDrain && !res.destroyed) await Promise.race([once(res, 'drain'), once(res, 'close')]);
  return !res.destroyed;
}

/**
 * `attachment` with the Chinese name (RFC 5987/6266 `filename*`) and an ASCII one for clients
 * that read only `filename`.
 */
export function attachment(name: string, ascii: string): string {
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${ascii.replace(/[^\x20-\x7e]|["\\]/g, '_')}"; filename*=UTF-8''${encoded}`;
}

/** Pages of the list, the first one already read (so a bad query or a database down was answered as JSON). */
export type Pages = AsyncIterable<readonly CaseRow[]>;

/** The case list as CSV: UTF-8 with a BOM (so Excel reads the Chinese), CRLF, a header line. */
export async function streamCasesCsv(res: Response, pages: Pages, names: NameBook): Promise<void> {
  if (!(await send(res, `\ufeff${csvLine(CASE_HEADERS)}`))) return;
  for await (const rows of pages) {
    await names.learn(rows);
    if (!(await send(res, rows.map((r) => csvLine(CASE_COLUMNS.map((c) => c.value(r, names)))).join('')))) return;
  }
  res.end();
}

// ── Excel ───────────────────────────────────────────────────────────────────────────────────────

const newWorkbook = (res: Response) => {
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: res, useStyles: true, useSharedStrings: false });
  wb.creator = '楼长制企业诉求系统';
  return wb;
};
type Workbook = ReturnType<typeof newWorkbook>;
/** Writes the workbook's last parts; the writer waits for the response to finish, which a client gone never lets it do. */
const finish = (wb: Workbook, res: Response) => Promise.race([wb.commit(), once(res, 'close')]);

/** A sheet whose first row is its bold header, frozen, with the columns' widths and formats. */
function tableSheet(wb: Workbook, name: string, columns: { header: string; width: number; numFmt?: string }[]) {
  const ws = wb.addWorksheet(name, { views: [{ state: 'frozen', ySplit: 1 }] });
  ws.columns = columns.map((c, i) => ({ key: String(i), width: c.width, ...(c.numFmt ? { style: { numFmt: c.numFmt } } : {}) }));
  const header = ws.addRow(columns.map((c) => c.header));
  header.font = { bold: true };
  header.commit();
  return ws;
}

/** A value as the cell takes it: instants as Beijing wall-clock dates (formatted by the column). */
const cellValue = (v: Cell) => (v instanceof Date ? beijingWall(v) : v);

/**
 * Case rows onto as many sheets as they need (`name`, `name (2)`, …), each row committed as it is
 * written. Text goes in as text: a title that looks like a formula stays a string cell.
 */
class CaseSheets {
  private sheet: ExcelJS.Worksheet | undefined;
  private rowsInSheet = 0;
  private sheets = 0;
  rows = 0;
  constructor(
    private readonly wb: Workbook,
    private readonly name: string,
    private readonly rowsPerSheet: number,
  ) {}

  private open() {
    this.sheets++;
    this.sheet = tableSheet(this.wb, this.sheets === 1 ? this.name : `${this.name} (${this.sheets})`, CASE_COLUMNS.map((c) => ({ ...c, ...(c.time ? { numFmt: TIME_FORMAT } : {}) })));
    this.rowsInSheet = 1;
  }

  add(rows: readonly CaseRow[], names: NameBook) {
    for (const r of rows) {
      if (this.sheet && this.rowsInSheet >= this.rowsPerSheet) this.close();
      if (!this.sheet) this.open();
      this.sheet!.addRow(CASE_COLUMNS.map((c) => cellValue(c.value(r, names)))).commit();
      this.rowsInSheet++;
      this.rows++;
    }
  }

  /** Ends the current sheet, with a filter over its header and rows; a list of no rows still has its header. */
  close() {
    if (!this.sheet) {
      if (this.sheets) return;
      this.open();
    }
    this.sheet!.autoFilter = { from: { row: 1, column: 1 }, to: { row: this.rowsInSheet, column: CASE_COLUMNS.length } };
    this.sheet!.commit();
    this.sheet = undefined;
  }
}

/** Key–value lines under a table (or on a sheet of their own): what the file holds and how to read it. */
function notes(ws: ExcelJS.Worksheet, lines: [string, string][]) {
  for (const [k, v] of lines) {
    const row = ws.addRow([k, v]);
    row.getCell(1).font = { bold: true };
    row.commit();
  }
}

export interface ExportInfo {
  /** when the file was made */
  at: Date;
  /** the query it was made from, as the caller wrote it */
  query: string;
}

/** The case list as a workbook: the cases (over more sheets past Excel's row limit), then 说明. */
export async function streamCasesXlsx(res: Response, pages: Pages, names: NameBook, info: ExportInfo, rowsPerSheet = EXCEL_SHEET_ROWS): Promise<void> {
  const wb = newWorkbook(res);
  const sheets = new CaseSheets(wb, '案件', rowsPerSheet);
  for await (const rows of pages) {
    await names.learn(rows);
    sheets.add(rows, names);
    if (!(await drained(res))) return;
  }
  sheets.close();
  const about = tableSheet(wb, '说明', [
    { header: '项目', width: 14 },
    { header: '内容', width: 80 },
  ]);
  notes(about, [
    ['导出时间', `${beijingText(info.at)}（北京时间）`],
    ['筛选条件', info.query || '无（可见范围内的全部案件）'],
    ['案件数', String(sheets.rows)],
    ['时间', '所有时间均为北京时间（UTC+8）'],
    ['排序', '与案件列表接口相同：默认按受理时间从新到旧；超期清单按超期起始从早到晚；临期清单按当前时限从早到晚'],
    ['隐私', '不含联系人、联系电话和诉求描述'],
  ]);
  about.commit();
  await finish(wb, res);
}

// ── The monthly report (月报) ─────────────────────────────────────────────────────────────────────

/** What each rate's numerator and denominator count, as a column header. */
const PART_HEADERS: Record<RateKey, [string, string]> = {
  response_rate: ['按时响应', '应响应'],
  on_time_rate: ['按时办结', '期内办结'],
  resolution_rate: ['已办结', '应办结'],
  satisfaction_rate: ['满意及基本满意', '已评价'],
};

export const RANKING_RULE =
  '排名规则：按响应率从高到低；响应率相同的，按按时办结率从高到低；两率都相同的名次并列。比率为空（期内没有应计案件）的视为最低。“未派单”不参加部门排名。';

/**
 * Groups in ranking order with their 名次: response rate, then on-time rate, both descending, an
 * empty rate lowest; equal on both, equal rank (1, 2, 2, 4). A group with no key (the cases no
 * department leads) is listed last, unranked.
 */
export function ranked(groups: readonly GroupRow[]): { rank: number | null; group: GroupRow }[] {
  const score = (g: GroupRow) => [g.figures.response_rate.rate ?? -1, g.figures.on_time_rate.rate ?? -1] as const;
  const rankable = groups.filter((g) => g.key !== null);
  const order = [...rankable].sort((a, b) => {
    const [ra, oa] = score(a);
    const [rb, ob] = score(b);
    return rb - ra || ob - oa || String(a.name).localeCompare(String(b.name), 'zh-CN');
  });
  const out: { rank: number | null; group: GroupRow }[] = [];
  order.forEach((group, i) => {
    const prev = out[i - 1];
    const same = prev && score(prev.group)[0] === score(group)[0] && score(prev.group)[1] === score(group)[1];
    out.push({ rank: same ? prev.rank : i + 1, group });
  });
  return [...out, ...groups.filter((g) => g.key === null).map((group) => ({ rank: null, group }))];
}

export interface Ranking {
  sheet: string;
  /** what one group is: 片区, 楼宇, 楼长, 部门 */
  noun: string;
  groups: readonly GroupRow[];
  /** an extra column, e.g. a steward's level */
  extra?: { header: string; width: number; value: (g: GroupRow) => string | null };
}

export interface Report {
  total: Rates;
  rankings: Ranking[];
  /** the overdue list now, page by page */
  overdue: Pages;
  names: NameBook;
  /** when it was made, and the filters it was made with (as a query string) */
  info: { at: Date; filters: string };
}

/** The figures of one row: each rate, then its numerator and denominator; the no-feedback count last. */
const figureColumns = RATE_KEYS.flatMap((k) => [
  { header: MEASURES[k].name, width: 11, numFmt: PERCENT_FORMAT },
  { header: PART_HEADERS[k][0], width: 10 },
  { header: PART_HEADERS[k][1], width: 10 },
]).concat([{ header: MEASURES.no_feedback.name, width: 11 }]);
const figureCells = (f: GroupRow['figures']) => [...RATE_KEYS.flatMap((k) => [f[k].rate ?? null, f[k].numerator ?? 0, f[k].denominator ?? 0]), f.no_feedback.count ?? 0];

/** The 月报: 总览, a ranking sheet per grouping, and the cases overdue now. */
export async function streamReport(res: Response, report: Report): Promise<void> {
  const { total, info } = report;
  const wb = newWorkbook(res);

  const overview = tableSheet(wb, '总览', [
    { header: '指标', width: 12 },
    { header: '比率', width: 10, numFmt: PERCENT_FORMAT },
    { header: '分子', width: 8 },
    { header: '分母', width: 8 },
    { header: '件数', width: 8 },
    { header: '口径', width: 100 },
  ]);
  for (const key of MEASURE_KEYS as readonly MeasureKey[]) {
    const f = total.total[key];
    const row = overview.addRow([MEASURES[key].name, f.rate ?? null, f.numerator ?? null, f.denominator ?? null, f.count ?? null, MEASURES[key].definition]);
    row.getCell(6).alignment = { wrapText: true, vertical: 'top' };
    row.commit();
  }
  overview.addRow([]).commit();
  const from = new Date(total.period.from);
  const to = new Date(total.period.to);
  notes(overview, [
    ['统计期间', `${total.period.label}（${dateLabel(from)} 至 ${dateLabel(new Date(to.getTime() - 1))}）`],
    ['统计截至', `${beijingText(new Date(total.period.countedUpTo))}（北京时间）`],
    ['生成时间', `${beijingText(info.at)}（北京时间）`],
    ['筛选条件', info.filters || '无（可见范围内的全部案件）'],
    ['说明', '比率 = 分子 ÷ 分母，期内没有应计案件时留空；所有时间均为北京时间；与 GET /api/stats 同一口径、同一时点。'],
    ['超期案件', '生成时仍超期的案件（与 GET /api/cases?overdue=true 相同），不限于统计期间；按超期起始从早到晚。'],
  ]);
  overview.commit();

  for (const r of report.rankings) {
    const columns = [
      { header: '名次', width: 6 },
      { header: r.noun, width: 18 },
      { header: '编号', width: 20 },
      ...(r.extra ? [{ header: r.extra.header, width: r.extra.width }] : []),
      ...figureColumns,
    ];
    const ws = tableSheet(wb, r.sheet, columns);
    const rows = ranked(r.groups);
    for (const { rank, group } of rows) {
      ws.addRow([rank, group.name, group.key, ...(r.extra ? [r.extra.value(group)] : []), ...figureCells(group.figures)]).commit();
    }
    ws.autoFilter = { from: { row: 1, column: 1 }, to: { row: rows.length + 1, column: columns.length } };
    ws.addRow([]).commit();
    ws.addRow([RANKING_RULE]).commit();
    ws.commit();
  }

  const overdue = new CaseSheets(wb, '超期案件', EXCEL_SHEET_ROWS);
  for await (const rows of report.overdue) {
    await report.names.learn(rows);
    overdue.add(rows, report.names);
    if (!(await drained(res))) return;
  }
  overdue.close();
  await finish(wb, res);
}
