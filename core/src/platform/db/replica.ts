import type { PostgresPool, PostgresPoolClient } from 'kysely';
import type pg from 'pg';
import { isDependencyOutage } from '../http/unavailable';

/**
 * Reads on a streaming read replica (DATABASE_READ_URL), with a fallback to the primary.
 *
 * `Db.read` runs on the pool below: each read takes a connection of the replica's pool, or — while the
 * replica cannot be reached — one of the primary's. A failed connect (refused, timed out, the server
 * starting up or shutting down) or a connection lost under a running read (the replica shut down) opens
 * a small circuit breaker: every read goes to the primary (counted in `fallbacks`, /metrics
 * `db_replica_fallbacks_total`) until `retryMs` has passed; then one read tries the replica again, and
 * the others keep going to the primary until it answers. The state changes (down, up again) are told to
 * `onChange` once each, so a storm of reads writes two log lines, not one per read.
 *
 * Only connection-level failures fall back. An error the replica answered (a syntax error, a statement
 * timeout, a conflict with recovery) is the read's own and is thrown as usual.
 */
export interface ReplicaState {
  /** False while the breaker is open: reads go to the primary. */
  readonly available: boolean;
  /** Reads the primary served because the replica could not be reached, since the process started. */
  readonly fallbacks: number;
  /**
   * How far the replica is behind, measured on the replica itself (never falls back): 0 when it has
   * replayed everything it received, else seconds since the last transaction it replayed was committed
   * on the primary; null when it cannot be reached (the breaker then opens). Answers within the
   * replica's connect timeout plus one short query; several callers at once share one measurement.
   */
  lagSeconds(): Promise<number | null>;
}

export type ReplicaChange = { state: 'down'; err: Error } | { state: 'up'; downForMs: number };

/**
 * Whether a query's error means its connection to the server is gone (so another server may answer it):
 * the socket-level and connection failures `isDependencyOutage` knows, but not a statement timeout
 * (57014), which the primary would hit just the same.
 */
export function isConnectionLost(err: unknown): boolean {
  return isDependencyOutage(err) && (err as { code?: unknown }).code !== '57014';
}

export interface ReplicaPoolOptions {
  /** How long reads stay on the primary after the replica failed, before one read tries it again. */
  retryMs: number;
  onChange?: (change: ReplicaChange) => void;
  now?: () => number;
}

/**
 * The pool given to Kysely's PostgresDialect for `Db.read`: see the comment at the top. Ending it ends
 * the replica's pool only (the primary's belongs to `Db.write`).
 */
export class ReplicaPool implements PostgresPool, ReplicaState {
  private downSince: number | null = null;
  private retryAt = 0;
  private probing = false;
  private count = 0;
  private measuring: Promise<number | null> | null = null;
  private readonly wrappers = new WeakMap<pg.PoolClient, PostgresPoolClient>();
  private readonly now: () => number;

  constructor(
    private readonly replica: pg.Pool,
    private readonly primary: pg.Pool,
    private readonly opts: ReplicaPoolOptions,
  ) {
    this.now = opts.now ?? Date.now;
  }

  get available(): boolean {
    return this.downSince === null;
  }

  get fallbacks(): number {
    return this.count;
  }

  async connect(): Promise<PostgresPoolClient> {
    if (this.downSince !== null && (this.probing || this.now() < this.retryAt)) return this.fromPrimary();
    const probe = this.downSince !== null;
    if (probe) this.probing = true;
    let client: pg.PoolClient;
    try {
      client = await this.replica.connect();
    } catch (err) {
      // Whatever stops a connection (refused, timed out, starting up, a bad password) leaves the read
      // nothing to run on but the primary.
      this.markDown(err as Error);
      return this.fromPrimary();
    } finally {
      if (probe) this.probing = false;
    }
    this.markUp();
    return this.wrap(client);
  }

  async end(): Promise<void> {
    await this.replica.end();
  }

  lagSeconds(): Promise<number | null> {
    this.measuring ??= this.measure().finally(() => {
      this.measuring = null;
    });
    return this.measuring;
  }

  private async measure(): Promise<number | null> {
    // While the breaker is open and no retry is due, do not make the scrape wait on a dead server.
    if (this.downSince !== null && this.now() < this.retryAt) return null;
    try {
      const r = await this.replica.query<{ lag: number | null }>(`
        SELECT CASE
          WHEN NOT pg_is_in_recovery() THEN 0
          WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
          ELSE EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())::float8
        END AS lag`);
      this.markUp();
      return Math.max(0, Number(r.rows[0]?.lag ?? 0));
    } catch (err) {
      this.markDown(err as Error);
      return null;
    }
  }

  private markDown(err: Error): void {
    this.retryAt = this.now() + this.opts.retryMs;
    if (this.downSince !== null) return;
    this.downSince = this.now();
    this.opts.onChange?.({ state: 'down', err });
  }

  private markUp(): void {
    if (this.downSince === null) return;
    const downForMs = this.now() - this.downSince;
    this.downSince = null;
    this.opts.onChange?.({ state: 'up', downForMs });
  }

  private async fromPrimary(): Promise<PostgresPoolClient> {
    this.count += 1;
    return this.primary.connect();
  }

  /**
   * A replica connection whose read, when the connection turns out to be gone (the replica shut down
   * while it sat in the pool or under the read), runs again on the primary: a read changes nothing, so
   * running it twice is safe. `Db.read` has no transactions, so each connection carries one statement.
   */
  private wrap(client: pg.PoolClient): PostgresPoolClient {
    const known = this.wrappers.get(client);
    if (known) return known;
    let lost = false;
    const query = async (sql: unknown, parameters?: ReadonlyArray<unknown>) => {
      // A cursor (streaming) goes through untouched.
      if (typeof sql !== 'string') return client.query(sql as never);
      const values = parameters ? [...parameters] : [];
      try {
        return await client.query(sql, values);
      } catch (err) {
        if (!isConnectionLost(err)) throw err;
        lost = true;
        this.markDown(err as Error);
        const other = await this.fromPrimary();
        try {
          return await (other.query as (sql: string, values: unknown[]) => Promise<unknown>)(sql, values);
        } finally {
          other.release();
        }
      }
    };
    const wrapper: PostgresPoolClient = {
      query: query as unknown as PostgresPoolClient['query'],
      release: (destroy?: boolean) => {
        // A lost connection is not given back to the pool.
        client.release(destroy || lost);
        lost = false;
      },
    };
    this.wrappers.set(client, wrapper);
    return wrapper;
  }
}

/**
 * The log lines of the replica's state changes (runtime and tests): one when it stops answering, one
 * when it answers again.
 */
export function logReplicaChange(log: {
  warn(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
}): (change: ReplicaChange) => void {
  return (change) => {
    if (change.state === 'down')
      log.warn(
        { err: change.err, replica: 'down' },
        'read replica unreachable: reads run on the primary until it answers again (db_replica_fallbacks_total)',
      );
    else
      log.info(
        { replica: 'up', downForMs: change.downForMs },
        'read replica answers again: reads go back to it',
      );
  };
}
