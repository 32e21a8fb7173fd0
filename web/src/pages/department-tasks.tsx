/** 部门任务: a department's tasks, nearest deadline first; accept / reply / return on the case page. */
import { useEffect, useState } from 'react';
import { Alert, Table, Tag, Typography } from 'antd';
import { api } from '../api';
import { navigate } from '../router';
import { bj, type Me } from '../types';

interface Task {
  caseId: string;
  no: number;
  status: string;
  dueAt: string;
  overdue?: boolean;
  case?: { title?: string };
}

const TASK_STATUS: Record<string, string> = { pending: '待派发', dispatched: '待接单', accepted: '办理中', replied: '已答复', returned: '已退单', delivery_failed: '派发失败', closed: '已关闭' };

export function DepartmentTasks({ me }: { me: Me }) {
  const dept = me.scope.departments[0]!;
  const [tasks, setTasks] = useState<Task[]>([]);
  const [error, setError] = useState<string>();
  useEffect(() => {
    api.get<{ items: Task[] }>(`/api/departments/${dept}/tasks?status=open&pageSize=100`).then((r) => setTasks(r.items), (e: Error) => setError(e.message));
  }, [dept]);
  return (
    <>
      <Typography.Title level={4}>部门任务</Typography.Title>
      {error && <Alert type="error" showIcon message={error} />}
      <Table<Task>
        rowKey={(t) => `${t.caseId}-${t.no}`}
        size="small"
        dataSource={tasks}
        pagination={false}
        onRow={(t) => ({ onClick: () => navigate(`/cases/${t.caseId}`), style: { cursor: 'pointer' } })}
        columns={[
          { title: '灯', key: 'l', render: (_, t) => (t.overdue ? <Tag color="red">超期</Tag> : <Tag color="green">正常</Tag>) },
          { title: '案件', key: 'c', render: (_, t) => <a>{t.case?.title ?? t.caseId}</a> },
          { title: '状态', dataIndex: 'status', render: (s: string) => TASK_STATUS[s] ?? s },
          { title: '期限', dataIndex: 'dueAt', render: bj },
        ]}
      />
    </>
  );
}
