import type { ConsoleSession } from '@jiangxin/shared/bridge';
import { type FormEvent, useState } from 'react';
import { useBridgeMutation } from '../../calls';
import { type Locale, useT } from '../../i18n';

/** Sign-in through the engine: the core to use (prefilled from `config.get`), account and password. */
export function LoginPage(props: {
  defaultCoreUrl: string;
  onSignedIn: (session: ConsoleSession) => void;
  /** The language was switched on the sign-in page (saved by the engine like in the console). */
  onLocaleChange: (locale: Locale) => void;
}) {
  const { t, locale } = useT();
  const signIn = useBridgeMutation('auth.login');
  const configure = useBridgeMutation('config.set');
  const [coreUrl, setCoreUrl] = useState(props.defaultCoreUrl);
  const [login, setLogin] = useState('');
  const [password, setPassword] = useState('');
  const [urlInvalid, setUrlInvalid] = useState(false);
  const busy = signIn.busy;
  const error = urlInvalid ? t('coreUrlInvalid') : (signIn.error ?? configure.error);

  const switchLocale = async () => {
    setUrlInvalid(false);
    signIn.reset();
    const outcome = await configure.run({ locale: locale === 'en' ? 'zh-CN' : 'en' });
    if (outcome.ok) props.onLocaleChange(outcome.value.locale);
  };

  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const url = coreUrl.trim();
    configure.reset();
    setUrlInvalid(Boolean(url) && !URL.canParse(url));
    if (url && !URL.canParse(url)) return;
    const outcome = await signIn.run({ login: login.trim(), password, ...(url ? { coreUrl: url } : {}) });
    if (outcome.ok) props.onSignedIn(outcome.value);
  };

  return (
    <main className="login">
      <form className="panel login-form" onSubmit={submit} aria-labelledby="login-title">
        <div className="login-head">
          <h1 id="login-title">{t('appTitle')}</h1>
          <button
            type="button"
            onClick={switchLocale}
            data-testid="login-locale-toggle"
            lang={locale === 'en' ? 'zh-CN' : 'en'}
          >
            {t('switchLocale')}
          </button>
        </div>
        <label>
          {t('coreUrl')}
          <input
            type="url"
            value={coreUrl}
            onChange={(e) => setCoreUrl(e.target.value)}
            autoComplete="url"
            data-testid="login-core-url"
          />
        </label>
        <label>
          {t('login')}
          <input
            value={login}
            onChange={(e) => setLogin(e.target.value)}
            autoComplete="username"
            required
            data-testid="login-name"
          />
        </label>
        <label>
          {t('password')}
          <input
            type="password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            autoComplete="current-password"
            required
            data-testid="login-password"
          />
        </label>
        {error && (
          <p className="problem" role="alert" data-testid="login-error">
            {error}
          </p>
        )}
        <button type="submit" className="primary" disabled={busy} data-testid="login-submit">
          {busy ? t('loggingIn') : t('loginSubmit')}
        </button>
      </form>
    </main>
  );
}
