import type {
  BridgeArgs,
  BridgeEvent,
  BridgeEventPayload,
  BridgeMethod,
  BridgeResult,
  ConsoleBridge,
} from '@jiangxin/shared/bridge';
import { BridgeCallError, bridgeProblem } from '@jiangxin/shared/bridge';
import { render } from '@testing-library/react';
import { App as AntApp, ConfigProvider } from 'antd';
import zhCN from 'antd/locale/zh_CN';
import type { ReactElement, ReactNode } from 'react';
import { MemoryRouter } from 'react-router-dom';
import { BridgeProvider } from '../bridge';
import { alwaysOpen } from '../bridge/connection';
import { type Locale, LocaleContext } from '../i18n';
import { ShortcutProvider } from '../shortcuts';

type Handler<M extends BridgeMethod> = (args: BridgeArgs<M>) => BridgeResult<M> | Promise<BridgeResult<M>>;

/**
 * A bridge for component tests: answers the methods the test scripts (anything else is refused as
 * `not_scripted`, so a screen that calls something unexpected fails loudly), records every call, and
 * lets the test push engine events. The engine and the real bridge are exercised by the console and
 * browser suites; here the subject is the component.
 */
export class ScriptedBridge implements ConsoleBridge {
  readonly calls: { method: BridgeMethod; args: unknown }[] = [];
  private handlers = new Map<BridgeMethod, (args: never) => unknown>();
  private listeners = new Map<BridgeEvent, Set<(payload: never) => void>>();

  answer<M extends BridgeMethod>(method: M, handler: Handler<M>): this {
    this.handlers.set(method, handler as (args: never) => unknown);
    return this;
  }

  async call<M extends BridgeMethod>(method: M, args: BridgeArgs<M>): Promise<BridgeResult<M>> {
    this.calls.push({ method, args });
    const handler = this.handlers.get(method);
    if (!handler)
      throw new BridgeCallError(
        bridgeProblem('not_scripted', { zh: `未准备 ${method}`, en: `${method} is not scripted` }),
      );
    return (await handler(args as never)) as BridgeResult<M>;
  }

  on<E extends BridgeEvent>(event: E, listener: (payload: BridgeEventPayload<E>) => void): () => void {
    const set = this.listeners.get(event) ?? new Set();
    set.add(listener as (payload: never) => void);
    this.listeners.set(event, set);
    return () => set.delete(listener as (payload: never) => void);
  }

  emit<E extends BridgeEvent>(event: E, payload: BridgeEventPayload<E>): void {
    for (const l of this.listeners.get(event) ?? []) (l as (p: BridgeEventPayload<E>) => void)(payload);
  }

  callsOf<M extends BridgeMethod>(method: M): BridgeArgs<M>[] {
    return this.calls.filter((c) => c.method === method).map((c) => c.args as BridgeArgs<M>);
  }
}

/** Renders `ui` inside the providers every screen expects (bridge, locale, antd zh_CN, router, shortcuts). */
/**
 * antd draws a button's click ripple in a React root of its own that removes itself on a timer, outside
 * the tree the test unmounts; one still pending when the file ends runs after jsdom is gone. Tests assert
 * what was clicked, not the ripple.
 */
const NO_WAVE = { disabled: true };

export function renderWithConsole(
  ui: ReactElement,
  {
    bridge = new ScriptedBridge(),
    locale = 'zh-CN',
    route = '/',
  }: { bridge?: ScriptedBridge; locale?: Locale; route?: string } = {},
) {
  // A wrapper (not a wrapping element), so `rerender(ui)` keeps the providers.
  const wrapper = ({ children }: { children: ReactNode }) => (
    <BridgeProvider bridge={bridge} connection={alwaysOpen}>
      <LocaleContext value={locale}>
        <ConfigProvider locale={zhCN} wave={NO_WAVE}>
          <AntApp>
            <MemoryRouter initialEntries={[route]}>
              <ShortcutProvider>{children}</ShortcutProvider>
            </MemoryRouter>
          </AntApp>
        </ConfigProvider>
      </LocaleContext>
    </BridgeProvider>
  );
  const result = render(ui, { wrapper });
  return { ...result, bridge };
}
