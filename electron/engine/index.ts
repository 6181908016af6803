/** The console engine: plain Node, no Electron. Hosts start it and relay the bridge to it. */
export type {
  ConsoleEngineHandle,
  ConsoleEngineOptions,
  EngineListener,
  StoredLogin,
  TokenStore,
} from './api';
export { ConsoleEngine, startConsoleEngine } from './engine';
export { MemoryTokenStore } from './token-store';
