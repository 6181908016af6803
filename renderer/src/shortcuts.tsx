import { App as AntApp, Modal } from 'antd';
import {
  createContext,
  type ReactNode,
  useContext,
  useEffect,
  useEffectEvent,
  useId,
  useMemo,
  useState,
  useSyncExternalStore,
} from 'react';
import { useT } from './i18n';

/**
 * Keyboard shortcuts. A component registers a key for as long as it is mounted (`useShortcut`); one
 * listener on the window runs the registration with the highest priority for a key (the newest among
 * equals), so a detail pane's `a` (SHORTCUT_PRIORITY.pane) wins over a list's while the pane is open —
 * whatever order React ran their effects in. Keys typed into a text field, a select or an editor never trigger a
 * shortcut; `mod+k` (Ctrl+K, ⌘K) is the one that works everywhere. `?` lists what is registered now.
 */
export interface ShortcutLabel {
  zh: string;
  en: string;
}

interface Registration {
  id: string;
  key: string;
  label: ShortcutLabel;
  priority: number;
  run: () => void;
  /** Why the key does nothing now (the action is offered but not possible yet): listed, and said when pressed. */
  blocked: ShortcutLabel | null;
}

/** A key listed while its action is not possible now, with the reason (both languages). */
const blockedNote = (why: ShortcutLabel): ShortcutLabel => ({
  zh: `（暂不可用：${why.zh}）`,
  en: ` (not possible now: ${why.en})`,
});
/** What pressing such a key says. */
const blockedToast = (label: ShortcutLabel, why: ShortcutLabel): ShortcutLabel => ({
  zh: `${label.zh}：${why.zh}`,
  en: `${label.en}: ${why.en}`,
});

class ShortcutRegistry {
  private entries: Registration[] = [];
  private listeners = new Set<() => void>();
  private snapshot: readonly Registration[] = [];

  add(entry: Registration): () => void {
    this.entries = [...this.entries.filter((e) => e.id !== entry.id), entry];
    this.changed();
    return () => {
      this.entries = this.entries.filter((e) => e !== entry);
      this.changed();
    };
  }

  /** The registration for a key that runs: the highest priority, and of those the newest. */
  find(key: string): Registration | undefined {
    let best: Registration | undefined;
    for (const e of this.entries) if (e.key === key && (!best || e.priority >= best.priority)) best = e;
    return best;
  }

  list = (): readonly Registration[] => this.snapshot;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  private changed() {
    // One row per key (the one that would run), in the order they were first registered.
    const keys = [...new Set(this.entries.map((e) => e.key))];
    this.snapshot = keys.map((k) => this.find(k)!);
    for (const l of this.listeners) l();
  }
}

const RegistryContext = createContext<ShortcutRegistry | null>(null);

/** Whether the key event comes from somewhere the person types. */
function typing(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  const tag = target.tagName;
  return (
    tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT' || target.getAttribute('role') === 'combobox'
  );
}

/** Elements that Enter already activates (buttons, links, checkboxes, tabs, menu items …). */
function activatable(target: EventTarget | null): boolean {
  return (
    target instanceof Element &&
    target.closest(
      'button, a[href], summary, [role="button"], [role="link"], [role="tab"], [role="menuitem"], [role="option"], [role="checkbox"]',
    ) !== null
  );
}

function inDialog(target: EventTarget | null): boolean {
  return target instanceof Element && target.closest('[role="dialog"]') !== null;
}

/** `mod+k`, `?`, `j`, `shift+a` … from a key event; null for keys no shortcut uses. */
export function shortcutKey(e: KeyboardEvent): string | null {
  if (e.key === undefined || e.isComposing) return null;
  if ((e.ctrlKey || e.metaKey) && !e.altKey) return e.key.toLowerCase() === 'k' ? 'mod+k' : null;
  if (e.ctrlKey || e.metaKey || e.altKey) return null;
  if (e.key === '?') return '?';
  if (e.key === 'Enter' || e.key === 'Escape') return e.key;
  if (e.key.length !== 1) return null;
  return e.shiftKey ? `shift+${e.key.toLowerCase()}` : e.key.toLowerCase();
}

export function ShortcutProvider({ children }: { children: ReactNode }) {
  const registry = useMemo(() => new ShortcutRegistry(), []);
  const [helpOpen, setHelpOpen] = useState(false);
  const { message } = AntApp.useApp();
  const { pick } = useT();
  // A key whose action is offered but not possible now says why, instead of doing nothing in silence.
  const explain = useEffectEvent((entry: Registration) => {
    if (entry.blocked)
      message.warning(
        <span data-testid="shortcut-blocked">{pick(blockedToast(entry.label, entry.blocked))}</span>,
      );
  });

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const key = shortcutKey(e);
      if (!key) return;
      // Letters typed into a field or inside a dialog are text, not commands; Enter on a focused button
      // or link presses it.
      if (key !== 'mod+k' && (typing(e.target) || inDialog(e.target))) return;
      if (key === 'Enter' && activatable(e.target)) return;
      if (key === '?') {
        e.preventDefault();
        setHelpOpen(true);
        return;
      }
      const entry = registry.find(key);
      if (!entry) return;
      e.preventDefault();
      if (entry.blocked) explain(entry);
      else entry.run();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [registry]);

  return (
    <RegistryContext value={registry}>
      {children}
      <ShortcutHelp open={helpOpen} onClose={() => setHelpOpen(false)} registry={registry} />
    </RegistryContext>
  );
}

/** Who wins a key registered twice: the screen, then the open case's pane, then a panel on top of it. */
export const SHORTCUT_PRIORITY = { screen: 0, pane: 1, overlay: 2 } as const;

/**
 * Registers `key` while the component is mounted and `enabled` (default true). Keys: a lower-case
 * letter, `shift+<letter>`, `Enter`, `Escape` or `mod+k`. The label is what the `?` list shows.
 * `blocked`: the action is on this screen but not possible now (the core's reason, e.g. claim the case
 * first) — the key stays in the `?` list with the reason, and pressing it says the reason instead of
 * running.
 */
export function useShortcut(
  key: string,
  run: () => void,
  label: ShortcutLabel,
  {
    enabled = true,
    priority = SHORTCUT_PRIORITY.screen,
    blocked = null,
  }: { enabled?: boolean; priority?: number; blocked?: ShortcutLabel | null } = {},
): void {
  const registry = useContext(RegistryContext);
  const id = useId();
  const onRun = useEffectEvent(run);
  const { zh, en } = label;
  const whyZh = blocked?.zh;
  const whyEn = blocked?.en;
  useEffect(() => {
    if (!registry || !enabled) return;
    const why = whyZh !== undefined && whyEn !== undefined ? { zh: whyZh, en: whyEn } : null;
    return registry.add({ id, key, label: { zh, en }, priority, run: () => onRun(), blocked: why });
  }, [registry, id, key, zh, en, enabled, priority, whyZh, whyEn]);
}

const KEY_NAMES: Record<string, string> = { 'mod+k': 'Ctrl+K', Enter: 'Enter', Escape: 'Esc' };
/** A key as printed on the keyboard: `shift+c` is Shift+C. */
const keyName = (key: string) =>
  KEY_NAMES[key] ?? (key.startsWith('shift+') ? `Shift+${key.slice(6).toUpperCase()}` : key);

function ShortcutHelp({
  open,
  onClose,
  registry,
}: {
  open: boolean;
  onClose: () => void;
  registry: ShortcutRegistry;
}) {
  const { t, pick } = useT();
  const entries = useSyncExternalStore(registry.subscribe, registry.list);
  return (
    <Modal open={open} onCancel={onClose} footer={null} title={t('shortcutsTitle')} destroyOnHidden>
      <table className="shortcut-list" data-testid="shortcut-list">
        <tbody>
          <tr>
            <th scope="row">
              <kbd>?</kbd>
            </th>
            <td>{t('shortcutsHelp')}</td>
          </tr>
          {entries.map((e) => (
            <tr key={e.key}>
              <th scope="row">
                <kbd>{keyName(e.key)}</kbd>
              </th>
              <td>
                {pick(e.label)}
                {e.blocked && (
                  <span className="muted" data-testid="shortcut-blocked-reason">
                    {pick(blockedNote(e.blocked))}
                  </span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </Modal>
  );
}
