import type { ConsoleSession, ConsoleTheme } from '@jiangxin/shared/bridge';
import {
  homeWorkspace,
  WORKSPACE_GROUPS,
  type Workspace,
  workspacesFor,
} from '@jiangxin/shared/console/workspaces';
import { STAFF_ROLE_LABELS } from '@jiangxin/shared/permissions';
import { Badge, Button, Layout, Menu, Result } from 'antd';
import { lazy, Suspense, useEffect, useState } from 'react';
import { HashRouter, Navigate, Route, Routes, useLocation, useNavigate } from 'react-router-dom';
import { useBridgeEvent, useConnection } from '../../bridge';
import { Centered } from '../../Centered';
import { useBridgeMutation } from '../../calls';
import { type Locale, useT } from '../../i18n';
import { UserText } from '../../kit/UserText';
import { type Outbox, useOutbox } from '../../outbox/useOutbox';
import { ShortcutProvider } from '../../shortcuts';
import { CaseQueue } from '../cases/CaseQueue';
import { PresenceProvider } from '../cases/presence';
import { CommandPalette } from '../palette/CommandPalette';
import { SyncStatusBar } from '../status/SyncStatusBar';
import { PresenceSwitch } from '../teams/PresenceSwitch';
import { WORKSPACE_SCREENS } from './screens';
import { ThemeToggle } from './ThemeToggle';

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
  /** The chosen appearance, and whether it is dark now (the system's choice resolved). */
  theme: ConsoleTheme;
  dark: boolean;
  onThemeChange: (theme: ConsoleTheme) => void;
}

// The drill-down pages (`#/customers/:userId`, `#/orders/:orderId`), open to every member who may see
// cases; fetched the first time one opens.
const CustomerPage = lazy(() =>
  import('../customers/CustomerPage').then((m) => ({ default: m.CustomerPage })),
);
const OrderPage = lazy(() => import('../customers/OrderPage').then((m) => ({ default: m.OrderPage })));

export function ConsolePage(props: ConsolePageProps) {
  return (
    <HashRouter>
      <ShortcutProvider>
        <PresenceProvider>
          <ConsoleLayout {...props} />
        </PresenceProvider>
      </ShortcutProvider>
    </HashRouter>
  );
}

function ConsoleLayout({
  session,
  onSignedOut,
  onLocaleChange,
  theme,
  dark,
  onThemeChange,
}: ConsolePageProps) {
  const { opens } = useConnection();
  const { t, pick, locale } = useT();
  const outbox = useOutbox();
  const navigate = useNavigate();
  const location = useLocation();
  // Signing out and the language and theme switches: the last refusal is shown in the top bar.
  const signOut = useBridgeMutation('auth.logout');
  const configure = useBridgeMutation('config.set');
  const error = signOut.error ?? configure.error;
  const [counts, setCounts] = useState({ assignedOpen: 0, unreadChats: 0 });
  const workspaces = workspacesFor(session.permissions);
  const home = homeWorkspace(workspaces, session.permissions);
  const current = workspaces.find(
    (w) => location.pathname === w.path || location.pathname.startsWith(`${w.path}/`),
  );

  useBridgeEvent('counts.changed', setCounts);
  useBridgeEvent('notify', (n) => {
    // Desktop: the shell shows an OS notification. Browser: a page notification while the page is hidden.
    if (window.jiangxin || document.visibilityState === 'visible') return;
    if (typeof Notification !== 'undefined' && Notification.permission === 'granted')
      new Notification(n.title, { body: n.body, tag: n.caseId ? `case-${n.caseId}` : undefined });
  });
  // The window title carries the badge figure (the tray does too, on desktop).
  useEffect(() => {
    const n = counts.assignedOpen + counts.unreadChats;
    document.title = n > 0 ? `(${n}) ${t('appTitle')}` : t('appTitle');
  }, [counts, t]);
  // Ask once for page notifications in a browser (Electron uses the OS's).
  useEffect(() => {
    if (
      opens > 0 &&
      !window.jiangxin &&
      typeof Notification !== 'undefined' &&
      Notification.permission === 'default'
    )
      void Notification.requestPermission().catch(() => {});
  }, [opens]);

  const logout = async () => {
    configure.reset();
    if ((await signOut.run({})).ok) onSignedOut();
  };

  const switchLocale = async () => {
    signOut.reset();
    const outcome = await configure.run({ locale: locale === 'en' ? 'zh-CN' : 'en' });
    if (outcome.ok) onLocaleChange(outcome.value.locale);
  };

  const switchTheme = async (next: ConsoleTheme) => {
    signOut.reset();
    const outcome = await configure.run({ theme: next });
    if (outcome.ok) onThemeChange(outcome.value.theme);
  };

  const pending = outbox.items.length;
  const groups = (Object.keys(WORKSPACE_GROUPS) as (keyof typeof WORKSPACE_GROUPS)[])
    .map((group) => ({
      type: 'group' as const,
      key: group,
      label: pick(WORKSPACE_GROUPS[group]),
      children: workspaces
        .filter((w) => w.group === group)
        .map((w) => ({
          key: w.path,
          label:
            w.id === 'chats' && counts.unreadChats > 0 ? (
              <span className="nav-label">
                {pick(w.label)}
                <Badge
                  count={counts.unreadChats}
                  size="small"
                  title={t('unreadBadge', { n: counts.unreadChats })}
                />
              </span>
            ) : (
              pick(w.label)
            ),
          'data-testid': `nav-${w.id}`,
        })),
    }))
    .filter((g) => g.children.length > 0);

  return (
    <Layout className="console">
      <header className="topbar">
        <strong className="brand">{t('appTitle')}</strong>
        <span className="who" data-testid="session-user">
          <UserText>{session.nickname}</UserText>
          <span className="muted">
            {' · '}
            {session.roles.map((r) => pick(STAFF_ROLE_LABELS[r])).join(locale === 'en' ? ', ' : '、')}
          </span>
        </span>
        <SyncStatusBar />
        <PresenceSwitch />
        <span className="counts" data-testid="counts">
          <span data-testid="count-assigned">{t('assignedBadge', { n: counts.assignedOpen })}</span>
          {pending > 0 && (
            <span className="badge outbox-pending" data-testid="count-outbox">
              {t('outboxBadge', { n: pending })}
            </span>
          )}
        </span>
        {error && (
          <span className="problem small" role="alert">
            {error}
          </span>
        )}
        <CommandPalette session={session} />
        <ThemeToggle theme={theme} onChange={switchTheme} />
        <Button onClick={switchLocale} data-testid="locale-toggle" lang={locale === 'en' ? 'zh-CN' : 'en'}>
          {t('switchLocale')}
        </Button>
        <Button onClick={logout} data-testid="logout">
          {t('logout')}
        </Button>
      </header>
      <Layout>
        <Layout.Sider width={200} theme={dark ? 'dark' : 'light'} className="nav">
          <nav aria-label={t('navLabel')}>
            <Menu
              mode="inline"
              theme={dark ? 'dark' : 'light'}
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
                  element={<WorkspaceView workspace={w} session={session} outbox={outbox} />}
                />
              ))}
              {session.permissions.includes('cases.view') && (
                <>
                  <Route
                    path="/customers/:userId"
                    element={
                      <Suspense fallback={<Centered title="loading" />}>
                        <CustomerPage session={session} />
                      </Suspense>
                    }
                  />
                  <Route
                    path="/orders/:orderId"
                    element={
                      <Suspense fallback={<Centered title="loading" />}>
                        <OrderPage session={session} />
                      </Suspense>
                    }
                  />
                </>
              )}
              <Route path="*" element={<Navigate to={home.path} replace />} />
            </Routes>
          )}
        </Layout.Content>
      </Layout>
    </Layout>
  );
}

/** A workspace's own screen where its feature registered one, else the queue split view for its kinds. */
function WorkspaceView({
  workspace,
  session,
  outbox,
}: {
  workspace: Workspace;
  session: ConsoleSession;
  outbox: Outbox;
}) {
  const { t, pick } = useT();
  const Screen = WORKSPACE_SCREENS[workspace.id];
  if (Screen)
    return (
      <Suspense fallback={<Centered title="loading" />}>
        <Screen session={session} />
      </Suspense>
    );
  if (workspace.caseKinds) return <CaseQueue workspace={workspace} session={session} outbox={outbox} />;
  return (
    <Result
      status="info"
      title={t('workspaceLaterTitle', { name: pick(workspace.label) })}
      subTitle={t('workspaceLaterBody')}
    />
  );
}
