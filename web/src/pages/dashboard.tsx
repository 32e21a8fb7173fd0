/**
 * 考核看板: the four rates and 回访未反馈 for a month, week, quarter or year, by area, building,
 * steward, department (or town, category, urgency, level), with 合计; each numerator and
 * denominator opens the whole list of the cases it counts; the trend; the departments; 月报.
 */
import { useEffect, useState } from 'react';
import { Alert, Button, Card, Collapse, Select, Space, Statistic, Table, Tag, Typography } from 'antd';
import { api, query } from '../api';
import { bj } from '../types';
import { CasesDialog } from './manager/case-table';
import { currentPeriod, kindOf, KINDS, periodFromUrl, periodName, recentPeriods, rememberInUrl, trendOf, type Kind } from './manager/periods';
import { TrendChart, type SeriesPoint } from './trend-chart';

interface Figure {
  numerator?: number;
  denominator?: number;
  rate?: number | null;
  count?: number;
  cases?: Partial<Record<'numerator' | 'denominator' | 'count', string>>;
}
interface Stats {
  period: { label: string; from: string; to: string; countedUpTo: string };
  asOf: string;
  definitions?: Record<string, { name: string; definition: string }>;
  total: Record<string, Figure>;
  groups?: { key: string | null; name: string; figures: Record<string, Figure> }[];
}
interface DepartmentRow {
  departmentId: string;
  name: string;
  dispatched: number;
  replied: number;
  repliedOnTime: number;
  onTimeRate: number | null;
  returned: number;
  returnReasons: { reason: string; count: number }[];
  overdueNow: number;
  cases: string;
}

const RATES: [string, string][] = [
  ['response_rate', '响应率'],
  ['on_time_rate', '按时办结率'],
  ['resolution_rate', '解决率'],
  ['satisfaction_rate', '满意率'],
];
/** What each part of a rate counts, in the words of docs/measures.md. */
const PARTS: Record<string, { numerator: string; denominator: string }> = {
  response_rate: { numerator: '按时响应', denominator: '应响应' },
  on_time_rate: { numerator: '按时办结', denominator: '已办结' },
  resolution_rate: { numerator: '期末前已解决', denominator: '应办结' },
  satisfaction_rate: { numerator: '满意或基本满意', denominator: '已回访' },
};

const GROUPS = [
  { value: 'area', label: '片区' },
  { value: 'building', label: '楼宇' },
  { value: 'steward', label: '楼长' },
  { value: 'department', label: '主办部门' },
  { value: 'town', label: '街道' },
  { value: 'category', label: '事项类别' },
  { value: 'urgency', label: '紧急程度' },
  { value: 'level', label: '承办层级' },
];
const groupName = (g: string) => GROUPS.find((x) => x.value === g)?.label ?? g;

const pct = (rate?: number | null) => (rate == null ? '—' : `${(rate * 100).toFixed(1)}%`);

interface Row {
  key: string;
  name: string;
  figures: Record<string, Figure>;
  total?: boolean;
}

export default function Dashboard() {
  const initialPeriod = periodFromUrl() ?? currentPeriod('month');
  const [kind, setKind] = useState<Kind>(kindOf(initialPeriod) ?? 'month');
  const [period, setPeriod] = useState(initialPeriod);
  const [groupBy, setGroupBy] = useState(() => {
    const g = new URLSearchParams(location.search).get('groupBy');
    return g && GROUPS.some((x) => x.value === g) ? g : 'area';
  });
  const [stats, setStats] = useState<Stats>();
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string>();
  const [drill, setDrill] = useState<{ title: string; link: string }>();
  const [trend, setTrend] = useState<{ title: string; points: SeriesPoint[] }>();
  const [departments, setDepartments] = useState<DepartmentRow[]>();
  const [downloading, setDownloading] = useState(false);

  useEffect(() => rememberInUrl({ period, groupBy }), [period, groupBy]);

  useEffect(() => {
    let live = true;
    setLoading(true);
    setError(undefined);
    api.get<Stats>(`/api/stats${query({ period, groupBy })}`).then(
      (s) => live && (setStats(s), setLoading(false)),
      (e: Error) => live && (setError(e.message), setLoading(false)),
    );
    return () => {
      live = false;
    };
  }, [period, groupBy]);

  useEffect(() => {
    let live = true;
    const t = trendOf(period);
    setTrend(undefined);
    api.get<{ points: SeriesPoint[] }>(`/api/stats/series${query(t.query)}`).then(
      (r) => live && setTrend({ title: t.title, points: r.points }),
      () => undefined,
    );
    setDepartments(undefined);
    api.get<{ departments: DepartmentRow[] }>(`/api/stats/departments${query({ period })}`).then(
      (r) => live && setDepartments(r.departments),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [period]);

  const label = periodName(period);
  const open = (title: string, link?: string) => link && setDrill({ title: `${title}（${label}）`, link });

  /** One part of a figure as a button: its count, opening its cases. */
  const part = (row: Row, measure: string, which: 'numerator' | 'denominator' | 'count', n: number | undefined, words: string) => {
    const link = row.figures[measure]?.cases?.[which];
    const measureName = measure === 'no_feedback' ? '回访未反馈' : RATES.find(([k]) => k === measure)![1];
    const title = `${row.name} ${measureName}${which === 'count' ? '' : ` ${which === 'numerator' ? '分子' : '分母'}（${words}）`}`;
    // nothing to list: a number, not one more stop for the keyboard
    if (!n) return <span aria-label={`${title} 0 件`}>0</span>;
    return (
      <Button
        type="link"
        size="small"
        style={{ padding: '0 2px', height: 'auto' }}
        disabled={!link}
        aria-label={`${title}${which === 'count' ? ' ' : ''}${n ?? 0} 件，查看案件`}
        onClick={() => open(title, link)}
      >
        {n ?? 0}
      </Button>
    );
  };
  const rateCell = (row: Row, measure: string) => {
    const f = row.figures[measure];
    if (!f) return '—';
    return (
      <span style={{ whiteSpace: 'nowrap' }}>
        <strong>{pct(f.rate)}</strong>
        <span style={{ color: '#666' }}>
          （{part(row, measure, 'numerator', f.numerator, PARTS[measure]!.numerator)}/{part(row, measure, 'denominator', f.denominator, PARTS[measure]!.denominator)}）
        </span>
      </span>
    );
  };

  async function report() {
    setDownloading(true);
    try {
      const blob = await api.blob(`/api/stats/report${query({ period })}`);
      const a = document.createElement('a');
      a.href = URL.createObjectURL(blob);
      a.download = `月报-${period}.xlsx`;
      a.click();
      setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setDownloading(false);
    }
  }

  const rows: Row[] = stats
    ? [
        ...(stats.groups ?? []).map((g) => ({ key: g.key ?? '', name: g.name || '（未指定）', figures: g.figures })),
        { key: '\u0000total', name: '合计', figures: stats.total, total: true },
      ]
    : [];
  const definitions = stats?.definitions ?? {};

  return (
    <Space direction="vertical" style={{ width: '100%' }} size="middle">
      <Typography.Title level={4} style={{ margin: 0 }}>
        考核看板 {label}
      </Typography.Title>
      <Space wrap>
        <Select
          aria-label="统计周期类型"
          style={{ width: 110 }}
          value={kind}
          options={KINDS}
          onChange={(k: Kind) => {
            setKind(k);
            setPeriod(currentPeriod(k));
          }}
        />
        <Select
          aria-label="统计周期"
          style={{ width: 250 }}
          value={period}
          onChange={setPeriod}
          options={recentPeriods(kind).map((p, i) => ({ value: p, label: `${periodName(p)}${i === 0 ? '（至今）' : ''}` }))}
        />
        <Select aria-label="分组方式" style={{ width: 130 }} value={groupBy} onChange={setGroupBy} options={GROUPS.map((g) => ({ value: g.value, label: `按${g.label}` }))} />
        <Button onClick={() => report()} loading={downloading}>
          下载月报（{period}）
        </Button>
      </Space>
      {error && <Alert type="error" showIcon message={error} closable onClose={() => setError(undefined)} />}
      {stats && (
        <Typography.Text type="secondary">
          统计至 {bj(stats.period.countedUpTo)}（北京时间）。点击括号中的件数（分子/分母）查看对应案件。
        </Typography.Text>
      )}

      <Space wrap>
        {RATES.map(([k, name]) => (
          <Card size="small" key={k} style={{ minWidth: 150 }}>
            <Statistic title={name} value={pct(stats?.total[k]?.rate)} />
            <Typography.Text type="secondary">
              {stats ? `${stats.total[k]?.numerator ?? 0} / ${stats.total[k]?.denominator ?? 0} 件` : '—'}
            </Typography.Text>
          </Card>
        ))}
        <Card size="small" style={{ minWidth: 150 }}>
          <Statistic title="回访未反馈" value={stats?.total.no_feedback?.count ?? '—'} suffix={stats ? '件' : undefined} />
          <Typography.Text type="secondary">回访期内企业未答复</Typography.Text>
        </Card>
      </Space>

      <Typography.Title level={5} style={{ margin: 0 }}>
        按{groupName(groupBy)}
      </Typography.Title>
      <Table<Row>
        size="small"
        aria-label={`按${groupName(groupBy)}的考核指标`}
        loading={loading}
        pagination={false}
        scroll={{ x: 900 }}
        dataSource={rows}
        rowClassName={(r) => (r.total ? 'total-row' : '')}
        onRow={(r) => (r.total ? { style: { fontWeight: 600, background: '#fafafa' } } : {})}
        locale={{ emptyText: '本期没有可统计的案件' }}
        columns={[
          { title: groupName(groupBy), dataIndex: 'name', fixed: 'left', width: 140 },
          ...RATES.map(([k, name]) => ({ title: name, key: k, render: (_: unknown, r: Row) => rateCell(r, k) })),
          { title: '回访未反馈', key: 'no_feedback', width: 100, render: (_: unknown, r: Row) => part(r, 'no_feedback', 'count', r.figures.no_feedback?.count, '') },
        ]}
      />
      <Collapse
        size="small"
        items={[
          {
            key: 'definitions',
            label: '指标口径说明',
            children: (
              <dl style={{ margin: 0 }}>
                {[...RATES, ['no_feedback', '回访未反馈'] as [string, string]].map(([k, name]) => (
                  <div key={k} style={{ marginBottom: 6 }}>
                    <dt style={{ fontWeight: 600 }}>{definitions[k]?.name ?? name}</dt>
                    <dd style={{ margin: 0 }}>
                      {definitions[k]?.definition ?? ''}
                      {PARTS[k] ? `（分子：${PARTS[k].numerator}；分母：${PARTS[k].denominator}）` : ''}
                    </dd>
                  </div>
                ))}
              </dl>
            ),
          },
        ]}
      />

      <Typography.Title level={5} style={{ margin: 0 }}>
        {trend?.title ?? trendOf(period).title}
      </Typography.Title>
      {trend ? <TrendChart points={trend.points} rates={RATES} caption={`${trend.title}：各项考核指标的趋势图`} /> : <Typography.Text type="secondary">加载中…</Typography.Text>}

      <Typography.Title level={5} style={{ margin: 0 }}>
        部门办理情况（{label}）
      </Typography.Title>
      <Table<DepartmentRow>
        size="small"
        rowKey="departmentId"
        aria-label="部门办理情况"
        loading={!departments}
        pagination={false}
        scroll={{ x: 760 }}
        dataSource={departments ?? []}
        locale={{ emptyText: '本期没有派单' }}
        columns={[
          {
            title: '部门',
            key: 'name',
            render: (_, d) => (
              <Button type="link" size="small" style={{ padding: 0 }} aria-label={`${d.name} 主办的案件`} onClick={() => setDrill({ title: `${d.name} 主办的全部案件`, link: d.cases })}>
                {d.name}
              </Button>
            ),
          },
          { title: '派单', dataIndex: 'dispatched', width: 70 },
          { title: '答复', dataIndex: 'replied', width: 70 },
          { title: '按时答复率', key: 'onTime', width: 120, render: (_, d) => `${pct(d.onTimeRate)}（${d.repliedOnTime}/${d.replied}）` },
          {
            title: '退单',
            key: 'returned',
            render: (_, d) => (
              <>
                {d.returned}
                {d.returnReasons.length > 0 && <div style={{ fontSize: 12, color: '#666' }}>{d.returnReasons.map((r) => `${r.reason || '未填原因'}×${r.count}`).join('；')}</div>}
              </>
            ),
          },
          {
            title: '当前超期任务',
            dataIndex: 'overdueNow',
            width: 110,
            render: (n: number) => (n ? <Tag color="red">超期 {n}</Tag> : <Tag color="green">无超期</Tag>),
          },
        ]}
      />
      <CasesDialog drill={drill} onClose={() => setDrill(undefined)} />
    </Space>
  );
}
