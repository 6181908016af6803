import type { ConsoleSession, ConsoleTheme } from '@jiangxin/shared/bridge';
import { App as AntApp, theme as antTheme, ConfigProvider } from 'antd';
import enUS from 'antd/locale/en_US';
import zhCN from 'antd/locale/zh_CN';
import { useEffect, useRef, useState } from 'react';
import { type ConnectionState, useBridge, useBridgeEvent, useConnection } from './bridge';
import { Centered } from './Centered';
import { useQuery } from './calls';
import { prefetchQueueRoute } from './features/cases/prefetch';
import { firstWindow } from './features/cases/useCaseWindow';
import { LoginPage } from './features/session/LoginPage';
import { ConsolePage } from './features/shell/ConsolePage';
import { WORKSPACE_SCREENS } from './features/shell/screens';
import { type Locale, LocaleContext, type StringKey, useT } from './i18n';

/**
 * antd's theme: colours dark enough for 4.5:1 contrast on white (antd's default blue #1677ff has 4.1:1),
 * and no space forced between two Chinese characters on buttons (认领, not 认 领).
 */
const LIGHT = {
  // Every colour that carries text reaches 4.5:1 on white (antd's defaults — #ff4d4f, 45 % black — do
  // not; the accessibility scan checks this). Status tags get darker text in styles.css.
  token: {
    colorPrimary: '#0958d9',
    colorInfo: '#0958d9',
    colorError: '#cf1322',
    colorTextDescription: 'rgba(0, 0, 0, 0.65)',
    colorTextQuaternary: 'rgba(0, 0, 0, 0.6)',
  },
  // antd's group titles and placeholders are 45 % black (3.9:1 on white); staff read them all day.
  components: { Menu: { groupTitleColor: '#595959' } },
  cssVar: { key: 'jx' },
};
/** Dark: antd's dark algorithm; its default blue already has the contrast on the dark background. */
const DARK = {
  algorithm: antTheme.darkAlgorithm,
  token: { colorPrimary: '#4096ff' },
  components: { Menu: { groupTitleColor: '#a6a6a6' } },
  cssVar: { key: 'jx' },
};
const BUTTON = { autoInsertSpace: false };
/** How long the console's first render waits for the queue rows read at start-up (they are ~ms behind). */
const EARLY_ROWS_WAIT_MS = 300;
const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

type Start =
  | { phase: 'loading' }
  | { phase: 'failed'; message: { zh: string; en: string } }
  | { phase: 'ready'; coreUrl: string; session: ConsoleSession | null };

const LINK_MESSAGES: Partial<Record<ConnectionState, StringKey>> = {
  connecting: 'linkConnecting',
  reconnecting: 'linkReconnecting',
  stopped: 'linkStopped',
  refused: 'linkRefused',
};

/** The page's link to the engine, when it is not simply open. */
function LinkBanner() {
  const { state } = useConnection();
  const { t } = useT();
  const key = LINK_MESSAGES[state];
  if (!key) return null;
  return (
    <div className={`link-banner link-${state}`} role="alert" data-testid="link-banner" data-state={state}>
      {t(key)}
    </div>
  );
}

/** `config.get` and `auth.session` decide the language and whether the login page or the console shows. */
export function App() {
  const bridge = useBridge();
  const [locale, setLocale] = useState<Locale>('zh-CN');
  const [theme, setTheme] = useState<ConsoleTheme>('system');
  const systemDark = useSystemDark();
  const dark = theme === 'dark' || (theme === 'system' && systemDark);
  const [start, setStart] = useState<Start>({ phase: 'loading' });
  const prefetched = useRef(false);

  // Read when the link to the engine opens and again whenever it comes back; `reload`: the Retry button.
  const { reload: retry } = useQuery(
    async () => {
      const reads = Promise.all([bridge.call('config.get', {}), bridge.call('auth.session', {})]);
      // At start-up on a queue's route, its first rows are read at the same time
      // (features/cases/prefetch.ts), and the console waits a moment for them, so its first render shows them.
      let rows: Promise<unknown> | null = null;
      if (!prefetched.current) {
        prefetched.current = true;
        rows = prefetchQueueRoute(bridge, location.hash, firstWindow(), (w) => !WORKSPACE_SCREENS[w.id]);
      }
      const answers = await reads;
      if (rows && answers[1]) await Promise.race([rows, delay(EARLY_ROWS_WAIT_MS)]);
      return answers;
    },
    'start',
    {
      onData: ([config, session]) => {
        setLocale(config.locale);
        setTheme(config.theme);
        setStart({ phase: 'ready', coreUrl: config.coreUrl, session });
      },
      onError: (problem) => setStart({ phase: 'failed', message: problem.message }),
    },
  );

  // Screen readers and fonts follow the console's language.
  useEffect(() => {
    document.documentElement.lang = locale;
  }, [locale]);
  // The page's own styles (styles.css) follow the theme through this attribute.
  useEffect(() => {
    document.documentElement.dataset['theme'] = dark ? 'dark' : 'light';
  }, [dark]);

  // The engine signs the person out by itself when the core revokes the session.
  useBridgeEvent('session.changed', (session) =>
    setStart((s) => (s.phase === 'ready' ? { ...s, session } : s)),
  );

  const setSession = (session: ConsoleSession | null) =>
    setStart((s) => (s.phase === 'ready' ? { ...s, session } : s));

  return (
    <LocaleContext value={locale}>
      <ConfigProvider locale={locale === 'en' ? enUS : zhCN} theme={dark ? DARK : LIGHT} button={BUTTON}>
        <AntApp>
          <LinkBanner />
          {start.phase === 'loading' && <Centered title="loading" />}
          {start.phase === 'failed' && (
            <Centered title="startFailed" problem={start.message} onRetry={retry} />
          )}
          {start.phase === 'ready' &&
            (start.session ? (
              <ConsolePage
                session={start.session}
                onSignedOut={() => setSession(null)}
                onLocaleChange={setLocale}
                theme={theme}
                dark={dark}
                onThemeChange={setTheme}
              />
            ) : (
              <LoginPage defaultCoreUrl={start.coreUrl} onSignedIn={setSession} onLocaleChange={setLocale} />
            ))}
        </AntApp>
      </ConfigProvider>
    </LocaleContext>
  );
}

/** Whether the system asks for dark mode now (and when it changes). */
function useSystemDark(): boolean {
  const query = '(prefers-color-scheme: dark)';
  const [dark, setDark] = useState(() => window.matchMedia?.(query).matches ?? false);
  useEffect(() => {
    const media = window.matchMedia?.(query);
    if (!media) return;
    const onChange = () => setDark(media.matches);
    media.addEventListener('change', onChange);
    return () => media.removeEventListener('change', onChange);
  }, []);
  return dark;
}
