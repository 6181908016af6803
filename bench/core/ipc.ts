/** Messages between run.ts and the core process it forks (server.ts). */

export interface ServerConfig {
  /** A PostgreSQL URL; unset for embedded PGlite in `pgliteDir` (the core's default). */
  databaseUrl?: string;
  /** PGlite: the folder holding `pglite/` (kept when the core closes; the bench removes it). */
  pgliteDir?: string;
  /** Run the core's migrations before listening (PGlite: nobody else can reach its database). */
  migrate?: boolean;
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
  | { cmd: 'close' }
  /**
   * A statement on the core's own database, for the bench's data and checks when only the core can
   * reach it (PGlite). `scan`: in a transaction of its own with index scans off (the brute-force check).
   */
  | { cmd: 'sql'; id: number; text: string; params?: unknown[]; scan?: boolean };

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
  | { type: 'rows'; id: number; rows: Record<string, unknown>[] }
  | { type: 'sqlError'; id: number; message: string }
  | { type: 'closed' }
  | { type: 'error'; message: string };
