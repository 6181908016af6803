import type { ConsoleTheme } from '@jiangxin/shared/bridge';
import { Select } from 'antd';
import { useT } from '../../i18n';

/** Light, dark or the system's choice; saved by the engine with the other console settings. */
export function ThemeToggle({
  theme,
  onChange,
}: {
  theme: ConsoleTheme;
  onChange: (t: ConsoleTheme) => void;
}) {
  const { t } = useT();
  return (
    <Select
      className="theme-select"
      aria-label={t('themeLabel')}
      value={theme}
      onChange={onChange}
      data-testid="theme-select"
      options={[
        { value: 'system', label: t('themeSystem') },
        { value: 'light', label: t('themeLight') },
        { value: 'dark', label: t('themeDark') },
      ]}
      popupMatchSelectWidth={false}
    />
  );
}
