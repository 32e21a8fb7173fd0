import { useEffect, useRef } from 'react';
import { STAGE_NAMES as DOMAIN_STAGE_NAMES } from '../../src/domain/case-model';
export interface Me {
  personId: string;
  subject: string;
  name: string;
  kind: string;
  roles: { role: string; name: string }[];
  scope: {
    enterprises: string[];
    stewardPosts: { stewardId: string; level: number; townId: string; areaId?: string; buildingIds: string[] }[];
    departments: string[];
    managerOf: string[];
    admin: boolean;
  };
}

export interface CaseRow {
  id: string;
  stage: string;
  title: string;
  category: string;
  buildingId: string;
  enterpriseId: string;
  ownerStewardId: string;
  ownerLevel: number;
  currentDueAt: string | null;
  openedAt: string;
  overdue: boolean;
  atRisk: boolean;
  paused: boolean;
  /** the current deadline's time left or past in office time (`剩余 1 个工作日 3 小时`, `已超期 2 小时`) */
  remainingText?: string | null;
}

export interface CaseList {
  items: CaseRow[];
  nextCursor: string | null;
  total?: number;
}

/** The stage names the API's own messages use, from the domain model itself. */
export const STAGE_NAMES: Record<string, string> = DOMAIN_STAGE_NAMES;

/** 红灯 超期 / 黄灯 临期 / 绿灯 正常: colour and words together. */
export function lightOf(c: { overdue?: boolean; atRisk?: boolean }) {
  if (c.overdue) return { color: 'red', text: '超期' };
  if (c.atRisk) return { color: 'gold', text: '临期' };
  return { color: 'green', text: '正常' };
}

/** `2026-11-23T09:00:00.000+08:00` → `2026-11-23 09:00` (the API answers Beijing time already). */
export const bj = (iso?: string | null) => (iso ? iso.slice(0, 16).replace('T', ' ') : '—');

/**
 * Calls `refresh` every `ms` while the page is in view, and at once when it comes back into view:
 * what others did (new cases, actions, breaches) shows without a reload, and a hidden tab costs nothing.
 */
export function useWhileVisible(refresh: () => unknown, ms: number) {
  const latest = useRef(refresh);
  latest.current = refresh;
  useEffect(() => {
    const tick = () => {
      if (document.visibilityState === 'visible') void latest.current();
    };
    const timer = setInterval(tick, ms);
    document.addEventListener('visibilitychange', tick);
    return () => {
      clearInterval(timer);
      document.removeEventListener('visibilitychange', tick);
    };
  }, [ms]);
}
