/**
 * 我的待办 (stewards): the unfinished cases a post owns, nearest deadline first (the API's
 * sort=deadline walk), with lights, counts and filters; 我的诉求 (enterprises): their cases, newest
 * first. Both refresh themselves while in view, and mark what arrived since the last look.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { Alert, Badge, Button, Card, Checkbox, Select, Space, Statistic, Table, Tag, Typography } from 'antd';
import { api, query } from '../api';
import { navigate } from '../router';
import { bj, lightOf, STAGE_NAMES, useWhileVisible, type CaseList, type CaseRow, type Me } from '../types';

interface Filters {
  stage?: string;
  buildingId?: string;
  category?: string;
  overdue?: boolean;
  atRisk?: boolean;
  paused?: boolean;
}

/** A steward's inbox is read whole (it is their open work), up to this many rows; filters narrow it. */
const INBOX_LIMIT = 1000;
const PAGE = 100;
const REFRESH_MS = 20_000;

export function Inbox({ me, mode }: { me: Me; mode: 'steward' | 'enterprise' }) {
  const steward = mode === 'steward';
  const owners = steward ? me.scope.stewardPosts.map((p) => p.stewardId) : me.scope.enterprises;
  const [owner, setOwner] = useState(owners[0]);
  const [filters, setFilters] = useState<Filters>({});
  const [rows, setRows] = useState<CaseRow[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [counts, setCounts] = useState<{ overdue?: number; atRisk?: number; all?: number }>({});
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string>();
  const [fresh, setFresh] = useState<Set<string>>(new Set());
  const [names, setNames] = useState<{ buildings: Record<string, string>; categories: Record<string, string> }>({ buildings: {}, categories: {} });
  const seen = useRef<Set<string> | undefined>(undefined);
  const base = useMemo(() => (steward ? { ownerStewardId: owner, sort: 'deadline' } : { enterpriseId: owner }), [steward, owner]);
  const key = JSON.stringify([base, filters]);

  useEffect(() => {
    api.get<{ buildings: { id: string; name: string }[] }>('/api/directory').then(
      (d) => setNames((n) => ({ ...n, buildings: Object.fromEntries(d.buildings.map((b) => [b.id, b.name])) })),
      () => undefined,
    );
    api.get<{ items: { code: string; name: string }[] }>('/api/catalogue').then(
      (c) => setNames((n) => ({ ...n, categories: Object.fromEntries(c.items.map((i) => [i.code, i.name])) })),
      () => undefined,
    );
  }, []);

  /** The first page again (a steward: every page up to the limit), and the counts; `quiet` keeps the table as it is meanwhile. */
  const reload = useCallback(
    async (quiet = false) => {
      if (!quiet) setLoading(true);
      try {
        const count = (extra: Record<string, boolean>) =>
          api.get<CaseList>(`/api/cases${query({ ...base, ...extra, pageSize: 1, count: true })}`).then((r) => r.total ?? 0);
        const counted = Promise.all([count({}), count({ overdue: true }), count({ atRisk: true })]);
        counted.catch(() => undefined);
        const list: CaseRow[] = [];
        let next: string | null = null;
        do {
          const page: CaseList = await api.get<CaseList>(`/api/cases${query({ ...base, ...filters, pageSize: PAGE, cursor: next ?? undefined })}`);
          list.push(...page.items);
          next = page.nextCursor;
          // the nearest deadlines show at once while the rest is read
          if (!quiet && next && list.length === page.items.length) {
            setRows(page.items);
            setLoading(false);
          }
        } while (steward && next && list.length < INBOX_LIMIT);
        const [all, overdue, atRisk] = await counted;
        // what arrived after the first look stays marked 新 while it is listed
        const before = seen.current;
        const listed = new Set(list.map((r) => r.id));
        setFresh((prev) => (before ? new Set([...prev, ...list.filter((r) => !before.has(r.id)).map((r) => r.id)].filter((id) => listed.has(id))) : new Set()));
        seen.current = new Set([...(before ?? []), ...list.map((r) => r.id)]);
        setRows(list);
        setCursor(next);
        setCounts({ all, overdue, atRisk });
        setError(undefined);
      } catch (err) {
        setError((err as Error).message);
      } finally {
        setLoading(false);
      }
    },
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [key],
  );

  useEffect(() => {
    seen.current = undefined;
    void reload();
  }, [reload]);
  useWhileVisible(() => reload(true), REFRESH_MS);

  async function more() {
    if (!cursor) return;
    setLoading(true);
    try {
      const page = await api.get<CaseList>(`/api/cases${query({ ...base, ...filters, pageSize: PAGE, cursor })}`);
      setRows((prev) => [...prev, ...page.items]);
      seen.current = new Set([...(seen.current ?? []), ...page.items.map((r) => r.id)]);
      setCursor(page.nextCursor);
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setLoading(false);
    }
  }

  const set = (patch: Filters) => setFilters((f) => ({ ...f, ...patch }));
  const buildingOptions = Object.entries(names.buildings).map(([value, label]) => ({ value, label }));
  const categoryOptions = Object.entries(names.categories).map(([value, label]) => ({ value, label }));

  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <Space wrap align="center">
        <Typography.Title level={4} style={{ margin: 0 }}>
          {steward ? '我的待办' : '我的诉求'}
        </Typography.Title>
        {owners.length > 1 && (
          <Select
            aria-label={steward ? '楼长岗位' : '企业'}
            value={owner}
            onChange={setOwner}
            style={{ minWidth: 180 }}
            options={owners.map((o) => {
              const post = me.scope.stewardPosts.find((p) => p.stewardId === o);
              return { value: o, label: post ? `${o}（第 ${post.level} 级）` : o };
            })}
          />
        )}
      </Space>
      <Space wrap>
        <Card size="small">
          <Statistic title={steward ? '待办' : '全部'} value={counts.all ?? '—'} />
        </Card>
        <Card size="small">
          <Statistic title={<Badge status="error" text="超期" />} value={counts.overdue ?? '—'} valueStyle={{ color: '#cf1322' }} />
        </Card>
        <Card size="small">
          <Statistic title={<Badge status="warning" text="临期" />} value={counts.atRisk ?? '—'} valueStyle={{ color: '#d48806' }} />
        </Card>
      </Space>
      <Space wrap>
        <Select
          aria-label="按状态筛选"
          allowClear
          placeholder="全部状态"
          style={{ width: 150 }}
          value={filters.stage}
          onChange={(stage?: string) => set({ stage })}
          options={Object.entries(STAGE_NAMES).map(([value, label]) => ({ value, label }))}
        />
        {steward && (
          <Select
            aria-label="按楼宇筛选"
            allowClear
            showSearch
            optionFilterProp="label"
            placeholder="全部楼宇"
            style={{ width: 170 }}
            value={filters.buildingId}
            onChange={(buildingId?: string) => set({ buildingId })}
            options={buildingOptions}
          />
        )}
        <Select
          aria-label="按事项筛选"
          allowClear
          showSearch
          optionFilterProp="label"
          placeholder="全部事项"
          style={{ width: 170 }}
          value={filters.category}
          onChange={(category?: string) => set({ category })}
          options={categoryOptions}
        />
        <Checkbox checked={!!filters.overdue} onChange={(e) => set({ overdue: e.target.checked || undefined })}>
          只看超期
        </Checkbox>
        <Checkbox checked={!!filters.atRisk} onChange={(e) => set({ atRisk: e.target.checked || undefined })}>
          只看临期
        </Checkbox>
        <Checkbox checked={!!filters.paused} onChange={(e) => set({ paused: e.target.checked || undefined })}>
          只看待补充材料
        </Checkbox>
        <Button onClick={() => reload()}>刷新</Button>
      </Space>
      {error && <Alert type="error" showIcon message={error} role="alert" />}
      {fresh.size > 0 && <Alert type="info" showIcon message={`有 ${fresh.size} 件新案件（标“新”）`} />}
      {steward && cursor && <Alert type="warning" showIcon message={`只列出了最近期限的 ${rows.length} 件，请用筛选缩小范围`} />}
      <Table<CaseRow>
        rowKey="id"
        size="small"
        loading={loading}
        dataSource={rows}
        // hundreds of rows stay smooth: 50 rendered at a time (a real table, unlike a virtual list, for screen readers)
        pagination={{ pageSize: 50, hideOnSinglePage: true, showSizeChanger: false, showTotal: (n) => `共 ${n} 件` }}
        scroll={{ x: 760 }}
        onRow={(r) => ({ onClick: () => navigate(`/cases/${r.id}`), style: { cursor: 'pointer' } })}
        columns={[
          {
            title: '灯',
            key: 'light',
            width: 80,
            render: (_, r) => {
              const l = lightOf(r);
              return (
                <Tag color={l.color} data-light={l.text}>
                  {l.text}
                </Tag>
              );
            },
          },
          {
            title: '诉求',
            key: 'title',
            width: 300,
            render: (_, r) => (
              <a href={`/cases/${r.id}`} onClick={(e) => e.preventDefault()}>
                {fresh.has(r.id) && <Tag color="blue">新</Tag>}
                {r.title}
                <div style={{ fontSize: 12, color: '#888' }}>
                  {r.id} · {names.buildings[r.buildingId] ?? r.buildingId} · {names.categories[r.category] ?? r.category}
                </div>
              </a>
            ),
          },
          { title: '状态', dataIndex: 'stage', width: 130, render: (s: string, r) => <>{STAGE_NAMES[s] ?? s}{r.paused ? '（暂停）' : ''}</> },
          {
            title: '当前期限（北京时间）',
            dataIndex: 'currentDueAt',
            width: 190,
            render: (d: string | null, r) => (
              <>
                {bj(d)}
                {r.remainingText && <div style={{ fontSize: 12, color: r.overdue ? '#cf1322' : r.atRisk ? '#ad6800' : '#666' }}>{r.remainingText}</div>}
              </>
            ),
          },
          { title: '受理时间', dataIndex: 'openedAt', width: 150, render: (d: string) => bj(d) },
        ]}
      />
      {!steward && cursor && (
        <Button block onClick={() => more()} loading={loading}>
          加载更多
        </Button>
      )}
    </Space>
  );
}
