/**
 * The web console (web/, built by scripts/setup.sh into web/dist) served by the API process: its
 * public settings at /api/console-config, its files at /, and the Content-Security-Policy that lets
 * the page call this API and the identity provider's token and userinfo endpoints.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import express, { type RequestHandler, type Router } from 'express';
import type { HelmetOptions } from 'helmet';

export interface ConsoleSettings {
  /** the OpenID provider the console signs in with (its discovery document is read by the browser) */
  issuer: string;
  /** the public client registered at the provider for the console */
  clientId: string;
  /** the built console; default web/dist of this checkout */
  dir?: string;
}

export const DEFAULT_CONSOLE_DIR = path.resolve(__dirname, '../../web/dist');

/** Helmet's defaults, plus the provider's origin for the browser's token, userinfo and discovery calls. */
export function consoleHelmet(settings: ConsoleSettings | undefined): HelmetOptions {
  const issuer = settings ? new URL(settings.issuer) : undefined;
  return {
    contentSecurityPolicy: {
      directives: {
        'connect-src': ["'self'", ...(issuer ? [issuer.origin] : [])],
        'img-src': ["'self'", 'data:', 'blob:'],
        // a provider on plain http (the embedded demo one) must not be rewritten to https
        ...(issuer?.protocol === 'http:' ? { 'upgrade-insecure-requests': null } : {}),
      },
    },
  };
}

/** What the console needs to know before anyone signs in; nothing secret. */
export function consoleConfigOf(settings: ConsoleSettings | undefined) {
  return { issuer: settings?.issuer ?? null, clientId: settings?.clientId ?? null, scope: 'openid profile api' };
}

/**
 * Hashed assets (web/dist/assets/*) are cached for a year; index.html is revalidated each time, and
 * every other GET that is not under /api answers it, so the console's own routes survive a reload.
 */
export function consoleFiles(settings: ConsoleSettings | undefined): Router {
  const router = express.Router();
  const dir = settings?.dir ?? DEFAULT_CONSOLE_DIR;
  const index = path.join(dir, 'index.html');
  router.use(
    express.static(dir, {
      index: false,
      setHeaders: (res, file) => {
        res.setHeader('Cache-Control', file.startsWith(path.join(dir, 'assets') + path.sep) ? 'public, max-age=31536000, immutable' : 'no-cache');
      },
    }),
  );
  const fallback: RequestHandler = (req, res, next) => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || req.path === '/api' || req.path.startsWith('/api/')) return next();
    if (!existsSync(index)) {
      res.status(404).type('text/plain; charset=utf-8').send('控制台尚未构建：运行 bash scripts/setup.sh（vite build → web/dist）');
      return;
    }
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(index);
  };
  router.use(fallback);
  return router;
}
