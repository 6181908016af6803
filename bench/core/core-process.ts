import { type ChildProcess, fork } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FromServer, ServerConfig, ServerStats, ToServer } from './ipc';
import type { Sql } from './sql';

const SERVER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'server.ts');

/** The forked core (server.ts): start, read its counters, stop. */
export class CoreProcess {
  #nextId = 1;
  readonly #waiting = new Map<number, (s: ServerStats) => void>();
  readonly #queries = new Map<
    number,
    { resolve: (rows: Record<string, unknown>[]) => void; reject: (e: Error) => void }
  >();
  #closed: Promise<void> | undefined;

  private constructor(
    readonly child: ChildProcess,
    readonly url: string,
  ) {
    child.on('message', (m: FromServer) => {
      if (m.type === 'stats') {
        this.#waiting.get(m.id)?.(m);
        this.#waiting.delete(m.id);
      } else if (m.type === 'rows' || m.type === 'sqlError') {
        const q = this.#queries.get(m.id);
        this.#queries.delete(m.id);
        if (m.type === 'rows') q?.resolve(m.rows);
        else q?.reject(new Error(`core database: ${m.message}`));
      }
    });
  }

  /** Forks the core with this process's loader flags (tsx) plus `extraExecArgv` (e.g. --cpu-prof). */
  static start(config: ServerConfig, extraExecArgv: string[] = []): Promise<CoreProcess> {
    const child = fork(SERVER, [], {
      execArgv: [...process.execArgv, ...extraExecArgv],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    return new Promise((resolve, reject) => {
      const onExit = (code: number | null) =>
        reject(new Error(`the core process exited (${code}) before it listened`));
      child.once('exit', onExit);
      child.on('message', (m: FromServer) => {
        if (m.type === 'ready') {
          child.off('exit', onExit);
          resolve(new CoreProcess(child, m.url));
        } else if (m.type === 'error') {
          child.off('exit', onExit);
          reject(new Error(`core process: ${m.message}`));
        }
      });
      child.send({ cmd: 'start', config } satisfies ToServer);
    });
  }

  /** CPU time, statements sent, event-loop figures; `reset` restarts the event-loop window. */
  stats(reset = false): Promise<ServerStats> {
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('core process: no stats answer')), 10_000);
      this.#waiting.set(id, (s) => {
        clearTimeout(timer);
        resolve(s);
      });
      this.child.send({ cmd: 'stats', id, reset } satisfies ToServer);
    });
  }

  /**
   * The core's own database as an `Sql` (PGlite has one owner, the core): the bench's data, ceiling
   * tables and checks go through it. `scan` turns index scans off (the brute-force search check).
   */
  sql(opts: { scan?: boolean } = {}): Sql {
    return {
      query: <R>(text: string, params?: unknown[]) =>
        new Promise<{ rows: R[] }>((resolve, reject) => {
          const id = this.#nextId++;
          this.#queries.set(id, { resolve: (rows) => resolve({ rows: rows as R[] }), reject });
          this.child.send({
            cmd: 'sql',
            id,
            text,
            ...(params ? { params } : {}),
            ...(opts.scan ? { scan: true } : {}),
          } satisfies ToServer);
        }),
    };
  }

  /** Asks the core to close (it closes the app and its pool, then exits); kills it after 15 s. */
  close(): Promise<void> {
    this.#closed ??= new Promise<void>((resolve) => {
      if (this.child.exitCode !== null || !this.child.connected) return resolve();
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 15_000);
      this.child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      this.child.send({ cmd: 'close' } satisfies ToServer);
    });
    return this.#closed;
  }
}
