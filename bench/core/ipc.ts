/** Messages between run.ts and the core process it forks (server.ts). */

export interface ServerConfig {
  databaseUrl: string;
  jwtSecret: string;
  /** The sandbox's credentials (`Sandbox.credentials`), so the core's adapters use the sandbox keys. */
  sandbox: unknown;
  poolSize?: number;
  /**
   * If the bench process dies without closing the core (SIGKILL, or a signal only it received), the
   * core drops the scratch database itself when the IPC channel goes away.
   */
  orphanDrop?: { adminUrl: string; database: string };
}

export type ToServer =
  | { cmd: 'start'; config: ServerConfig }
  | { cmd: 'stats'; id: number; reset?: boolean }
  | { cmd: 'close' };

export interface ServerStats {
  cpuUs: { user: number; system: number };
  /** SQL statements sent since start (every Client.query call, BEGIN/COMMIT included). */
  statements: number;
  byKind: Record<string, number>;
  /** Since the previous `stats` with reset. */
  eventLoopUtilization: number;
  eventLoopDelayP99Ms: number;
  rssBytes: number;
}

export type FromServer =
  | { type: 'ready'; url: string; pid: number }
  | ({ type: 'stats'; id: number } & ServerStats)
  | { type: 'closed' }
  | { type: 'error'; message: string };
