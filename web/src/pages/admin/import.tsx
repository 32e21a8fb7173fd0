/**
 * 批量导入: a district's lists, one kind per file (CSV in UTF-8 or .xlsx). 预检 reports every
 * rejected row and writes nothing; 导入 is offered once the same file has passed, and the server
 * still refuses the whole file if any row fails by then.
 */
import { useState } from 'react';
import { Alert, App, Button, Descriptions, Select, Space, Table, Typography, Upload } from 'antd';
import { navigate } from '../../router';
import { api } from '../../api';
import { dataOf } from './http';

type Kind = 'towns' | 'areas' | 'buildings' | 'stewards' | 'departments' | 'enterprises' | 'people';

interface Rejection {
  row: number;
  field: string;
  column?: string;
  message: string;
}
interface Report {
  kind: Kind;
  dryRun: boolean;
  rows: number;
  accepted: number;
  rejected: Rejection[];
  created: number;
  updated: number;
  written: boolean;
}

const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** The template's columns per kind, in the Chinese headers the server understands; * marks the required ones. */
const KINDS: { kind: Kind; name: string; columns: string[]; notes?: string }[] = [
  { kind: 'towns', name: '街道', columns: ['编号*', '名称*', '总楼长'], notes: '总楼长填楼长岗位编号，可先留空，导入楼长岗位后再补' },
  { kind: 'areas', name: '园区', columns: ['编号*', '名称*', '街道*', '分楼长'], notes: '街道、分楼长填编号' },
  { kind: 'buildings', name: '楼宇', columns: ['编号*', '名称*', '地址*', '园区*', '点楼长*'], notes: '园区、点楼长填编号；点楼长须为同一街道在岗的点楼长岗位' },
  {
    kind: 'stewards',
    name: '楼长岗位',
    columns: ['编号*', '姓名*', '级别*', '街道*', '园区', '电话', '邮箱', '在岗'],
    notes: '级别填 点楼长/分楼长/总楼长（或 1/2/3）；点楼长、分楼长须填园区，总楼长留空；在岗填 是/否',
  },
  {
    kind: 'departments',
    name: '部门',
    columns: ['编号*', '名称*', '街道*', '对接方式', '联系人', '接口地址', '签名密钥'],
    notes: '对接方式填 门户/接口；接口对接须填接口地址和签名密钥（导入后只显示“已设置”）',
  },
  { kind: 'enterprises', name: '企业', columns: ['统一社会信用代码*', '名称*', '楼宇*', '联系人', '联系电话'], notes: '楼宇填楼宇编号' },
  { kind: 'people', name: '人员', columns: ['编号*', '账号*', '姓名*', '类型', '启用'], notes: '账号为统一身份认证的登录账号；类型填 人员/系统；启用填 是/否。角色在组织目录中授予' },
];

/** A CSV of the headers, with a BOM so that Excel opens it as UTF-8. */
function downloadTemplate(kind: (typeof KINDS)[number]) {
  const blob = new Blob([`\uFEFF${kind.columns.join(',')}\r\n`], { type: 'text/csv;charset=utf-8' });
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = `${kind.name}导入模板.csv`;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}

const typeOf = (file: File) => (/\.xlsx$/i.test(file.name) ? XLSX_TYPE : /\.csv$/i.test(file.name) ? 'text/csv; charset=utf-8' : null);

export default function AdminImport() {
  const { message } = App.useApp();
  const [kind, setKind] = useState<Kind>('towns');
  const [file, setFile] = useState<File>();
  const [report, setReport] = useState<Report>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState<'check' | 'import'>();
  // 导入 is for the file and kind that passed 预检, nothing else
  const [passed, setPassed] = useState<{ file: File; kind: Kind }>();
  const spec = KINDS.find((k) => k.kind === kind)!;
  const ready = !!file && passed?.file === file && passed.kind === kind;

  function reset() {
    setReport(undefined);
    setError(undefined);
    setPassed(undefined);
  }

  async function run(dryRun: boolean) {
    if (!file) return;
    const type = typeOf(file);
    if (!type) return setError('仅支持 CSV（UTF-8）或 Excel .xlsx 文件');
    setBusy(dryRun ? 'check' : 'import');
    setError(undefined);
    try {
      const r = await api.upload<Report>(`/api/admin/import/${kind}?dryRun=${dryRun}`, file, type);
      setReport(r);
      if (dryRun) setPassed(r.rejected.length ? undefined : { file, kind });
      else {
        setPassed(undefined);
        message.success(`已导入${spec.name}：新增 ${r.created}，更新 ${r.updated}`);
      }
    } catch (err) {
      // a refused import answers its report beside the error
      const refused = (dataOf(err) as { report?: Report } | null)?.report;
      setReport(refused);
      setPassed(undefined);
      setError((err as Error).message);
    } finally {
      setBusy(undefined);
    }
  }

  return (
    <Space direction="vertical" style={{ width: '100%', maxWidth: 960 }}>
      <Typography.Title level={4} style={{ margin: 0 }}>
        批量导入
      </Typography.Title>
      <Typography.Paragraph type="secondary" style={{ margin: 0 }}>
        每个文件导入一类名单；第一行为表头，可用中文表头或英文字段名。先预检，全部行通过后才能导入；导入时任何一行有误，整个文件都不会写入。按编号匹配：已有的更新，没有的新增。
      </Typography.Paragraph>
      <Space wrap align="end">
        <div>
          <label htmlFor="import-kind" style={{ display: 'block', marginBottom: 4 }}>
            名单类型
          </label>
          <Select
            id="import-kind"
            aria-label="名单类型"
            value={kind}
            onChange={(k) => {
              setKind(k);
              reset();
            }}
            options={KINDS.map((k) => ({ value: k.kind, label: k.name }))}
            style={{ width: 160 }}
          />
        </div>
        <Button onClick={() => downloadTemplate(spec)}>下载{spec.name}模板（CSV）</Button>
      </Space>
      <Typography.Text type="secondary">
        列：{spec.columns.join('、')}（* 为必填）。{spec.notes}
      </Typography.Text>
      <Upload
        accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        maxCount={1}
        beforeUpload={(f) => {
          setFile(f);
          reset();
          return false;
        }}
        onRemove={() => {
          setFile(undefined);
          reset();
        }}
        fileList={file ? [{ uid: 'chosen', name: file.name, status: 'done', size: file.size }] : []}
      >
        <Button aria-label="选择文件（CSV 或 .xlsx）">选择文件（CSV 或 .xlsx）</Button>
      </Upload>
      <Space wrap>
        <Button onClick={() => run(true)} disabled={!file} loading={busy === 'check'}>
          预检
        </Button>
        <Button type="primary" onClick={() => run(false)} disabled={!ready} loading={busy === 'import'}>
          导入
        </Button>
        {!ready && file && !report && <Typography.Text type="secondary">先预检，全部通过后才能导入</Typography.Text>}
      </Space>
      {error && <Alert type="error" showIcon role="alert" message={error} />}
      {report && <ReportView report={report} name={KINDS.find((k) => k.kind === report.kind)?.name ?? report.kind} />}
    </Space>
  );
}

function ReportView({ report, name }: { report: Report; name: string }) {
  const clean = report.rejected.length === 0;
  const title = report.written
    ? `导入完成：新增 ${report.created}，更新 ${report.updated}`
    : report.dryRun
      ? clean
        ? `预检通过：${report.rows} 行均可导入（将新增 ${report.created}，更新 ${report.updated}），可以导入`
        : `预检发现 ${report.rejected.length} 处问题，请修改文件后重新预检`
      : `未导入：${report.rejected.length} 处问题`;
  return (
    <Space direction="vertical" style={{ width: '100%' }} data-testid="import-report">
      <Alert
        type={report.written || (report.dryRun && clean) ? 'success' : 'warning'}
        showIcon
        role="status"
        message={title}
        action={
          report.written ? (
            <Button size="small" onClick={() => navigate(`/admin/directory?tab=${report.kind}`)}>
              在组织目录中查看{name}
            </Button>
          ) : undefined
        }
      />
      <Descriptions size="small" column={{ xs: 2, sm: 4 }} bordered>
        <Descriptions.Item label="数据行">{report.rows}</Descriptions.Item>
        <Descriptions.Item label="通过">{report.accepted}</Descriptions.Item>
        <Descriptions.Item label="问题">{report.rejected.length}</Descriptions.Item>
        <Descriptions.Item label={report.written ? '已写入' : '写入'}>{report.written ? '是' : '否（未写入任何数据）'}</Descriptions.Item>
      </Descriptions>
      {!clean && (
        <Table<Rejection>
          rowKey={(r, i) => `${r.row}-${r.field}-${i}`}
          size="small"
          dataSource={report.rejected}
          pagination={report.rejected.length > 100 ? { pageSize: 100, showSizeChanger: false } : false}
          scroll={{ x: 560 }}
          caption={<span style={{ position: 'absolute', left: -10000 }}>被拒绝的行</span>}
          columns={[
            { title: '行号', dataIndex: 'row', width: 70, render: (r: number) => `第 ${r} 行` },
            { title: '列', key: 'column', width: 160, render: (_, r) => (r.column && r.column !== r.field ? `${r.column}（${r.field}）` : r.field) },
            { title: '问题', dataIndex: 'message' },
          ]}
        />
      )}
    </Space>
  );
}
