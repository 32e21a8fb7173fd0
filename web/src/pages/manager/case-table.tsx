/**
 * A case list of GET /api/cases (a figure's cases, the overdue or at-risk list) walked along its
 * cursor: every page can be reached, 加载更多 or all at once, in the server's order.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { Alert, Button, Grid, Modal, Space, Table, Tag, Typography } from 'antd';
import { api } from '../../api';
import { navigate } from '../../router';
import { bj, lightOf, STAGE_NAMES, type CaseList, type CaseRow } from '../../types';
import { useNames } from './names';

/** What a list row carries besides CaseRow (src/api/case-service.ts `list`: the case row without private data). */
export type ListRow = CaseRow & { overdueSince?: string | null; urgency?: string; escalations?: number; reminders?: number };

/** The row's time left or past in office time, as the API words it; for an overdue case, since when. */
export function countdown(r: ListRow): string | null {
  if (r.paused) return '计时暂停（待企业补充材料）';
  if (!r.remainingText) return null;
  // the current deadline may already be the next level's: say since when it is overdue
  const since = r.overdue ? (r.overdueSince ?? r.currentDueAt) : null;
  return since ? `${r.remainingText}（自 ${bj(since).slice(5)} 起）` : r.remainingText;
}

/** The link with paging: the answer's cursor, a page size, the total on the first page. */
function paged(link: string, pageSize: number, cursor?: string): string {
  const u = new URL(link, location.origin);
  u.searchParams.set('pageSize', String(pageSize));
  u.searchParams.delete('cursor');
  u.searchParams.delete('page');
  if (cursor) u.searchParams.set('cursor', cursor);
  else u.searchParams.set('count', 'true');
  return u.pathname + u.search;
}

export interface CaseTableProps {
  /** a GET /api/cases URL with its filters (a figure's `cases` link, `/api/cases?overdue=true`, …) */
  link: string;
  /** read every page at once (the 督办 lists); otherwise page by page */
  all?: boolean;
  pageSize?: number;
  empty?: string;
  /** names the table for assistive technology */
  label: string;
  onTotal?: (n: number) => void;
}

export function CaseTable({ link, all = false, pageSize = 50, empty = '没有案件', label, onTotal }: CaseTableProps) {
  const names = useNames();
  const [rows, setRows] = useState<ListRow[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [total, setTotal] = useState<number>();
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string>();
  // a newer link or a reload makes an older walk's pages stale
  const generation = useRef(0);
  const totalRef = useRef(onTotal);
  totalRef.current = onTotal;

  const walk = useCallback(
    async (after: string | undefined, toEnd: boolean) => {
      const gen = generation.current;
      setLoading(true);
      setError(undefined);
      try {
        let next: string | undefined = after;
        do {
          const page: CaseList = await api.get<CaseList>(paged(link, pageSize, next));
          if (gen !== generation.current) return;
          if (page.total !== undefined) {
            setTotal(page.total);
            totalRef.current?.(page.total);
          }
          const first = next === undefined;
          setRows((prev) => [...(first ? [] : prev), ...(page.items as ListRow[])]);
          setCursor(page.nextCursor);
          next = page.nextCursor ?? undefined;
        } while (toEnd && next);
      } catch (err) {
        if (gen === generation.current) setError((err as Error).message);
      } finally {
        if (gen === generation.current) setLoading(false);
      }
    },
    [link, pageSize],
  );

  useEffect(() => {
    generation.current++;
    setRows([]);
    setCursor(null);
    setTotal(undefined);
    void walk(undefined, all);
  }, [walk, all]);

  // on a phone one column tells it all, rather than a table to scroll sideways
  const wide = Grid.useBreakpoint().md !== false;
  const light = (r: ListRow) => {
    const l = lightOf(r);
    return (
      <Tag color={l.color} data-light={l.text}>
        {l.text}
      </Tag>
    );
  };
  const titleLink = (r: ListRow) => (
    <a href={`/cases/${r.id}`} onClick={(e) => (e.preventDefault(), e.stopPropagation(), navigate(`/cases/${r.id}`))}>
      {r.title}
    </a>
  );
  const due = (r: ListRow) => (
    <>
      {bj(r.currentDueAt)}
      <div style={{ fontSize: 12, color: r.overdue ? '#cf1322' : r.atRisk ? '#ad6800' : '#666' }}>{countdown(r)}</div>
    </>
  );
  const small = { fontSize: 12, color: '#666' };
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      {error && (
        <Alert
          type="error"
          showIcon
          message={error}
          action={
            <Button size="small" onClick={() => walk(rows.length ? (cursor ?? undefined) : undefined, all)}>
              重试
            </Button>
          }
        />
      )}
      <Table<ListRow>
        rowKey="id"
        size="small"
        aria-label={label}
        loading={loading && rows.length === 0}
        dataSource={rows}
        pagination={false}
        scroll={wide ? { x: 760 } : undefined}
        locale={{ emptyText: loading ? '加载中…' : empty }}
        onRow={(r) => ({ onClick: () => navigate(`/cases/${r.id}`), style: { cursor: 'pointer' } })}
        columns={
          wide
            ? [
                { title: '灯', key: 'light', width: 70, render: (_, r) => light(r) },
                {
                  title: '诉求',
                  key: 'title',
                  render: (_, r) => (
                    <>
                      {titleLink(r)}
                      <div style={small}>{r.id}</div>
                    </>
                  ),
                },
                { title: '楼宇', key: 'building', width: 130, render: (_, r) => names.building(r.buildingId) },
                {
                  title: '承办楼长',
                  key: 'owner',
                  width: 120,
                  render: (_, r) => (
                    <>
                      {names.steward(r.ownerStewardId)}
                      <div style={small}>{names.level(r.ownerLevel)}</div>
                    </>
                  ),
                },
                { title: '阶段', dataIndex: 'stage', width: 100, render: (st: string, r) => <>{STAGE_NAMES[st] ?? st}{r.paused ? '（暂停）' : ''}</> },
                { title: '当前期限（北京时间）', key: 'due', width: 200, render: (_, r) => due(r) },
              ]
            : [
                {
                  title: '案件',
                  key: 'case',
                  render: (_, r) => (
                    <>
                      <div>
                        {light(r)}
                        {titleLink(r)}
                      </div>
                      <div style={small}>
                        {names.building(r.buildingId)} · {names.steward(r.ownerStewardId)}（{names.level(r.ownerLevel)}）· {STAGE_NAMES[r.stage] ?? r.stage}
                        {r.paused ? '（暂停）' : ''}
                      </div>
                      <div style={small}>期限 {due(r)}</div>
                    </>
                  ),
                },
              ]
        }
      />
      <Space wrap>
        <Typography.Text type="secondary" aria-live="polite">
          {total !== undefined ? `已显示 ${rows.length} / 共 ${total} 件` : rows.length ? `已显示 ${rows.length} 件` : ''}
        </Typography.Text>
        {cursor && !error && (
          <>
            <Button onClick={() => walk(cursor, false)} loading={loading}>
              加载更多
            </Button>
            <Button onClick={() => walk(cursor, true)} disabled={loading}>
              全部加载
            </Button>
          </>
        )}
      </Space>
    </Space>
  );
}

/** A figure's cases in a dialog: the whole list, each row opening its case. */
export function CasesDialog({ drill, onClose }: { drill?: { title: string; link: string }; onClose: () => void }) {
  return (
    <Modal open={!!drill} title={drill?.title} footer={null} onCancel={onClose} width={960} destroyOnHidden>
      {drill && <CaseTable link={drill.link} label={drill.title} empty="该口径下没有案件" />}
    </Modal>
  );
}
