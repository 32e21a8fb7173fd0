/**
 * 亮灯督办: what is 超期 (红灯) and 临期 (黄灯) now in the person's scope, every page of both lists;
 * the overdue picture (by level, by how long, departments' overdue tasks, escalations and 督办 of the
 * period); and each steward's workload. Every count opens the cases behind it.
 */
import { useEffect, useState } from 'react';
import { Alert, Button, Card, Col, Descriptions, Row, Select, Space, Statistic, Table, Tag, Typography } from 'antd';
import { api, query } from '../api';
import { useWhileVisible, type Me } from '../types';
import { CaseTable, CasesDialog } from './manager/case-table';
import { useNames } from './manager/names';
import { currentPeriod, KINDS, periodName, recentPeriods, type Kind } from './manager/periods';

interface Bucket {
  label: string;
  count: number;
}
interface OverdueStats {
  asOf: string;
  cases: { total: number; cases: string; byLevel: { level: number; name: string; count: number; cases: string }[]; byAge: Bucket[] };
  departmentTasks: { total: number; byDepartment: { departmentId: string; name: string; count: number }[]; byAge: Bucket[] };
  openedInPeriod: { period: { label: string }; cases: number; escalatedToArea: number; escalatedToChief: number; reminders: number };
}
interface WorkloadRow {
  stewardId: string;
  name: string;
  level: number | null;
  open: number;
  atRisk: number;
  overdue: number;
  acknowledgedLate: number;
  medianAckText: string | null;
  medianResolveText: string | null;
  cases: string;
  /** the cases counted as 在办 */
  openCases: string;
}

const OVERDUE = '/api/cases?overdue=true';
const AT_RISK = '/api/cases?atRisk=true';

export default function Supervision({ me }: { me: Me }) {
  const names = useNames();
  const [round, setRound] = useState(0);
  const [counts, setCounts] = useState<{ overdue?: number; atRisk?: number }>({});
  const [summary, setSummary] = useState<OverdueStats>();
  const [kind, setKind] = useState<Kind>('month');
  const [period, setPeriod] = useState(() => currentPeriod('month'));
  const [workload, setWorkload] = useState<WorkloadRow[]>();
  const [error, setError] = useState<string>();
  const [drill, setDrill] = useState<{ title: string; link: string }>();
  // a new breach shows within a minute while the page is in view
  useWhileVisible(() => setRound((r) => r + 1), 60_000);

  useEffect(() => {
    let live = true;
    setSummary(undefined);
    api.get<OverdueStats>(`/api/stats/overdue${query({ period })}`).then(
      (s) => live && setSummary(s),
      (e: Error) => live && setError(e.message),
    );
    setWorkload(undefined);
    api.get<{ stewards: WorkloadRow[] }>(`/api/stats/workload${query({ period })}`).then(
      (w) => live && setWorkload(w.stewards),
      (e: Error) => live && setError(e.message),
    );
    return () => {
      live = false;
    };
  }, [period, round]);

  const scope = [
    ...me.scope.managerOf.map((t) => (t === 'district' ? '全区' : names.town(t))),
    ...me.scope.stewardPosts.map((p) => `${names.level(p.level)} ${names.steward(p.stewardId)}${p.areaId && p.level === 2 ? `（${names.area(p.areaId)}）` : ''}${p.buildingIds.length ? `（${p.buildingIds.map(names.building).join('、')}）` : ''}`),
  ];
  const count = (n: number, title: string, link: string, tag?: { color: string; text: string }) =>
    n ? (
      <Button type="link" size="small" style={{ padding: 0, height: 'auto' }} aria-label={`${title} ${n} 件，查看案件`} onClick={() => setDrill({ title, link })}>
        {tag ? <Tag color={tag.color}>{`${tag.text} ${n}`}</Tag> : n}
      </Button>
    ) : (
      <span aria-label={`${title} 0 件`}>0</span>
    );

  return (
    <Space direction="vertical" style={{ width: '100%' }} size="middle">
      <Typography.Title level={4} style={{ margin: 0 }}>
        亮灯督办
      </Typography.Title>
      <Space wrap>
        <Typography.Text type="secondary">督查范围：{scope.join('；') || '—'}</Typography.Text>
        <Button size="small" onClick={() => setRound((r) => r + 1)}>
          刷新
        </Button>
      </Space>
      {error && <Alert type="error" showIcon message={error} closable onClose={() => setError(undefined)} />}

      <Row gutter={[12, 12]}>
        <Col xs={12} sm={8}>
          <Card size="small">
            <Statistic title={<Tag color="red">红灯 超期</Tag>} value={counts.overdue ?? '—'} suffix="件" valueStyle={{ color: '#cf1322' }} />
          </Card>
        </Col>
        <Col xs={12} sm={8}>
          <Card size="small">
            <Statistic title={<Tag color="gold">黄灯 临期</Tag>} value={counts.atRisk ?? '—'} suffix="件" valueStyle={{ color: '#ad6800' }} />
          </Card>
        </Col>
        <Col xs={24} sm={8}>
          <Card size="small">
            <Statistic title="部门超期任务" value={summary?.departmentTasks.total ?? '—'} suffix="项" />
          </Card>
        </Col>
      </Row>

      <section aria-labelledby="overdue-list">
        <Typography.Title level={5} id="overdue-list">
          <Tag color="red">红灯</Tag>超期案件（超期最久的在前）
        </Typography.Title>
        <CaseTable key={`o${round}`} link={OVERDUE} all pageSize={100} label="超期案件" empty="当前没有超期案件" onTotal={(n) => setCounts((c) => ({ ...c, overdue: n }))} />
      </section>

      <section aria-labelledby="at-risk-list">
        <Typography.Title level={5} id="at-risk-list">
          <Tag color="gold">黄灯</Tag>临期案件（期限最近的在前）
        </Typography.Title>
        <CaseTable key={`a${round}`} link={AT_RISK} all pageSize={100} label="临期案件" empty="当前没有临期案件" onTotal={(n) => setCounts((c) => ({ ...c, atRisk: n }))} />
      </section>

      <section aria-labelledby="overdue-summary">
        <Typography.Title level={5} id="overdue-summary">
          超期分析
        </Typography.Title>
        {!summary ? (
          <Typography.Text type="secondary">加载中…</Typography.Text>
        ) : (
          <Row gutter={[12, 12]}>
            <Col xs={24} md={12}>
              <Card size="small" title="超期案件：按承办层级">
                <Descriptions size="small" column={1} bordered>
                  {summary.cases.byLevel.map((l) => (
                    <Descriptions.Item key={l.level} label={l.name}>
                      {count(l.count, `承办层级为${l.name}的超期案件`, l.cases)}
                    </Descriptions.Item>
                  ))}
                  <Descriptions.Item label="合计">{count(summary.cases.total, '全部超期案件', summary.cases.cases)}</Descriptions.Item>
                </Descriptions>
              </Card>
            </Col>
            <Col xs={24} md={12}>
              <Card size="small" title="超期案件：按超期时长">
                <Descriptions size="small" column={1} bordered>
                  {summary.cases.byAge.map((a) => (
                    <Descriptions.Item key={a.label} label={a.label}>
                      {a.count}
                    </Descriptions.Item>
                  ))}
                </Descriptions>
              </Card>
            </Col>
            <Col xs={24} md={12}>
              <Card size="small" title="部门超期任务：按部门">
                {summary.departmentTasks.byDepartment.length === 0 ? (
                  <Typography.Text type="secondary">没有超期的部门任务</Typography.Text>
                ) : (
                  <Descriptions size="small" column={1} bordered>
                    {summary.departmentTasks.byDepartment.map((d) => (
                      <Descriptions.Item key={d.departmentId} label={d.name}>
                        {d.count}
                      </Descriptions.Item>
                    ))}
                  </Descriptions>
                )}
                <div style={{ marginTop: 8, color: '#666' }}>按超期时长：{summary.departmentTasks.byAge.map((a) => `${a.label} ${a.count}`).join('，')}</div>
              </Card>
            </Col>
            <Col xs={24} md={12}>
              <Card size="small" title={`${periodName(summary.openedInPeriod.period.label)} 受理的案件`}>
                <Descriptions size="small" column={1} bordered>
                  <Descriptions.Item label="受理">{summary.openedInPeriod.cases}</Descriptions.Item>
                  <Descriptions.Item label="升级至分楼长">{summary.openedInPeriod.escalatedToArea}</Descriptions.Item>
                  <Descriptions.Item label="升级至总楼长">{summary.openedInPeriod.escalatedToChief}</Descriptions.Item>
                  <Descriptions.Item label="督办提醒">{summary.openedInPeriod.reminders} 次</Descriptions.Item>
                </Descriptions>
              </Card>
            </Col>
          </Row>
        )}
      </section>

      <section aria-labelledby="workload">
        <Typography.Title level={5} id="workload">
          楼长工作量
        </Typography.Title>
        <Space wrap style={{ marginBottom: 8 }}>
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
          <Select aria-label="统计周期" style={{ width: 250 }} value={period} onChange={setPeriod} options={recentPeriods(kind).map((p) => ({ value: p, label: periodName(p) }))} />
          <Typography.Text type="secondary">在办、临期、超期为当前数；签收超时与用时中位数为所选周期内（工作时间）。</Typography.Text>
        </Space>
        <Table<WorkloadRow>
          size="small"
          rowKey="stewardId"
          aria-label="楼长工作量"
          loading={!workload}
          pagination={false}
          scroll={{ x: 820 }}
          dataSource={workload ?? []}
          locale={{ emptyText: '范围内没有楼长承办的案件' }}
          columns={[
            {
              title: '楼长',
              key: 'name',
              fixed: 'left',
              width: 120,
              render: (_, w) => (
                <>
                  <Button type="link" size="small" style={{ padding: 0, height: 'auto' }} aria-label={`${w.name} 承办的全部案件`} onClick={() => setDrill({ title: `${w.name} 承办的全部案件`, link: w.cases })}>
                    {w.name}
                  </Button>
                  <div style={{ fontSize: 12, color: '#666' }}>{names.level(w.level)}</div>
                </>
              ),
            },
            { title: '在办', dataIndex: 'open', width: 70, render: (n: number, w) => count(n, `${w.name} 在办的案件`, w.openCases) },
            {
              title: '临期',
              dataIndex: 'atRisk',
              width: 90,
              render: (n: number, w) => count(n, `${w.name} 的临期案件`, `${AT_RISK}&ownerStewardId=${encodeURIComponent(w.stewardId)}`, { color: 'gold', text: '临期' }),
            },
            {
              title: '超期',
              dataIndex: 'overdue',
              width: 90,
              render: (n: number, w) => count(n, `${w.name} 的超期案件`, `${OVERDUE}&ownerStewardId=${encodeURIComponent(w.stewardId)}`, { color: 'red', text: '超期' }),
            },
            { title: '签收超时', dataIndex: 'acknowledgedLate', width: 90 },
            { title: '签收用时（中位数）', dataIndex: 'medianAckText', width: 150, render: (t: string | null) => t ?? '—' },
            { title: '办结用时（中位数）', dataIndex: 'medianResolveText', width: 150, render: (t: string | null) => t ?? '—' },
          ]}
        />
      </section>
      <CasesDialog drill={drill} onClose={() => setDrill(undefined)} />
    </Space>
  );
}
