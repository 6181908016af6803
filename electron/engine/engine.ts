import {
  BRIDGE_METHODS,
  type BridgeArgs,
  type BridgeCallArgs,
  BridgeContractError,
  type BridgeEvent,
  type BridgeEventPayload,
  type BridgeMethod,
  type BridgeProblem,
  type BridgeReply,
  type BridgeResult,
  bridgeProblem,
  parseBridgeCall,
} from '@jiangxin/shared/bridge';
import type { ConsoleEngineHandle, ConsoleEngineOptions, EngineListener } from './api';
import type { EngineContext } from './context';
import { type EngineParts, HANDLERS } from './handlers';
import { casesChanged, liveEvent } from './live';
import { CoreRefusal, CoreUnavailable, CoreUnreachable, UNREACHABLE_MESSAGE } from './net/core-client';
import { OutboxRunner } from './outbox-runner';
import { Sessions } from './sessions';
import { SettingsFile } from './settings';

/**
 * The console engine: everything behind the bridge. It validates each call against the shared contract,
 * runs the method's handler (handlers.ts: one per bridge method, checked by the compiler), checks the
 * result against the contract, and turns every failure into a problem in both languages. The parts:
 * `Sessions` (sign-in, the account's cache and sync loop, status and badges), `OutboxRunner` (actions
 * sent now or queued durably and replayed in order) and `live.ts` (what live events mean to the person).
 */
export class ConsoleEngine implements ConsoleEngineHandle, EngineContext {
  readonly settings: SettingsFile;
  private readonly listeners = new Set<EngineListener>();
  private readonly parts: EngineParts;
  private isClosed = false;

  private constructor(readonly opts: ConsoleEngineOptions) {
    this.settings = new SettingsFile(opts.dataDir, opts.defaultCoreUrl);
    const sessions: Sessions = new Sessions(
      this,
      {
        online: () => this.background(outbox.replay()),
        casesChanged: (session, changes, live) => casesChanged(this, sessions, session, changes, live),
        event: (session, event) => liveEvent(this, sessions, session, event),
      },
      () => outbox.replaying,
    );
    const outbox = new OutboxRunner(this, sessions);
    this.parts = { ctx: this, sessions, outbox };
  }

  /** Starts the engine; a login stored by the host is resumed (or, offline, the cache opened on its own). */
  static async start(opts: ConsoleEngineOptions): Promise<ConsoleEngine> {
    const engine = new ConsoleEngine(opts);
    await engine.parts.sessions.restore();
    return engine;
  }

  get closed(): boolean {
    return this.isClosed;
  }

  subscribe(listener: EngineListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async dispatch(method: unknown, args: unknown): Promise<BridgeReply> {
    try {
      const call = parseBridgeCall(method, args);
      return { ok: true, result: await this.run(call.method, call.args as never) };
    } catch (error) {
      if (error instanceof CoreUnavailable) this.parts.sessions.unavailable(error);
      return { ok: false, problem: this.problemOf(error) };
    }
  }

  /** A call from inside the process (tests, the hosts): validated like one from the renderer. */
  async call<M extends BridgeMethod>(method: M, args: BridgeArgs<M>): Promise<BridgeResult<M>> {
    const call = parseBridgeCall(method, args);
    return this.run(method, call.args as BridgeCallArgs<M>);
  }

  async close(): Promise<void> {
    if (this.isClosed) return;
    this.isClosed = true;
    await this.parts.sessions.end({ wipe: false });
    this.listeners.clear();
  }

  emit<E extends BridgeEvent>(event: E, payload: BridgeEventPayload<E>): void {
    for (const listener of this.listeners) {
      try {
        listener(event, payload);
      } catch (error) {
        this.log(`listener failed on ${event}: ${(error as Error).message}`);
      }
    }
  }

  log(line: string): void {
    this.opts.log?.(line);
  }

  background(work: Promise<unknown>): void {
    work.catch((error: unknown) => {
      if (!this.isClosed) this.log(`background work failed: ${(error as Error).message}`);
    });
  }

  say(text: { zh: string; en: string }): string {
    return this.settings.get().locale === 'en' ? text.en : text.zh;
  }

  /** Runs a validated call's handler and checks its result against the contract. */
  private async run<M extends BridgeMethod>(method: M, args: BridgeCallArgs<M>): Promise<BridgeResult<M>> {
    if (this.isClosed)
      throw new CoreRefusal(
        bridgeProblem('engine_closed', { zh: '运营台正在退出', en: 'The console is closing' }),
      );
    const handler = HANDLERS[method] as (e: EngineParts, a: BridgeCallArgs<M>) => unknown;
    const result = await handler(this.parts, args);
    return BRIDGE_METHODS[method].result.parse(result) as BridgeResult<M>;
  }

  private problemOf(error: unknown): BridgeProblem {
    if (error instanceof BridgeContractError) {
      return bridgeProblem(
        'bad_call',
        { zh: `调用参数不正确：${error.message}`, en: `Invalid call: ${error.message}` },
        { issues: error.issues },
      );
    }
    if (error instanceof CoreRefusal) return error.problem;
    // The core's own 503 problem: 服务暂不可用，请稍后再试, not "cannot connect".
    if (error instanceof CoreUnavailable) return error.problem;
    if (error instanceof CoreUnreachable) return bridgeProblem('offline', UNREACHABLE_MESSAGE);
    this.log(`internal error: ${(error as Error).stack ?? String(error)}`);
    return bridgeProblem('engine_error', {
      zh: `运营台内部错误：${(error as Error).message}`,
      en: `Console error: ${(error as Error).message}`,
    });
  }
}

/** The host's entry point (Electron main, the web host). */
export function startConsoleEngine(opts: ConsoleEngineOptions): Promise<ConsoleEngine> {
  return ConsoleEngine.start(opts);
}
