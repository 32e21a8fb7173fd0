/** 部门任务: a department's tasks, nearest deadline first, paged; accept / reply / return on the case page. */
import { useState } from 'react';
import { Alert, Button, Checkbox, Radio, Select, Space, Table, Tag, Typography } from 'antd';
import { api, query, usePagedList } from '../api';
import { navigate } from '../router';
import { bj, useWhileVisible, type Me } from '../types';

interface Task {
  caseId: string;
  no: number;
  role?: string;
  status: string;
  dueAt: string;
  overdue?: boolean;
  case?: { title?: string };
}
interface TaskPage {
  items: Task[];
  nextCursor: string | null;
  total?: number;
}

const TASK_STATUS: Record<string, string> = { pending: '待派发', dispatched: '待接单', accepted: '办理中', replied: '已答复', returned: '已退单', delivery_failed: '派发失败', closed: '已关闭' };
const PAGE = 50;

export function DepartmentTasks({ me }: { me: Me }) {
  const [dept, setDept] = useState(me.scope.departments[0]!);
  const [status, setStatus] = useState<'open' | 'all'>('open');
  const [overdue, setOverdue] = useState(false);
  /** The first page again comes with the count; a quiet refresh leaves the pages walked beyond it alone. */
  const { items, total, loading, error, hasMore, reload, more } = usePagedList<Task, string>(async (after) => {
    const page = await api.get<TaskPage>(
      `/api/departments/${encodeURIComponent(dept)}/tasks${query({ status, overdue: overdue || undefined, pageSize: PAGE, cursor: after, count: after === undefined || undefined })}`,
    );
    return { items: page.items, next: page.nextCursor, total: page.total };
  }, [dept, status, overdue]);
  const tasks = items ?? [];
  // a new task or a breach shows without a reload, unless the clerk has walked past the first page
  useWhileVisible(() => (tasks.length <= PAGE ? reload() : undefined), 20_000);

  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <Typography.Title level={4} style={{ margin: 0 }}>
        部门任务{total !== undefined && <Typography.Text type="secondary">（共 {total} 件）</Typography.Text>}
      </Typography.Title>
      <Space wrap>
        {me.scope.departments.length > 1 && (
          <Select aria-label="部门" value={dept} onChange={setDept} options={me.scope.departments.map((d) => ({ value: d, label: d }))} style={{ minWidth: 160 }} />
        )}
        <Radio.Group
          aria-label="任务范围"
          value={status}
          onChange={(e) => setStatus(e.target.value as 'open' | 'all')}
          options={[
            { value: 'open', label: '待办' },
            { value: 'all', label: '全部' },
          ]}
          optionType="button"
        />
        <Checkbox checked={overdue} onChange={(e) => setOverdue(e.target.checked)}>
          只看超期
        </Checkbox>
        <Button onClick={() => reload()}>刷新</Button>
      </Space>
      {error && <Alert type="error" showIcon message={error} role="alert" />}
      <Table<Task>
        rowKey={(t) => `${t.caseId}-${t.no}`}
        size="small"
        loading={loading}
        dataSource={tasks}
        pagination={false}
        scroll={{ x: 560 }}
        onRow={(t) => ({ onClick: () => navigate(`/cases/${t.caseId}`), style: { cursor: 'pointer' } })}
        columns={[
          { title: '灯', key: 'l', width: 70, render: (_, t) => (t.overdue ? <Tag color="red">超期</Tag> : <Tag color="green">正常</Tag>) },
          {
            title: '案件',
            key: 'c',
            render: (_, t) => (
              <a href={`/cases/${t.caseId}`} onClick={(e) => e.preventDefault()}>
                {t.case?.title ?? t.caseId}
                <div style={{ fontSize: 12, color: '#888' }}>
                  {t.caseId}
                  {t.role ? ` · ${t.role === 'lead' ? '主办' : '协办'}` : ''}
                </div>
              </a>
            ),
          },
          { title: '状态', dataIndex: 'status', width: 90, render: (s: string) => TASK_STATUS[s] ?? s },
          { title: '期限（北京时间）', dataIndex: 'dueAt', width: 150, render: bj },
        ]}
      />
      {hasMore && (
        <Button block onClick={() => more()} loading={loading}>
          加载更多
        </Button>
      )}
    </Space>
  );
}
