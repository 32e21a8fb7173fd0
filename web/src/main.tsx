import { StrictMode, Suspense, lazy, useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { App as AntApp, Button, ConfigProvider, Layout, Menu, Result, Space, Spin, Tag, Typography } from 'antd';
import zhCN from 'antd/locale/zh_CN';
import { api } from './api';
import { completeSignIn, currentUser, signIn, signOut } from './auth';
import { navigate, usePath } from './router';
import type { Me } from './types';
import { Inbox } from './pages/inbox';

// the inbox (a steward's and an enterprise's first page) comes with the shell; every other page is its own chunk
const CasePage = lazy(() => import('./pages/case-page').then((m) => ({ default: m.CasePage })));
const FileCase = lazy(() => import('./pages/file-case').then((m) => ({ default: m.FileCase })));
const DepartmentTasks = lazy(() => import('./pages/department-tasks').then((m) => ({ default: m.DepartmentTasks })));

const Dashboard = lazy(() => import('./pages/dashboard'));
const Supervision = lazy(() => import('./pages/supervision'));
const AdminDirectory = lazy(() => import('./pages/admin/directory'));
const AdminCatalogue = lazy(() => import('./pages/admin/catalogue'));
const AdminImport = lazy(() => import('./pages/admin/import'));
const AdminAudit = lazy(() => import('./pages/admin/audit'));
const AdminIncidents = lazy(() => import('./pages/admin/incidents'));

function Shell() {
  const path = usePath();
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  const [problem, setProblem] = useState<string>();

  useEffect(() => {
    (async () => {
      if (location.pathname === '/callback') {
        try {
          navigate(await completeSignIn());
        } catch (err) {
          setProblem(`登录未完成：${(err as Error).message}`);
          return;
        }
      }
      if (!(await currentUser())) return setMe(null);
      setMe(await api.get<Me>('/api/me'));
    })().catch((err: Error) => setProblem(err.message));
  }, []);

  if (problem) return <Result status="warning" title={problem} extra={<Button onClick={() => signIn('/')}>重新登录</Button>} />;
  if (me === undefined) return <Spin fullscreen tip="加载中…" />;
  if (me === null)
    return (
      <Result
        status="info"
        title="楼长制企业诉求平台"
        subTitle="请先登录（统一身份认证）"
        extra={
          <Button type="primary" size="large" onClick={() => signIn()}>
            登录
          </Button>
        }
      />
    );

  const isSteward = me.scope.stewardPosts.length > 0;
  const isEnterprise = me.scope.enterprises.length > 0;
  const isDepartment = me.scope.departments.length > 0;
  const isManager = me.scope.managerOf.length > 0 || isSteward;
  const isAdmin = me.scope.admin;
  const items = [
    ...(isSteward ? [{ key: '/', label: '我的待办' }] : []),
    ...(isEnterprise ? [{ key: '/my-cases', label: '我的诉求' }, { key: '/file', label: '提交诉求' }] : []),
    ...(isDepartment ? [{ key: '/tasks', label: '部门任务' }] : []),
    ...(isManager ? [{ key: '/dashboard', label: '考核看板' }, { key: '/supervision', label: '亮灯督办' }] : []),
    ...(isAdmin
      ? [
          { key: '/admin/directory', label: '组织目录' },
          { key: '/admin/catalogue', label: '服务目录' },
          { key: '/admin/import', label: '批量导入' },
          { key: '/admin/incidents', label: '异常处理' },
          { key: '/admin/audit', label: '审计日志' },
        ]
      : []),
  ];
  const home = items[0]?.key ?? '/me';
  const route = path.split('?')[0]!;
  const caseMatch = /^\/cases\/([^/]+)$/.exec(route);

  // `/` is each person's first page: 我的待办, 我的诉求, 部门任务 or the dashboard
  const at = route === '/' ? home : route;
  let page;
  if (caseMatch) page = <CasePage id={decodeURIComponent(caseMatch[1]!)} />;
  else if (at === '/' && isSteward) page = <Inbox me={me} mode="steward" />;
  else if (at === '/my-cases' && isEnterprise) page = <Inbox me={me} mode="enterprise" />;
  else if (at === '/file' && isEnterprise) page = <FileCase me={me} />;
  else if (at === '/tasks' && isDepartment) page = <DepartmentTasks me={me} />;
  else if (at === '/dashboard' && isManager) page = <Dashboard />;
  else if (at === '/supervision' && isManager) page = <Supervision me={me} />;
  else if (at === '/admin/directory' && isAdmin) page = <AdminDirectory />;
  else if (at === '/admin/catalogue' && isAdmin) page = <AdminCatalogue />;
  else if (at === '/admin/import' && isAdmin) page = <AdminImport />;
  else if (at === '/admin/incidents' && isAdmin) page = <AdminIncidents readsCases={isManager} />;
  else if (at === '/admin/audit' && isAdmin) page = <AdminAudit readsCases={isManager} />;
  else page = <MePage me={me} />;

  return (
    <Layout style={{ minHeight: '100vh' }}>
      <Layout.Header style={{ display: 'flex', alignItems: 'center', gap: 12, paddingInline: 12 }}>
        <Typography.Text strong style={{ color: '#fff', whiteSpace: 'nowrap' }}>
          楼长制诉求
        </Typography.Text>
        <Menu
          theme="dark"
          mode="horizontal"
          selectedKeys={[at]}
          items={items}
          onClick={(e) => navigate(e.key)}
          style={{ flex: 1, minWidth: 0 }}
        />
        <Space>
          <a href="/me" onClick={(e) => (e.preventDefault(), navigate('/me'))} style={{ color: '#fff' }} aria-label="我的账号">
            {me.name}
          </a>
          <Button size="small" onClick={() => signOut()}>
            退出
          </Button>
        </Space>
      </Layout.Header>
      <Layout.Content style={{ padding: 12, maxWidth: 1200, width: '100%', margin: '0 auto' }}>
        <Suspense fallback={<Spin />}>{page}</Suspense>
      </Layout.Content>
    </Layout>
  );
}

function MePage({ me }: { me: Me }) {
  return (
    <Space direction="vertical">
      <Typography.Title level={4}>我的账号</Typography.Title>
      <div>
        姓名：{me.name}（{me.subject}）
      </div>
      <div>
        角色：
        {me.roles.map((r) => (
          <Tag key={r.role}>{r.name}</Tag>
        ))}
      </div>
      {me.scope.stewardPosts.map((p) => (
        <div key={p.stewardId}>
          楼长岗位：{p.stewardId}（第 {p.level} 级{p.buildingIds.length ? `，楼宇 ${p.buildingIds.join('、')}` : ''}）
        </div>
      ))}
      {me.scope.enterprises.length > 0 && <div>企业：{me.scope.enterprises.join('、')}</div>}
      {me.scope.departments.length > 0 && <div>部门：{me.scope.departments.join('、')}</div>}
      {me.scope.managerOf.length > 0 && <div>督查范围：{me.scope.managerOf.join('、')}</div>}
    </Space>
  );
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <ConfigProvider locale={zhCN} button={{ autoInsertSpace: false }}>
      <AntApp>
        <Shell />
      </AntApp>
    </ConfigProvider>
  </StrictMode>,
);
