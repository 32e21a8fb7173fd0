import express from 'express';
import type { Client } from '@temporalio/client';
import type { Db } from '../db/client';
import type { Logger } from '../logger';
import { createCatalogueStore } from '../catalogue-store';
import { DEFAULT_OFFICE_HOURS, type OfficeHours } from '../domain/working-time';
import { catalogueRouter } from './routes/catalogue';
import { keepRawBody } from './raw-body';
import { departmentsRouter } from './routes/departments';
import { createCaseService } from './case-service';
import { createDirectory } from './directory';
import { errorHandler, notFound } from './errors';
import { openApiDocument } from './openapi';
import { casesRouter } from './routes/cases';
import { referenceRouter } from './routes/reference';

export interface AppDeps {
  db: Db;
  temporal: Client;
  taskQueue: string;
  logger: Logger;
  officeHours?: OfficeHours;
  /** hold non-urgent notifications outside office hours (QUIET_HOURS) */
  quietHours?: boolean;
  actionWaitMs?: number;
}

/** Builds the HTTP API without listening, so tests drive it with supertest. */
export function createApp({ db, temporal, taskQueue, logger, officeHours = DEFAULT_OFFICE_HOURS, quietHours = true, actionWaitMs = 10_000 }: AppDeps): express.Express {
  const directory = createDirectory(db);
  const catalogue = createCatalogueStore(db);
  const cases = createCaseService({ db, temporal, directory, catalogue, officeHours, quietHours, taskQueue, actionWaitMs });
  const document = openApiDocument();

  const app = express();
  app.disable('x-powered-by');
  app.use(express.json({ limit: '64kb', strict: true, verify: keepRawBody }));

  app.get('/api/health', async (_req, res) => {
    await db.$queryRaw`SELECT 1`;
    res.json({ status: 'ok' });
  });
  app.get('/api/openapi.json', (_req, res) => {
    res.json(document);
  });
  app.use('/api/cases', casesRouter(cases, directory));
  app.use('/api/catalogue', catalogueRouter(catalogue, directory));
  app.use('/api/departments', departmentsRouter(db, directory, cases));
  app.use('/api', referenceRouter(directory));
  app.use((req, _res, next) => next(notFound(`no route ${req.method} ${req.path}`)));
  app.use(errorHandler(logger));
  return app;
}
