import { type StringKey, useT } from './i18n';

/** A message alone on the page (loading, a start-up failure, a missing key), with an optional retry. */
export function Centered(props: {
  title: StringKey;
  hint?: StringKey;
  problem?: { zh: string; en: string };
  onRetry?: () => void;
}) {
  const { t, pick } = useT();
  return (
    <main className="centered">
      <p className="centered-title">{t(props.title)}</p>
      {props.hint && <p>{t(props.hint)}</p>}
      {props.problem && <p className="problem">{pick(props.problem)}</p>}
      {props.onRetry && (
        <button type="button" onClick={props.onRetry}>
          {t('retry')}
        </button>
      )}
    </main>
  );
}
