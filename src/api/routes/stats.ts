import type { Router } from 'express';
import type { Db } from '../../db/client';
import type { AccessControl } from '../../auth/access';
import { StatsQuery, StatsSeriesQuery } from '../schemas';
import { createStats } from '../stats';
import { route } from '../validate';
import { workingCalendar } from '../../calendar';
import type { OfficeHours } from '../../domain/working-time';

/**
 * 考核: the rates managers are judged by, over a period in Beijing time, in total or by group,
 * and as a trend; each count links to the cases it counts (GET /api/cases?measure=…).
 */
export function statsRouter(access: AccessControl, db: Db, officeHours: OfficeHours): Router {
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
  // ages of overdue work and medians are told in working days of the current calendar
  const calendar = () => workingCalendar(new Date(), officeHours);
  get(
    '/overdue',
    { access: ['steward', 'manager'], summary: '超期 now: overdue cases by level and age, overdue department tasks; escalations and 督办 of the cases opened in the period' },
    route({ query: StatsQuery }, async ({ query }, req, res) => {
      res.json(await stats.overdue(query, req.principal!, calendar()));
    }),
  );
  get(
    '/workload',
    { access: ['steward', 'manager'], summary: 'per owner steward: open, at risk, overdue now; acknowledged late and median working time to acknowledge and to resolve in the period' },
    route({ query: StatsQuery }, async ({ query }, req, res) => {
      res.json(await stats.workload(query, req.principal!, calendar()));
    }),
  );
  get(
    '/departments',
    { access: ['steward', 'manager'], summary: 'per department: tasks dispatched, replied (on time), returned with the reasons in the period; overdue now' },
    route({ query: StatsQuery }, async ({ query }, req, res) => {
      res.json(await stats.departments(query, req.principal!));
    }),
  );
  return router;
}
