/**
 * The managers' files, on SQLite and PostgreSQL: hand-built cases written through the real
 * persistence activity (the November stories of the stats test, four December cases whose titles
 * a spreadsheet would run as formulas, and 510 copies enough for the walks to take several pages),
 * downloaded over HTTP with tokens from the local identity provider and read back with exceljs and
 * csv-parse. A file must hold exactly the rows the list endpoint gives, in its order, and the
 * report exactly the figures GET /api/stats gives.
 */
import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import request from 'supertest';
import ExcelJS from 'exceljs';
import { parse } from 'csv-parse/sync';
import type { Response } from 'express';
import { silentLogger } from '../../src/logger';
import { createPersistenceActivities } from '../../src/activities/persistence';
import { DEMO } from '../../src/db/seed';
import { createCatalogueStore } from '../../src/catalogue-store';
import { loadCatalogue } from '../../src/catalogue-file';
import { MEASURES, MEASURE_KEYS, RATE_KEYS } from '../../src/api/measures';
import { CASE_HEADERS, type CaseRow, nameBook, RANKING_RULE, streamCasesXlsx } from '../../src/api/exports';
import { useSeededDatabase } from '../helpers/database';
import { useReadApi } from '../helpers/read-api';
import { AS_OF, bj, NOVEMBER, story } from '../fixtures/november-stories';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** Titles a spreadsheet would take for formulas, and one that needs CSV quoting. */
const INJECTIONS = {
  'C20261201-XINJ01': '=HYPERLINK("http://evil.example/?x","点我")',
  'C20261201-XINJ02': '+86 热线咨询',
  'C20261201-XINJ03': '-5% 租金减免, "周末"',
  'C20261201-XINJ04': '@SUM(A1:A2)',
} as const;
const BULK = 510;

/** supertest: the answer's bytes, whatever its type. */
const binaryParser = (res: NodeJS.ReadableStream, done: (err: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => done(null, Buffer.concat(chunks)));
};

async function workbook(bytes: Buffer): Promise<ExcelJS.Workbook> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(bytes as unknown as ArrayBuffer);
  return wb;
}
/** A sheet's rows as arrays of values (row 1 is the header). */
function rowsOf(ws: ExcelJS.Worksheet): unknown[][] {
  const out: unknown[][] = [];
  ws.eachRow({ includeEmpty: true }, (row) => {
    const cells: unknown[] = [];
    for (let c = 1; c <= ws.columnCount; c++) cells.push(row.getCell(c).value ?? null);
    out.push(cells);
  });
  return out;
}
/** An Excel date (Beijing wall-clock fields, no zone) as `2026-11-23 09:00`. */
const shown = (v: unknown) => (v instanceof Date ? v.toISOString().slice(0, 16).replace('T', ' ') : v);

describe.each(['sqlite', 'postgresql'] as const)('exports on %s', (provider) => {
  const database = useSeededDatabase(provider);
  const CASES = NOVEMBER();
  const api = useReadApi(database, DEMO.users, ['manager-town', 'stw-point-1', 'stw-point-3', 'ent-qianshu', 'staff-market']);

  beforeAll(async () => {
    // the categories' names come from the catalogue, as on npm start
    await createCatalogueStore(database.db).seed(loadCatalogue());
    const persistence = createPersistenceActivities(database.db, silentLogger);
    const injected = Object.entries(INJECTIONS).map(([id, title]) => story(id, '2026-12-01 09:00', [], { title }));
    for (const s of [...Object.values(CASES), ...injected]) {
      const { history, ...state } = s;
      await persistence.persistCase({ state, events: history.slice(0, 2) });
      await persistence.persistCase({ state, events: history.slice(2) });
    }
    // copies of K (open, its response due Dec 1 15:00: overdue by now), three to an instant so ties go by id
    const { updatedAt: _u, ...k } = await database.db.case.findUniqueOrThrow({ where: { id: CASES.K.caseId } });
    const copies = Array.from({ length: BULK }, (_, i) => {
      const id = `C20261201-B${String(i).padStart(5, '0')}`;
      return { ...k, id, workflowId: `case-${id}`, title: `批量${i}`, openedAt: new Date(bj('2026-12-01 08:00').getTime() - Math.floor(i / 3) * 60_000), snapshot: k.snapshot as object };
    });
    for (let i = 0; i < copies.length; i += 100) await database.db.case.createMany({ data: copies.slice(i, i + 100) });
  });

  const { get } = api;
  const download = async (who: string, path: string) => {
    const res = await get(who, path).buffer(true).parse(binaryParser as never);
    expect({ path, status: res.status }).toEqual({ path, status: 200 });
    return res;
  };
  const csvRows = (bytes: Buffer): string[][] => parse(bytes, { bom: true, relax_column_count: false });

  /** The ids the list endpoint gives for a query, every page, in its order. */
  async function listed(who: string, query: string): Promise<string[]> {
    const ids: string[] = [];
    let cursor: string | null = null;
    do {
      const res: request.Response = await get(who, `/api/cases?${query}${query ? '&' : ''}pageSize=100${cursor ? `&cursor=${cursor}` : ''}`).expect(200);
      ids.push(...res.body.items.map((c: { id: string }) => c.id));
      cursor = res.body.nextCursor;
    } while (cursor);
    return ids;
  }

  it('writes the whole list as CSV: BOM, Chinese headers, the list’s rows in its order, Beijing times, no private data', async () => {
    const res = await download('manager-town', '/api/cases/export?format=csv');
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="cases-\d{8}-\d{4}\.csv"; filename\*=UTF-8''%E6%A1%88%E4%BB%B6%E6%B8%85%E5%8D%95-\d{8}-\d{4}\.csv$/);
    const bytes = res.body as Buffer;
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const [header, ...rows] = csvRows(bytes);
    expect(header).toEqual(CASE_HEADERS);
    expect(header!.slice(0, 12)).toEqual(['案件编号', '标题', '类别', '紧急程度', '片区', '楼宇', '企业', '统一社会信用代码', '当前阶段', '承办楼长', '层级', '主办部门']);
    expect(header).toEqual(expect.arrayContaining(['受理时间（北京时间）', '响应时限（北京时间）', '签收时间（北京时间）', '办结时限（北京时间）', '办结时间（北京时间）', '是否超期', '超期起始（北京时间）', '督办次数', '满意度']));
    const ids = await listed('manager-town', '');
    expect(ids.length).toBe(Object.keys(CASES).length + Object.keys(INJECTIONS).length + BULK);
    expect(rows.map((r) => r[0])).toEqual(ids);

    const row = (id: string) => Object.fromEntries(header!.map((h, i) => [h, rows.find((r) => r[0] === id)![i]]));
    expect(row(CASES.A.caseId)).toMatchObject({
      标题: '园区停车位不足',
      类别: '其他',
      紧急程度: '普通',
      片区: '天安千树园区',
      楼宇: '天安千树大厦',
      当前阶段: '已结案',
      承办楼长: '陈静',
      层级: '点楼长',
      '受理时间（北京时间）': '2026-11-02 09:00',
      '响应时限（北京时间）': '2026-11-03 09:00',
      '签收时间（北京时间）': '2026-11-02 10:00',
      '办结时间（北京时间）': '2026-11-05 10:00',
      是否超期: '否',
      满意度: '满意',
    });
    // escalated to the 分楼长 at its response deadline (Tue 3 09:00), never answered, withdrawn
    expect(row(CASES.E.caseId)).toMatchObject({ 楼宇: '长风国际大厦', 承办楼长: '张华', 层级: '分楼长', 当前阶段: '已撤回', 升级次数: '1' });
    // B is past its resolution deadline (Mon 23 09:00) unresolved: overdue since then by the clock
    expect(row(CASES.B.caseId)).toMatchObject({ 是否超期: '是', '超期起始（北京时间）': '2026-11-23 09:00', '办结时限（北京时间）': '2026-11-23 09:00' });
    const text = bytes.toString('utf8');
    expect(text).not.toContain('13900000001');
    expect(text).not.toContain('周经理');
    expect(text).not.toContain('员工停车困难');
    expect(text.split('\r\n').length).toBe(ids.length + 2); // header, rows, and the last line's end
  });

  it('neutralises formulas in CSV and keeps them as plain text in Excel', async () => {
    const csv = await download('manager-town', '/api/cases/export?format=csv');
    const text = (csv.body as Buffer).toString('utf8');
    expect(text).toContain(`C20261201-XINJ01,"'=HYPERLINK(""http://evil.example/?x"",""点我"")",`);
    expect(text).toContain(`C20261201-XINJ03,"'-5% 租金减免, ""周末""",`);
    const titles = Object.fromEntries(csvRows(csv.body).map((r) => [r[0], r[1]]));
    for (const [id, title] of Object.entries(INJECTIONS)) expect(titles[id]).toBe(`'${title}`);
    expect(titles[CASES.A.caseId]).toBe('园区停车位不足');

    const wb = await workbook((await download('manager-town', '/api/cases/export?format=xlsx')).body);
    const ws = wb.getWorksheet('案件')!;
    const byId = new Map<string, ExcelJS.Row>();
    ws.eachRow((row) => byId.set(String(row.getCell(1).value), row));
    for (const [id, title] of Object.entries(INJECTIONS)) {
      const cell = byId.get(id)!.getCell(2);
      expect({ id, type: cell.type, value: cell.value, formula: cell.formula }).toEqual({ id, type: ExcelJS.ValueType.String, value: title, formula: undefined });
    }
  });

  it('writes the same rows as an Excel workbook: bold frozen header, filter, real dates shown in Beijing time, and 说明', async () => {
    const res = await download('manager-town', '/api/cases/export?overdue=true');
    expect(res.headers['content-type']).toBe(XLSX);
    expect(res.headers['content-disposition']).toMatch(/filename="cases-\d{8}-\d{4}\.xlsx"; filename\*=UTF-8''%E8%B6%85%E6%9C%9F%E6%A1%88%E4%BB%B6-/); // 超期案件-
    const wb = await workbook(res.body);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['案件', '说明']);
    const ws = wb.getWorksheet('案件')!;
    const [header, ...rows] = rowsOf(ws);
    expect(header).toEqual(CASE_HEADERS);
    expect(ws.getRow(1).getCell(1).font?.bold).toBe(true);
    expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    expect(ws.getColumn(2).width).toBeGreaterThan(20);
    const overdue = await listed('manager-town', 'overdue=true');
    expect(overdue.length).toBeGreaterThan(BULK);
    expect(rows.map((r) => r[0])).toEqual(overdue);
    expect(rows.every((r) => r[CASE_HEADERS.indexOf('是否超期')] === '是')).toBe(true);
    const b = rows.find((r) => r[0] === CASES.B.caseId)!;
    const col = (h: string) => CASE_HEADERS.indexOf(h);
    expect(b[col('受理时间（北京时间）')]).toBeInstanceOf(Date);
    expect(shown(b[col('受理时间（北京时间）')])).toBe('2026-11-02 09:00');
    expect(shown(b[col('超期起始（北京时间）')])).toBe('2026-11-23 09:00');
    expect(ws.getRow(2).getCell(col('受理时间（北京时间）') + 1).numFmt).toBe('yyyy-mm-dd hh:mm');
    const about = Object.fromEntries(rowsOf(wb.getWorksheet('说明')!).map((r) => [r[0], r[1]]));
    expect(about).toMatchObject({ 筛选条件: 'overdue=true', 案件数: String(overdue.length), 时间: expect.stringContaining('北京时间') });
  });

  it('takes every filter of the list: a figure’s cases, the at-risk list, a building, a stage', async () => {
    const stats = await get('manager-town', `/api/stats?period=2026-11&asOf=${encodeURIComponent(AS_OF.toISOString())}`).expect(200);
    for (const key of MEASURE_KEYS) {
      for (const [part, link] of Object.entries(stats.body.total[key].cases as Record<string, string>)) {
        const query = link.slice('/api/cases?'.length);
        const file = await download('manager-town', `/api/cases/export?format=csv&${query}`);
        const [, ...rows] = csvRows(file.body);
        expect({ key, part, ids: rows.map((r) => r[0]) }).toEqual({ key, part, ids: await listed('manager-town', query) });
        expect(rows.length).toBe(stats.body.total[key][part]);
      }
    }
    for (const query of ['atRisk=true', 'buildingId=bld-changfeng', 'stage=closed', 'overdue=false&level=2', 'measure=response_rate&period=2026-11']) {
      const [, ...rows] = csvRows((await download('manager-town', `/api/cases/export?format=csv&${query}`)).body);
      expect({ query, ids: rows.map((r) => r[0]) }).toEqual({ query, ids: await listed('manager-town', query) });
    }
  });

  it('is scoped like the list: a 点楼长 gets only their cases', async () => {
    const [, ...west] = csvRows((await download('stw-point-3', '/api/cases/export?format=csv')).body);
    expect(west.map((r) => r[0])).toEqual([CASES.E.caseId]);
    expect(west.map((r) => r[0])).toEqual(await listed('stw-point-3', ''));
    const wb = await workbook((await download('stw-point-1', '/api/cases/export')).body);
    const [, ...east] = rowsOf(wb.getWorksheet('案件')!);
    expect(east.map((r) => r[0])).toEqual(await listed('stw-point-1', ''));
    expect(east.map((r) => r[0])).not.toContain(CASES.E.caseId);
    expect(new Set(east.map((r) => r[CASE_HEADERS.indexOf('楼宇')]))).toEqual(new Set(['天安千树大厦']));
  });

  it('answers 400 for a format or a query it does not take, 403 to an enterprise or a department', async () => {
    for (const [path, field] of [
      ['/api/cases/export?format=pdf', 'query.format'],
      ['/api/cases/export?cursor=abc', 'query.cursor'],
      ['/api/cases/export?pageSize=5', 'query.pageSize'],
      ['/api/cases/export?part=numerator', 'query.part'],
      ['/api/cases/export?measure=no_feedback&period=2026-13', 'query.period'],
      ['/api/stats/report?format=csv', 'query.format'],
      ['/api/stats/report?period=2026-13', 'query.period'],
      ['/api/stats/report?groupBy=area', 'query.groupBy'],
    ]) {
      const res = await get('manager-town', path!);
      expect({ path, status: res.status, type: res.headers['content-type'] }).toEqual({ path, status: 400, type: expect.stringContaining('application/json') });
      expect(res.body.error.issues.map((i: { field: string }) => i.field)).toContain(field);
    }
    // a part the measure does not have: refused by the list's own rule, before any byte of a file
    const noPart = await get('manager-town', '/api/cases/export?measure=no_feedback&part=numerator&period=2026-11');
    expect(noPart.status).toBe(400);
    expect(noPart.body.error.issues[0].field).toBe('query.part');
    for (const who of ['ent-qianshu', 'staff-market']) {
      await get(who, '/api/cases/export').expect(403);
      await get(who, '/api/stats/report').expect(403);
    }
    await request(api.app).get('/api/cases/export').expect(401);
  });

  it('writes the 月报: 总览 with the figures of GET /api/stats, four rankings, and the cases overdue now', async () => {
    const asOf = encodeURIComponent(AS_OF.toISOString());
    const res = await download('manager-town', `/api/stats/report?period=2026-11&asOf=${asOf}`);
    expect(res.headers['content-type']).toBe(XLSX);
    expect(res.headers['content-disposition']).toBe(`attachment; filename="report-2026-11.xlsx"; filename*=UTF-8''${encodeURIComponent('月报-2026-11.xlsx')}`);
    const wb = await workbook(res.body);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['总览', '片区', '楼宇', '楼长', '部门', '超期案件']);
    for (const ws of wb.worksheets) {
      expect({ sheet: ws.name, bold: ws.getRow(1).getCell(1).font?.bold, view: ws.views[0] }).toEqual({ sheet: ws.name, bold: true, view: expect.objectContaining({ state: 'frozen', ySplit: 1 }) });
    }

    const stats = (await get('manager-town', `/api/stats?period=2026-11&asOf=${asOf}`).expect(200)).body;
    const overview = rowsOf(wb.getWorksheet('总览')!);
    expect(overview[0]!.slice(0, 6)).toEqual(['指标', '比率', '分子', '分母', '件数', '口径']);
    MEASURE_KEYS.forEach((key, i) => {
      const f = stats.total[key];
      expect(overview[i + 1]!.slice(0, 6)).toEqual([MEASURES[key].name, f.rate ?? null, f.numerator ?? null, f.denominator ?? null, f.count ?? null, MEASURES[key].definition]);
    });
    expect(overview[1]![1]).toBe(0.7143); // 响应率 5/7, as worked out in the stats test
    expect(overview[5]!.slice(0, 5)).toEqual(['回访未反馈', null, null, null, 1]);
    expect(wb.getWorksheet('总览')!.getRow(2).getCell(2).numFmt).toBe('0.00%');
    const notes = Object.fromEntries(overview.slice(7).map((r) => [r[0], r[1]]));
    expect(notes).toMatchObject({ 统计期间: '2026-11（2026-11-01 至 2026-11-30）', 统计截至: '2026-12-01 00:00（北京时间）' });

    for (const [sheet, group] of [['片区', 'area'], ['楼宇', 'building'], ['楼长', 'steward'], ['部门', 'department']] as const) {
      const api = (await get('manager-town', `/api/stats?period=2026-11&asOf=${asOf}&groupBy=${group}`).expect(200)).body;
      const [header, ...body] = rowsOf(wb.getWorksheet(sheet)!);
      const offset = sheet === '楼长' ? 4 : 3; // the stewards' sheet adds 层级
      expect(header!.slice(0, 3)).toEqual(['名次', sheet === '部门' ? '主办部门' : sheet, '编号']);
      expect(header!.slice(offset, offset + 3)).toEqual(['响应率', '按时响应', '应响应']);
      const rows = body.filter((r) => r[2] !== null || r[1] === '未派单');
      expect(body.at(-1)![0]).toBe(RANKING_RULE);
      expect(rows.map((r) => r[2] ?? null).sort()).toEqual(api.groups.map((g: { key: string | null }) => g.key).sort());
      for (const r of rows) {
        const g = api.groups.find((x: { key: string | null }) => x.key === (r[2] ?? null));
        const want = [...RATE_KEYS.flatMap((k) => [g.figures[k].rate, g.figures[k].numerator, g.figures[k].denominator]), g.figures.no_feedback.count];
        expect({ sheet, key: r[2], figures: r.slice(offset, offset + 13) }).toEqual({ sheet, key: r[2], figures: want });
        expect(r[1]).toBe(g.name);
      }
      // ranked by response rate, then on-time rate (an empty rate lowest); equal on both: equal rank
      const ranked = rows.filter((r) => r[0] !== null);
      ranked.forEach((r, i) => {
        if (i === 0) return expect(r[0]).toBe(1);
        const prev = ranked[i - 1]!;
        const key = (x: unknown[]) => [(x[offset] as number | null) ?? -1, (x[offset + 3] as number | null) ?? -1];
        const [pr, po] = key(prev);
        const [cr, co] = key(r);
        expect(pr! > cr! || (pr === cr && po! >= co!)).toBe(true);
        expect(r[0]).toBe(pr === cr && po === co ? prev[0] : i + 1);
      });
    }
    const areas = rowsOf(wb.getWorksheet('片区')!);
    expect(areas[1]!.slice(0, 4)).toEqual([1, '天安千树园区', 'area-east', 0.8333]);
    expect(areas[2]!.slice(0, 4)).toEqual([2, '长风商务片区', 'area-west', 0]);
    expect(wb.getWorksheet('片区')!.getRow(2).getCell(4).numFmt).toBe('0.00%');
    const stewards = rowsOf(wb.getWorksheet('楼长')!);
    expect(stewards.find((r) => r[2] === 'stw-area-west')!.slice(1, 4)).toEqual(['张华', 'stw-area-west', '分楼长']);

    const [overdueHeader, ...overdue] = rowsOf(wb.getWorksheet('超期案件')!);
    expect(overdueHeader).toEqual(CASE_HEADERS);
    expect(overdue.map((r) => r[0])).toEqual(await listed('manager-town', 'overdue=true'));
  });

  it('takes any period GET /api/stats takes (this month by default), and a 点楼长 gets their own report', async () => {
    const month = await download('manager-town', '/api/stats/report');
    const now = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 7);
    expect(month.headers['content-disposition']).toContain(`filename="report-${now}.xlsx"`);
    const week = await download('manager-town', '/api/stats/report?period=2026-W48');
    expect(week.headers['content-disposition']).toContain(encodeURIComponent('考核报表-2026-W48.xlsx'));
    const range = await download('manager-town', `/api/stats/report?from=2026-11-01&to=2026-11-15&asOf=${encodeURIComponent(AS_OF.toISOString())}`);
    expect(range.headers['content-disposition']).toContain(encodeURIComponent('考核报表-2026-11-01至2026-11-15.xlsx'));

    const own = await workbook((await download('stw-point-3', `/api/stats/report?period=2026-11&asOf=${encodeURIComponent(AS_OF.toISOString())}`)).body);
    const overview = rowsOf(own.getWorksheet('总览')!);
    expect(overview[1]!.slice(0, 4)).toEqual(['响应率', 0, 0, 1]); // E only
    expect(rowsOf(own.getWorksheet('片区')!)[1]!.slice(0, 3)).toEqual([1, '长风商务片区', 'area-west']);
    expect(rowsOf(own.getWorksheet('超期案件')!).slice(1)).toEqual([]);
  });

  it('cuts the connection when the database fails after the first byte, rather than end a short file', async () => {
    // the second page of the walk fails: the first one, read before the answer starts, went well
    let reads = 0;
    let armed = false;
    const failing = new Proxy(database.db, {
      get: (target, prop, receiver) =>
        prop === 'case'
          ? new Proxy(target.case, {
              get: (c, p) =>
                p === 'findMany'
                  ? (args: never) => {
                      if (armed && ++reads === 2) return Promise.reject(new Error('the database went away'));
                      return c.findMany(args);
                    }
                  : Reflect.get(c, p),
            })
          : Reflect.get(target, prop, receiver),
    });
    const broken = api.appOver(failing);
    {
      for (const format of ['csv', 'xlsx']) {
        reads = 0;
        armed = true;
        const answer = request(broken).get(`/api/cases/export?format=${format}`).set('Authorization', `Bearer ${api.token('manager-town')}`).buffer(true).parse(binaryParser as never);
        await expect(answer).rejects.toThrow();
        expect(reads).toBe(2);
      }
      // a failure on the first page is still an answer in JSON
      reads = 1;
      const early = await request(broken).get('/api/cases/export?format=csv').set('Authorization', `Bearer ${api.token('manager-town')}`);
      expect({ status: early.status, type: early.headers['content-type'], disposition: early.headers['content-disposition'] }).toEqual({
        status: 500,
        type: expect.stringContaining('application/json'),
        disposition: undefined,
      });
    }
  });

  it('goes on to a further sheet past the sheet’s row limit', async () => {
    const rows = (await database.db.case.findMany({ where: { id: { in: Object.values(CASES).map((c) => c.caseId) } }, orderBy: { id: 'asc' } })) as unknown as CaseRow[];
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on('data', (c: Buffer) => chunks.push(c));
    const ended = once(out, 'end');
    const pages = (async function* () {
      yield rows.slice(0, 4);
      yield rows.slice(4);
    })();
    await streamCasesXlsx(out as unknown as Response, pages, nameBook(database.db), { at: new Date(), query: '' }, 5);
    await ended;
    const wb = await workbook(Buffer.concat(chunks));
    expect(wb.worksheets.map((w) => w.name)).toEqual(['案件', '案件 (2)', '案件 (3)', '说明']);
    const sheets = wb.worksheets.slice(0, 3).map(rowsOf);
    for (const s of sheets) expect(s[0]).toEqual(CASE_HEADERS);
    expect(sheets.flatMap((s) => s.slice(1).map((r) => r[0]))).toEqual(rows.map((r) => r.id));
  });

  it('documents both routes in the OpenAPI document, with their queries and file media types', async () => {
    const doc = (await request(api.app).get('/api/openapi.json').expect(200)).body;
    const list = doc.paths['/api/cases/export'].get;
    expect(Object.keys(list.responses['200'].content)).toEqual([XLSX, 'text/csv']);
    expect(list.responses['200'].content[XLSX].schema).toEqual({ type: 'string', format: 'binary' });
    const params = list.parameters.map((p: { name: string }) => p.name);
    expect(params).toEqual(expect.arrayContaining(['format', 'overdue', 'atRisk', 'measure', 'part', 'period', 'asOf', 'buildingId']));
    expect(params).not.toContain('cursor');
    const report = doc.paths['/api/stats/report'].get;
    expect(Object.keys(report.responses['200'].content)).toEqual([XLSX]);
    expect(report.parameters.map((p: { name: string }) => p.name)).toEqual(expect.arrayContaining(['period', 'from', 'to', 'asOf', 'format']));
  });
});
