import type { ConsoleSession } from '@jiangxin/shared/bridge';
import {
  homeWorkspace,
  WORKSPACE_GROUPS,
  type Workspace,
  workspacesFor,
} from '@jiangxin/shared/console/workspaces';
import { STAFF_ROLE_LABELS } from '@jiangxin/shared/permissions';
import { Button, Layout, Menu, Result } from 'antd';
import { useState } from 'react';
import { HashRouter, Navigate, Route, Routes, useLocation, useNavigate } from 'react-router-dom';
import { problemOf, useBridge } from '../../bridge';
import { type Locale, useT } from '../../i18n';
import { CaseList } from '../cases/CaseList';
import { OutboxPanel } from '../outbox/OutboxPanel';
import { type Outbox, useOutbox } from '../outbox/useOutbox';
import { SyncStatusBar } from '../status/SyncStatusBar';

/**
 * The signed-in console: the workspaces this member's role may use on the left (grouped as in
 * `shared/console/workspaces.ts`; the others are absent, not disabled), a top bar with who is signed in,
 * the sync state and sign-out, and the open workspace. Routes are hash routes, so a workspace (and later
 * an open case) can be linked and is restored on reload, from `app://` as from the web host.
 */
interface ConsolePageProps {
  session: ConsoleSession;
  onSignedOut: () => void;
  /** The language was switched (and saved in the console's settings by the engine). */
  onLocaleChange: (locale: Locale) => void;
}

export function ConsolePage(props: ConsolePageProps) {
  return (
    <HashRouter>
      <ConsoleLayout {...props} />
    </HashRouter>
  );
}

function ConsoleLayout({ session, onSignedOut, onLocaleChange }: ConsolePageProps) {
  const bridge = useBridge();
  const { t, pick, locale } = useT();
  const outbox = useOutbox();
  const navigate = useNavigate();
  const location = useLocation();
  const [error, setError] = useState<string | null>(null);
  const workspaces = workspacesFor(session.permissions);
  const home = homeWorkspace(workspaces, session.permissions);
  const current = workspaces.find(
    (w) => location.pathname === w.path || location.pathname.startsWith(`${w.path}/`),
  );

  const logout = () => {
    bridge
      .call('auth.logout', {})
      .then(onSignedOut, (err: unknown) => setError(pick(problemOf(err).message)));
  };

  const switchLocale = () => {
    const next: Locale = locale === 'en' ? 'zh-CN' : 'en';
    bridge.call('config.set', { locale: next }).then(
      (config) => onLocaleChange(config.locale),
      (err: unknown) => setError(pick(problemOf(err).message)),
    );
  };

  const groups = (Object.keys(WORKSPACE_GROUPS) as (keyof typeof WORKSPACE_GROUPS)[])
    .map((group) => ({
      type: 'group' as const,
      key: group,
      label: pick(WORKSPACE_GROUPS[group]),
      children: workspaces
        .filter((w) => w.group === group)
        .map((w) => ({ key: w.path, label: pick(w.label), 'data-testid': `nav-${w.id}` })),
    }))
    .filter((g) => g.children.length > 0);

  return (
    <Layout className="console">
      <header className="topbar">
        <strong className="brand">{t('appTitle')}</strong>
        <span className="who" data-testid="session-user">
          {session.nickname}
          <span className="muted"> · {session.roles.map((r) => pick(STAFF_ROLE_LABELS[r])).join('、')}</span>
        </span>
        <SyncStatusBar />
        {error && (
          <span className="problem small" role="alert">
            {error}
          </span>
        )}
        <Button onClick={switchLocale} data-testid="locale-toggle" lang={locale === 'en' ? 'zh-CN' : 'en'}>
          {t('switchLocale')}
        </Button>
        <Button onClick={logout} data-testid="logout">
          {t('logout')}
        </Button>
      </header>
      <Layout>
        <Layout.Sider width={200} theme="light" className="nav">
          <nav aria-label={t('navLabel')}>
            <Menu
              mode="inline"
              items={groups}
              selectedKeys={current ? [current.path] : []}
              onClick={({ key }) => navigate(key)}
            />
          </nav>
        </Layout.Sider>
        <Layout.Content>
          {home === null ? (
            <Result status="403" subTitle={t('noWorkspace')} />
          ) : (
            <Routes>
              {workspaces.map((w) => (
                <Route
                  key={w.id}
                  path={`${w.path}/*`}
                  element={<WorkspaceView workspace={w} outbox={outbox} />}
                />
              ))}
              <Route path="*" element={<Navigate to={home.path} replace />} />
            </Routes>
          )}
        </Layout.Content>
      </Layout>
    </Layout>
  );
}

/** A queue workspace lists its kinds of case beside the pending actions; the other screens come next. */
function WorkspaceView({ workspace, outbox }: { workspace: Workspace; outbox: Outbox }) {
  const { t, pick } = useT();
  if (!workspace.caseKinds) {
    return (
      <Result
        status="info"
        title={t('workspaceLaterTitle', { name: pick(workspace.label) })}
        subTitle={t('workspaceLaterBody')}
      />
    );
  }
  return (
    <main className="workspace">
      <CaseList outbox={outbox} kinds={workspace.caseKinds} title={pick(workspace.label)} />
      <OutboxPanel items={outbox.items} />
    </main>
  );
}
