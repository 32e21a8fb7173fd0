/** 我的待办 (stewards) and 我的诉求 (enterprises): the case list, nearest deadline first, with lights. */
import { useCallback, useEffect, useState } from 'react';
import { Alert, Badge, Button, Card, Checkbox, Select, Space, Statistic, Table, Tag, Typography } from 'antd';
import { api, query } from '../api';
import { navigate } from '../router';
import { bj, lightOf, STAGE_NAMES, type CaseList, type CaseRow, type Me } from '../types';

interface Filters {
  stage?: string;
  overdue?: boolean;
  atRisk?: boolean;
  paused?: boolean;
}

const byDeadline = (a: CaseRow, b: CaseRow) =>
  (a.currentDueAt ?? '9999').localeCompare(b.currentDueAt ?? '9999') || a.id.localeCompare(b.id);

export function Inbox({ me, mode }: { me: Me; mode: 'steward' | 'enterprise' }) {
  const base =
    mode === 'steward'
      ? { ownerStewardId: me.scope.stewardPosts[0]?.stewardId }
      : { enterpriseId: me.scope.enterprises[0] };
  const [filters, setFilters] = useState<Filters>({});
  const [rows, setRows] = useState<CaseRow[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [counts, setCounts] = useState<{ overdue?: number; atRisk?: number; all?: number }>({});
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string>();
  const key = JSON.stringify([base, filters]);

  const load = useCallback(
    async (after?: string) => {
      setLoading(true);
      setError(undefined);
      try {
        const page = await api.get<CaseList>(`/api/cases${query({ ...base, ...filters, pageSize: 50, cursor: after })}`);
        setRows((prev) => [...(after ? prev : []), ...page.items].sort(byDeadline));
        setCursor(page.nextCursor);
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
    void load();
    const count = (extra: Record<string, boolean>) =>
      api.get<CaseList>(`/api/cases${query({ ...base, ...extra, pageSize: 1, count: true })}`).then((r) => r.total ?? 0);
    Promise.all([count({}), count({ overdue: true }), count({ atRisk: true })])
      .then(([all, overdue, atRisk]) => setCounts({ all, overdue, atRisk }))
      .catch(() => setCounts({}));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key]);

  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <Typography.Title level={4} style={{ margin: 0 }}>
        {mode === 'steward' ? '我的待办' : '我的诉求'}
      </Typography.Title>
      <Space wrap>
        <Card size="small">
          <Statistic title="全部" value={counts.all ?? '—'} />
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
          style={{ width: 160 }}
          value={filters.stage}
          onChange={(stage?: string) => setFilters((f) => ({ ...f, stage }))}
          options={Object.entries(STAGE_NAMES).map(([value, label]) => ({ value, label }))}
        />
        <Checkbox checked={!!filters.overdue} onChange={(e) => setFilters((f) => ({ ...f, overdue: e.target.checked || undefined }))}>
          只看超期
        </Checkbox>
        <Checkbox checked={!!filters.atRisk} onChange={(e) => setFilters((f) => ({ ...f, atRisk: e.target.checked || undefined }))}>
          只看临期
        </Checkbox>
        <Checkbox checked={!!filters.paused} onChange={(e) => setFilters((f) => ({ ...f, paused: e.target.checked || undefined }))}>
          只看待补充材料
        </Checkbox>
        <Button onClick={() => load()}>刷新</Button>
      </Space>
      {error && <Alert type="error" showIcon message={error} />}
      <Table<CaseRow>
        rowKey="id"
        size="small"
        loading={loading}
        dataSource={rows}
        pagination={false}
        scroll={{ x: 640 }}
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
            render: (_, r) => (
              <a href={`/cases/${r.id}`} onClick={(e) => e.preventDefault()}>
                {r.title}
                <div style={{ fontSize: 12, color: '#888' }}>{r.id}</div>
              </a>
            ),
          },
          { title: '状态', dataIndex: 'stage', width: 110, render: (s: string, r) => <>{STAGE_NAMES[s] ?? s}{r.paused ? '（暂停）' : ''}</> },
          { title: '当前期限（北京时间）', dataIndex: 'currentDueAt', width: 170, render: (d: string | null) => bj(d) },
          { title: '受理时间', dataIndex: 'openedAt', width: 150, render: (d: string) => bj(d), responsive: ['md'] },
        ]}
      />
      {cursor && (
        <Button block onClick={() => load(cursor)} loading={loading}>
          加载更多
        </Button>
      )}
    </Space>
  );
}
