/**
 * Bulk import of one directory kind from a CSV file (UTF-8, with or without BOM) or an Excel
 * workbook (first sheet); the first row names the columns, in English field names or the Chinese
 * headers below. Every row goes through the same schema and checks as the PUT routes, in order,
 * inside one transaction: a row may rely on an earlier one. A dry run, or any rejected row, rolls
 * the whole transaction back, so a file is imported entirely or not at all.
 */
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import type { Db } from '../db/client';
import type { SecretBox } from '../security/secrets';
import { applyRow, DIRECTORY_KINDS, type DirectoryKind, type Issue, type KindSpec } from './directory-admin';
import { HttpError } from './errors';

export const CSV_TYPE = 'text/csv';
export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
export const MAX_IMPORT_ROWS = 5000;

/**
 * Column headers per kind: the English field name is always accepted too. Channels are not
 * imported (a column of JSON in a spreadsheet helps nobody); set them with PUT.
 */
export const HEADER_ALIASES: { [K in DirectoryKind]: Record<string, readonly string[]> } = {
  towns: { id: ['编号', '街道编号'], name: ['名称', '街道', '街道名称'], chiefStewardId: ['总楼长', '总楼长编号'] },
  areas: { id: ['编号', '园区编号'], name: ['名称', '园区', '园区名称'], townId: ['街道', '街道编号'], areaStewardId: ['分楼长', '分楼长编号'] },
  buildings: {
    id: ['编号', '楼宇编号'],
    name: ['名称', '楼宇', '楼宇名称'],
    address: ['地址'],
    areaId: ['园区', '园区编号'],
    pointStewardId: ['点楼长', '点楼长编号'],
  },
  stewards: {
    id: ['编号', '楼长编号'],
    name: ['姓名', '名称'],
    level: ['级别'],
    townId: ['街道', '街道编号'],
    areaId: ['园区', '园区编号'],
    phone: ['电话', '手机'],
    email: ['邮箱', '电子邮箱'],
    active: ['在岗', '启用'],
  },
  departments: {
    id: ['编号', '部门编号'],
    name: ['名称', '部门', '部门名称'],
    townId: ['街道', '街道编号'],
    adapter: ['对接方式'],
    contact: ['联系人', '联系方式'],
    webhookUrl: ['接口地址'],
    webhookSecret: ['签名密钥'],
  },
  enterprises: {
    creditCode: ['统一社会信用代码', '信用代码'],
    name: ['名称', '企业名称'],
    buildingId: ['楼宇', '楼宇编号'],
    contactName: ['联系人'],
    contactPhone: ['联系电话'],
  },
  people: { id: ['编号', '人员编号'], subject: ['账号', '登录账号'], name: ['姓名', '名称'], kind: ['类型'], active: ['启用', '在岗'] },
};

/** Spreadsheet words for the non-text fields; anything else goes to the schema as written, which names the problem. */
const WORDS: Record<string, Record<string, unknown>> = {
  level: { '1': 1, '2': 2, '3': 3, 点楼长: 1, 分楼长: 2, 总楼长: 3 },
  active: { true: true, false: false, yes: true, no: false, '1': true, '0': false, 是: true, 否: false, 启用: true, 停用: false, 在岗: true, 离岗: false },
  adapter: { portal: 'portal', webhook: 'webhook', 门户: 'portal', 接口: 'webhook' },
  kind: { person: 'person', machine: 'machine', 人员: 'person', 系统: 'machine' },
};

const normalise = (header: string) =>
  header
    .replace(/^\uFEFF/, '')
    .trim()
    .replace(/[*＊]$/, '')
    .replace(/[\s_-]/g, '')
    .toLowerCase();

export interface Table {
  header: { line: number; cells: string[] };
  rows: { line: number; cells: string[] }[];
}

export interface ImportRejection {
  /** the row's line in the file (the header is line 1) */
  row: number;
  field: string;
  /** the column as the file names it */
  column?: string;
  message: string;
  /** the message in Chinese (the route answers one of the two) */
  zh?: string;
}

export interface ImportReport {
  kind: DirectoryKind;
  dryRun: boolean;
  rows: number;
  accepted: number;
  rejected: ImportRejection[];
  created: number;
  updated: number;
  /** whether the rows are now in the directory */
  written: boolean;
}

const unreadable = (message: string, zh: string) => new HttpError(400, 'unreadable_file', message, zh);

export async function readTable(body: Buffer, format: 'csv' | 'xlsx'): Promise<Table> {
  const lines = format === 'csv' ? readCsv(body) : await readXlsx(body);
  const [header, ...rows] = lines;
  if (!header) throw unreadable('the file has no header row', '文件没有表头行');
  if (rows.length > MAX_IMPORT_ROWS) {
    throw unreadable(`the file has ${rows.length} rows; import at most ${MAX_IMPORT_ROWS} at a time`, `文件共 ${rows.length} 行，每次最多导入 ${MAX_IMPORT_ROWS} 行`);
  }
  return { header, rows };
}

function readCsv(body: Buffer): Table['rows'] {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(body);
  } catch {
    throw unreadable('the CSV file is not UTF-8: save it as "CSV UTF-8 (逗号分隔)"', 'CSV 文件不是 UTF-8 编码：请另存为“CSV UTF-8（逗号分隔）”');
  }
  // csv-parse counts both halves of a CRLF inside a quoted field as lines; with LF only, its count is exact
  text = text.replace(/\r\n/g, '\n');
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(text, { info: true, skip_empty_lines: true, skip_records_with_empty_values: true, relax_column_count: true }) as unknown as typeof records;
  } catch (err) {
    throw unreadable(`the CSV file cannot be read: ${(err as Error).message}`, `无法读取该 CSV 文件：${(err as Error).message}`);
  }
  // info.lines is where a record ends; a quoted field with line breaks starts it earlier
  return records.map(({ record, info }) => ({ line: info.lines - record.reduce((n, c) => n + (c.match(/\n/g)?.length ?? 0), 0), cells: record.map((c) => c.trim()) }));
}

async function readXlsx(body: Buffer): Promise<Table['rows']> {
  const workbook = new ExcelJS.Workbook();
  try {
    await workbook.xlsx.load(body as unknown as ArrayBuffer);
  } catch (err) {
    throw unreadable(`the file is not a readable .xlsx workbook: ${(err as Error).message}`, `该文件不是可读取的 .xlsx 工作簿：${(err as Error).message}`);
  }
  const sheet = workbook.worksheets[0];
  if (!sheet) throw unreadable('the workbook has no sheet', '工作簿中没有工作表');
  const rows: Table['rows'] = [];
  sheet.eachRow({ includeEmpty: false }, (row, line) => {
    const cells: string[] = [];
    for (let col = 1; col <= row.cellCount; col++) cells.push(row.getCell(col).text.trim());
    if (cells.some(Boolean)) rows.push({ line, cells });
  });
  return rows;
}

class Rollback extends Error {}

/** Validates (and unless it is a dry run, writes) every row of one kind. */
export async function importDirectory(db: Db, secrets: SecretBox, kind: DirectoryKind, table: Table, dryRun: boolean): Promise<ImportReport> {
  const spec: KindSpec = DIRECTORY_KINDS[kind];
  const report: ImportReport = { kind, dryRun, rows: table.rows.length, accepted: 0, rejected: [], created: 0, updated: 0, written: false };
  const columns = mapColumns(kind, spec, table.header, report.rejected);
  if (report.rejected.length) return report;

  const headerOf = new Map(columns.flatMap((c, i) => (c ? [[c, table.header.cells[i]!]] : [])));
  const shape = spec.body.shape as Record<string, { safeParse(v: unknown): { success: boolean } }>;
  const seen = new Map<string, number>();
  try {
    await db.$transaction(
      async (tx) => {
        for (const { line, cells } of table.rows) {
          const reject = (issues: Issue[]) =>
            report.rejected.push(
              ...issues.map((i) => ({
                row: line,
                field: i.field,
                ...(headerOf.has(i.field.split('.')[0]!) ? { column: headerOf.get(i.field.split('.')[0]!) } : {}),
                message: i.message,
                ...(i.zh ? { zh: i.zh } : {}),
              })),
            );
          const stray = cells.findIndex((c, i) => c && !columns[i]);
          if (stray >= 0) {
            reject([{ field: `(column ${stray + 1})`, message: 'a value in a column without a header', zh: `第 ${stray + 1} 列没有表头，却填有内容` }]);
            continue;
          }
          const values: Record<string, unknown> = {};
          columns.forEach((field, i) => {
            if (!field) return;
            const cell = cells[i] ?? '';
            // an empty cell clears an optional field; for a required one the schema says it is required
            if (cell === '') values[field] = field !== spec.keyField && shape[field]?.safeParse(null).success ? null : undefined;
            else values[field] = WORDS[field]?.[cell.toLowerCase()] ?? cell;
          });
          const { [spec.keyField]: key, ...body } = values;
          const seenAs = typeof key === 'string' ? (spec.keyField === 'creditCode' ? key.toUpperCase() : key) : undefined;
          const earlier = seenAs === undefined ? undefined : seen.get(seenAs);
          if (earlier) {
            reject([{ field: spec.keyField, message: `${key} is already on row ${earlier} of this file`, zh: `${String(key)} 已出现在本文件第 ${earlier} 行` }]);
            continue;
          }
          const outcome = await applyRow({ tx, secrets }, spec, key, body);
          if (outcome.issues) {
            reject(outcome.issues);
            continue;
          }
          if (seenAs !== undefined) seen.set(seenAs, line);
          report.accepted++;
          if (outcome.created) report.created++;
          else report.updated++;
        }
        if (dryRun || report.rejected.length) throw new Rollback();
      },
      { maxWait: 10_000, timeout: 120_000 },
    );
    report.written = true;
  } catch (err) {
    if (!(err instanceof Rollback)) throw err;
  }
  if (!report.written && !dryRun) {
    report.created = 0;
    report.updated = 0;
  }
  return report;
}

/** The field each column holds (null: a column with no header); problems are rejections on line 1. */
function mapColumns(kind: DirectoryKind, spec: KindSpec, header: Table['header'], rejected: ImportRejection[]): (string | null)[] {
  const aliases = HEADER_ALIASES[kind];
  const byName = new Map<string, string>();
  for (const [field, names] of Object.entries(aliases)) for (const n of [field, ...names]) byName.set(normalise(n), field);
  const known = (field: string) => `${field} (${aliases[field]!.join(' / ')})`;
  const columns = header.cells.map((cell) => {
    if (!cell.trim()) return null;
    const field = byName.get(normalise(cell));
    if (!field) {
      rejected.push({
        row: header.line,
        field: cell,
        column: cell,
        message: `unknown column; the columns of ${kind} are ${Object.keys(aliases).map(known).join(', ')}`,
        zh: `无法识别的列；${kind} 的列为：${Object.keys(aliases).map(known).join('、')}`,
      });
    }
    return field ?? null;
  });
  columns.forEach((field, i) => {
    const first = columns.indexOf(field);
    if (field && first !== i) {
      rejected.push({
        row: header.line,
        field,
        column: header.cells[i],
        message: `columns "${header.cells[first]}" and "${header.cells[i]}" both mean ${field}`,
        zh: `“${header.cells[first]}”和“${header.cells[i]}”两列都表示 ${field}`,
      });
    }
  });
  const shape = spec.body.shape as Record<string, { safeParse(v: unknown): { success: boolean } }>;
  const required = [spec.keyField, ...Object.keys(aliases).filter((f) => f !== spec.keyField && shape[f] && !shape[f].safeParse(undefined).success)];
  for (const field of required) if (!columns.includes(field)) rejected.push({ row: header.line, field, message: `missing column ${known(field)}`, zh: `缺少列 ${known(field)}` });
  return columns;
}
