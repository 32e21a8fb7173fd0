import type { Router } from 'express';
import type { Db } from '../../db/client';
import type { AccessControl } from '../../auth/access';
import { StatsQuery, StatsSeriesQuery } from '../schemas';
import { createStats } from '../stats';
import { route } from '../validate';

/**
 * 考核: the rates managers are judged by, over a period in Beijing time, in total or by group,
 * and as a trend; each count links to the cases it counts (GET /api/cases?measure=…).
 */
export function statsRouter(access: AccessControl, db: Db): Router {
  const stats = createStats(db);
  const { router, get } = access.router('/api/stats');
  get(
    '/',
    { access: ['steward', 'manager'], summary: '响应率, 按时办结率, 解决率, 满意率 and no-feedback count over a period, in total or by group' },
    route({ query: StatsQuery }, async ({ query }, req, res) => {
      res.json(await stats.rates(query, req.principal!));
    }),
  );
  get(
    '/series',
    { access: ['steward', 'manager'], summary: 'the same figures per day, week, month, quarter or year of a range: the trend' },
    route({ query: StatsSeriesQuery }, async ({ query }, req, res) => {
      res.json(await stats.series(query, req.principal!));
    }),
  );
  return router;
}
