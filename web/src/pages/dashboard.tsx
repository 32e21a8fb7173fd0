/** 考核看板: the four rates by area; each figure opens the cases it counts; the 月报 download. */
import { useEffect, useState } from 'react';
import { Alert, Button, Modal, Table, Typography } from 'antd';
import { api } from '../api';
import { navigate } from '../router';
import type { CaseList } from '../types';
import { TrendChart, type SeriesPoint } from './trend-chart';

interface Figure {
  numerator?: number;
  denominator?: number;
  rate?: number | null;
  count?: number;
  cases?: Record<string, string>;
}
interface Stats {
  period: { label: string };
  total: Record<string, Figure>;
  groups?: { key: string; name: string; figures: Record<string, Figure> }[];
}

const RATES: [string, string][] = [
  ['response_rate', '响应率'],
  ['on_time_rate', '按时办结率'],
  ['resolution_rate', '解决率'],
  ['satisfaction_rate', '满意率'],
];

export default function Dashboard() {
  const [stats, setStats] = useState<Stats>();
  const [error, setError] = useState<string>();
  const [drill, setDrill] = useState<CaseList['items']>();
  const [trend, setTrend] = useState<SeriesPoint[]>();
  useEffect(() => {
    api.get<Stats>('/api/stats?groupBy=area').then(
      (s) => {
        setStats(s);
        // this year, month by month
        api.get<{ points: SeriesPoint[] }>(`/api/stats/series?period=${s.period.label.slice(0, 4)}&interval=month`).then((r) => setTrend(r.points), () => undefined);
      },
      (e: Error) => setError(e.message),
    );
  }, []);

  const open = async (link?: string) => {
    if (!link) return;
    const r = await api.get<CaseList>(link);
    setDrill(r.items);
  };
  const cell = (f?: Figure) =>
    !f ? '—' : (
      <a onClick={() => open(f.cases?.numerator ?? f.cases?.count)} role="button">
        {f.rate == null ? '—' : `${(f.rate * 100).toFixed(1)}%`}（{f.numerator ?? 0}/{f.denominator ?? 0}）
      </a>
    );
  async function report() {
    const blob = await api.blob('/api/stats/report');
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = `月报-${stats?.period.label ?? ''}.xlsx`;
    a.click();
    URL.revokeObjectURL(a.href);
  }

  const rows = [...(stats?.groups ?? []).map((g) => ({ key: g.key, name: g.name, figures: g.figures })), ...(stats ? [{ key: 'total', name: '合计', figures: stats.total }] : [])];
  return (
    <>
      <Typography.Title level={4}>考核看板 {stats?.period.label}</Typography.Title>
      {error && <Alert type="error" showIcon message={error} />}
      <Button onClick={() => report().catch((e: Error) => setError(e.message))} style={{ marginBottom: 12 }}>
        下载月报
      </Button>
      <Table
        size="small"
        pagination={false}
        scroll={{ x: 640 }}
        dataSource={rows}
        columns={[{ title: '片区', dataIndex: 'name' }, ...RATES.map(([k, label]) => ({ title: label, key: k, render: (_: unknown, r: (typeof rows)[number]) => cell(r.figures[k]) }))]}
      />
      {trend && (
        <>
          <Typography.Title level={5} style={{ marginTop: 16 }}>
            本年趋势
          </Typography.Title>
          <TrendChart points={trend} rates={RATES} />
        </>
      )}
      <Modal open={!!drill} title="统计口径内的案件" footer={null} onCancel={() => setDrill(undefined)}>
        {(drill ?? []).map((c) => (
          <div key={c.id}>
            <a onClick={() => navigate(`/cases/${c.id}`)}>{c.title ?? c.id}</a>
          </div>
        ))}
        {drill?.length === 0 && '无'}
      </Modal>
    </>
  );
}
