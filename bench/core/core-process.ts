import { type ChildProcess, fork } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FromServer, ServerConfig, ServerStats, ToServer } from './ipc';

const SERVER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'server.ts');

/** The forked core (server.ts): start, read its counters, stop. */
export class CoreProcess {
  #nextId = 1;
  readonly #waiting = new Map<number, (s: ServerStats) => void>();
  #closed: Promise<void> | undefined;

  private constructor(
    readonly child: ChildProcess,
    readonly url: string,
  ) {
    child.on('message', (m: FromServer) => {
      if (m.type === 'stats') {
        this.#waiting.get(m.id)?.(m);
        this.#waiting.delete(m.id);
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
