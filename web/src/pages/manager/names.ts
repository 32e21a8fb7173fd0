/** Names for the ids the lists and figures carry: the caller's visible directory (GET /api/directory), fetched once a session. */
import { useEffect, useState } from 'react';
import { LEVEL_NAMES } from '../../../../src/domain/case-model';
import { api } from '../../api';

interface Named {
  id: string;
  name: string;
}
interface Directory {
  towns: Named[];
  areas: (Named & { townId: string })[];
  buildings: (Named & { areaId: string })[];
  stewards: (Named & { level: number })[];
  departments: Named[];
}

export interface Names {
  ready: boolean;
  town(id: string): string;
  area(id: string): string;
  building(id: string): string;
  steward(id: string): string;
  department(id: string): string;
  /** 点楼长 / 分楼长 / 总楼长 */
  level(level: number | null | undefined): string;
}

let directory: Promise<Directory> | undefined;

const lookup = (rows: Named[] | undefined) => {
  const m = new Map((rows ?? []).map((r) => [r.id, r.name]));
  return (id: string) => m.get(id) ?? id;
};
const level = (l: number | null | undefined) => (l ? ((LEVEL_NAMES as Record<number, string>)[l] ?? `第 ${l} 级`) : '');

function namesOf(d?: Directory): Names {
  return {
    ready: !!d,
    town: lookup(d?.towns),
    area: lookup(d?.areas),
    building: lookup(d?.buildings),
    steward: lookup(d?.stewards),
    department: lookup(d?.departments),
    level,
  };
}

export function useNames(): Names {
  const [names, setNames] = useState<Names>(() => namesOf());
  useEffect(() => {
    directory ??= api.get<Directory>('/api/directory');
    let live = true;
    directory.then(
      (d) => live && setNames(namesOf(d)),
      () => {
        // ids stay readable; try again on the next page
        directory = undefined;
      },
    );
    return () => {
      live = false;
    };
  }, []);
  return names;
}
