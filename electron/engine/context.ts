import type { BridgeEvent, BridgeEventPayload } from '@jiangxin/shared/bridge';
import type { ConsoleEngineOptions } from './api';
import type { SettingsFile } from './settings';

/** What the engine's parts (sessions, outbox, handlers) share: the host's options, settings and events. */
export interface EngineContext {
  readonly opts: ConsoleEngineOptions;
  readonly settings: SettingsFile;
  /** The engine is shutting down: nothing new starts, and late failures are not worth a log line. */
  readonly closed: boolean;
  emit<E extends BridgeEvent>(event: E, payload: BridgeEventPayload<E>): void;
  log(line: string): void;
  /** Work started from an event: a failure is logged, unless the engine is closing. */
  background(work: Promise<unknown>): void;
  /** Text the engine writes itself (notifications), in the language the member chose for the console. */
  say(text: { zh: string; en: string }): string;
}
