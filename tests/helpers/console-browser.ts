/**
 * The web console in a real browser (Debian's Chromium driven by playwright-core) against the real
 * stack: Temporal dev server, worker, API serving web/dist, and the identity provider's own login
 * page. Needs `bash scripts/setup.sh` (chromium, fonts-noto-cjk, the console build).
 * Screenshots land in test-output/screenshots/ for a reviewer.
 */
import { existsSync, mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { startStack, type Stack } from './stack';
import { freePort } from './ports';

const ROOT = path.resolve(__dirname, '../..');
export const SHOTS = path.join(ROOT, 'test-output/screenshots');
const CHROMIUM = '/usr/bin/chromium';

export interface ConsoleBrowser {
  stack: Stack;
  origin: string;
  /** A fresh browser (its own cookies and session storage) signed in through the provider's login page. */
  signIn(user: string, viewport?: { width: number; height: number }): Promise<Page>;
  /** A full-page screenshot under test-output/screenshots/<name>.png. */
  shot(page: Page, name: string): Promise<void>;
  /** POST to the API as a demo user; the answer's status and JSON. */
  post(user: string, path: string, body: unknown): Promise<{ status: number; body: any }>;
  /**
   * The page's controls a screen reader could not name: inputs, selects, text areas, buttons and
   * links with no label, aria-label, aria-labelledby, title or text. Empty when every control is labelled.
   */
  unlabelled(page: Page): Promise<string[]>;
  /** Opens a demo appeal (外摆活动审批 at 天安千树大厦, the 点楼长 stw-point-1's building) through the API; its id. */
  openCase(user: string, title: string): Promise<string>;
  close(): Promise<void>;
}

/** The built console: web/dist, or CONSOLE_DIST (a build of one's own, e.g. `vite build --outDir`, while others rebuild web/dist). */
const DIST = process.env.CONSOLE_DIST ? path.resolve(process.env.CONSOLE_DIST) : path.join(ROOT, 'web/dist');

export async function openConsoleBrowser(): Promise<ConsoleBrowser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: run bash scripts/setup.sh (it installs Debian's chromium and fonts-noto-cjk)`);
  if (!existsSync(path.join(DIST, 'index.html'))) throw new Error(`${DIST} is missing: run bash scripts/setup.sh (it builds the console)`);
  mkdirSync(SHOTS, { recursive: true });
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const stack = await startStack({ consoleOrigin: origin });
  const app = stack.appWith({ console: { issuer: stack.idp.issuer, clientId: 'steward-console', dir: DIST } });
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(port, '127.0.0.1', () => resolve(s));
  });
  const browser: Browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-dev-shm-usage'],
  });
  const contexts: BrowserContext[] = [];

  async function signIn(user: string, viewport = { width: 1280, height: 900 }): Promise<Page> {
    const context = await browser.newContext({ viewport, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
    contexts.push(context);
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (err) => problems.push(err.message));
    page.on('console', (msg) => {
      if (msg.type() === 'error' && /Content Security Policy|CORS/i.test(msg.text())) problems.push(msg.text());
    });
    await page.goto(`${origin}/`);
    await page.getByRole('button', { name: '登录' }).click();
    // the identity provider's own page: pick the demo user, type the demo password
    await page.waitForURL((url) => url.origin === stack.idp.issuer && url.pathname.startsWith('/interaction/'));
    await page.locator('select[name=subject]').selectOption(user);
    await page.locator('input[name=password]').fill('demo');
    await page.getByRole('button', { name: /登录/ }).click();
    await page.waitForURL((url) => url.origin === origin && url.pathname !== '/callback');
    await page.getByRole('button', { name: '退出' }).waitFor();
    if (problems.length) throw new Error(`the console reported problems while ${user} signed in: ${problems.join('; ')}`);
    return page;
  }

  async function post(user: string, p: string, body: unknown) {
    const res = await fetch(`${origin}${p}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(await stack.auth(user)) },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json().catch(() => null)) as any };
  }

  return {
    stack,
    origin,
    signIn,
    shot: async (page, name) => {
      await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true, animations: 'disabled' });
    },
    post,
    // a string, not a function: tsx names functions with a helper the page does not have
    unlabelled: (page) =>
      page.evaluate<string[]>(`(() => {
        const visible = (el) => !!(el.offsetWidth || el.offsetHeight || el.getClientRects().length) && getComputedStyle(el).visibility !== 'hidden';
        const named = (el) => {
          if ((el.getAttribute('aria-label') || '').trim() || (el.getAttribute('title') || '').trim()) return true;
          const by = el.getAttribute('aria-labelledby');
          if (by && by.split(/\\s+/).some((id) => (document.getElementById(id)?.textContent || '').trim())) return true;
          if (el.labels && [...el.labels].some((l) => l.textContent.trim())) return true;
          if (el.closest('label') && el.closest('label').textContent.trim()) return true;
          const tag = el.tagName.toLowerCase();
          const role = el.getAttribute('role');
          if ((tag === 'button' || tag === 'a' || role === 'button') && (el.textContent.trim() || el.querySelector('img[alt]:not([alt=""])'))) return true;
          return false;
        };
        const controls = document.querySelectorAll('input:not([type=hidden]), select, textarea, button, a[href], [role=button], [role=combobox], [role=checkbox], [role=radio]');
        return [...controls].filter((el) => visible(el) && !named(el)).map((el) => el.outerHTML.slice(0, 160));
      })()`),
    openCase: async (user, title) => {
      const res = await post(user, '/api/cases', {
        buildingId: 'bld-tianan',
        enterprise: { creditCode: '91310107MA1G0AB10G' },
        category: 'outdoor_promotion',
        title,
        description: '周末在楼前广场外摆促销，申请许可',
        contact: { name: '周经理', phone: '13900000001' },
      });
      if (res.status !== 201) throw new Error(`opening a case answered ${res.status}: ${JSON.stringify(res.body)}`);
      return res.body.caseId as string;
    },
    close: async () => {
      await Promise.all(contexts.map((c) => c.close().catch(() => undefined)));
      await browser.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await stack.stop();
    },
  };
}

/** Submits the open action dialog of the case page and waits for it to close. */
export async function submitDialog(page: Page) {
  await page.getByRole('dialog').getByRole('button', { name: '提交', exact: true }).click();
  await page.getByRole('dialog').waitFor({ state: 'detached' });
}

/** Reloads the case page until `target` shows: what another person did reaches this page. */
export async function reloadUntil(page: Page, target: Locator, timeoutMs = 30_000) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (await target.isVisible()) return;
    if (Date.now() > until) throw new Error(`not shown within ${timeoutMs} ms: ${target}`);
    await page.waitForTimeout(1000);
    await page.reload();
    await page.getByTestId('stage').waitFor();
  }
}
