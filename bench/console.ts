/**
 * The console's first page and a big inbox: `node --import tsx bench/console.ts [--cases 500] [--reps 5]`
 *
 * On the real stack (tests/helpers/console-browser.ts: Temporal dev server, worker, API serving
 * web/dist, the demo provider) the bench opens `--cases` appeals in the 点楼长 stw-point-1's
 * building through the API, signs in as that 点楼长 in Chromium, and then, with the browser's cache
 * off, reloads 我的待办 `--reps` times. For each load it measures:
 * - usable: navigation start → the first row and the counts on screen;
 * - whole inbox: → every open case read (the page walks the list 100 at a time);
 * - the floor: the same API calls (the list pages and the three counts) made by `fetch` from the
 *   same page, with nothing rendered: what any page would pay for the data;
 * - JavaScript: every script the load fetched, bytes as sent and gzipped;
 * and then the time from a click on the table's page 10 (rows 451-500) to those rows on screen.
 */
import { gzipSync } from 'node:zlib';
import { parseArgs } from 'node:util';
import { openConsoleBrowser } from '../tests/helpers/console-browser';

const { values: args } = parseArgs({ options: { cases: { type: 'string', default: '500' }, reps: { type: 'string', default: '5' } } });
const CASES = Number(args.cases);
const REPS = Number(args.reps);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main() {
  const b = await openConsoleBrowser();
  try {
    const opened = Date.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: 6 }, async () => {
        while (next < CASES) {
          const i = next++;
          await b.openCase('ent-qianshu', `基准诉求 ${String(i).padStart(4, '0')}`);
        }
      }),
    );
    // the read model follows the workflows: wait until every case is listed for the 点楼长
    for (;;) {
      const n = await b.stack.db.case.count({ where: { ownerStewardId: 'stw-point-1', currentDueAt: { not: null } } });
      if (n >= CASES) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    console.log(`opened ${CASES} cases through the API in ${((Date.now() - opened) / 1000).toFixed(1)} s`);

    const page = await b.signIn('stw-point-1');
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
    const rows = page.locator('.ant-table-row');
    const usable: number[] = [];
    const whole: number[] = [];
    const floor: number[] = [];
    const marks: [number, number][] = [];
    let scripts: { url: string; bytes: number; gzip: number }[] = [];
    for (let rep = 0; rep < REPS; rep++) {
      const fetched: Promise<{ url: string; bytes: number; gzip: number }>[] = [];
      const onResponse = (res: import('playwright-core').Response) => {
        if (res.request().resourceType() === 'script') fetched.push(res.body().then((body) => ({ url: new URL(res.url()).pathname, bytes: body.length, gzip: gzipSync(body).length })));
      };
      page.on('response', onResponse);
      await page.reload({ waitUntil: 'commit' });
      await rows.first().waitFor();
      await page.locator('.ant-statistic-content-value').first().filter({ hasText: /\d/ }).waitFor();
      usable.push(await page.evaluate(() => performance.now()));
      // where the time went: the script in, then the first list request out
      marks.push(
        await page.evaluate<[number, number]>(`(() => {
          const r = performance.getEntriesByType('resource');
          const script = r.find((e) => e.initiatorType === 'script' || e.name.endsWith('.js'));
          const list = r.find((e) => e.name.includes('/api/cases'));
          return [script ? script.responseEnd : 0, list ? list.startTime : 0];
        })()`),
      );
      await page.getByText(`共 ${CASES} 件`).waitFor({ timeout: 60_000 });
      whole.push(await page.evaluate(() => performance.now()));
      page.off('response', onResponse);
      scripts = await Promise.all(fetched);
      // the floor: the page's own API calls, from the page, rendering nothing
      floor.push(
        // a string, not a function: tsx would name the function with a helper the page lacks
        await page.evaluate<number>(`(async () => {
          const key = Object.keys(sessionStorage).find((k) => k.startsWith('oidc.user:'));
          const auth = { Authorization: 'Bearer ' + JSON.parse(sessionStorage.getItem(key)).access_token };
          const started = performance.now();
          const get = (q) => fetch('/api/cases?ownerStewardId=stw-point-1&' + q, { headers: auth }).then((r) => r.json());
          let cursor = null;
          do {
            const p = await get('sort=deadline&pageSize=100' + (cursor ? '&cursor=' + cursor : ''));
            cursor = p.nextCursor;
          } while (cursor);
          await Promise.all([get('sort=deadline&pageSize=1&count=true'), get('overdue=true&pageSize=1&count=true'), get('atRisk=true&pageSize=1&count=true')]);
          return performance.now() - started;
        })()`),
      );
    }

    // rows 451-500: the table renders 50 at a time
    const lastPage = Math.ceil(CASES / 50);
    const turns: number[] = [];
    for (let rep = 0; rep < REPS; rep++) {
      for (const to of [lastPage, 1]) {
        const started = Date.now();
        await page.locator(`.ant-pagination-item-${to}`).click();
        await page.locator(`.ant-pagination-item-active.ant-pagination-item-${to}`).waitFor();
        await rows.nth(0).waitFor();
        turns.push(Date.now() - started);
      }
    }

    const js = scripts.reduce((t, s) => ({ bytes: t.bytes + s.bytes, gzip: t.gzip + s.gzip }), { bytes: 0, gzip: 0 });
    const kb = (n: number) => `${(n / 1024).toFixed(0)} kB`;
    console.log(`我的待办 of ${CASES} cases, cache off, median of ${REPS} loads:`);
    console.log(`  usable (first rows and counts):  ${median(usable).toFixed(0)} ms`);
    console.log(`    of which: the script fetched by ${median(marks.map((m) => m[0])).toFixed(0)} ms, the first list request sent at ${median(marks.map((m) => m[1])).toFixed(0)} ms (after parsing, the sign-in state and /api/me)`);
    console.log(`  whole inbox read:                ${median(whole).toFixed(0)} ms`);
    console.log(`  floor (its API calls by fetch):  ${median(floor).toFixed(0)} ms  → whole inbox / floor = ${(median(whole) / median(floor)).toFixed(2)}×`);
    console.log(`  JavaScript fetched: ${scripts.length} files, ${kb(js.bytes)} (${kb(js.gzip)} gzipped)`);
    for (const s of scripts.sort((a, z) => z.bytes - a.bytes)) console.log(`    ${s.url}  ${kb(s.bytes)} (${kb(s.gzip)})`);
    console.log(`  turning to the table's page ${lastPage} and back: median ${median(turns)} ms, max ${Math.max(...turns)} ms`);
  } finally {
    await b.close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
