/**
 * The real core in its own process for bench:engine: bench/ops/core.ts (`buildApp` on PostgreSQL,
 * 127.0.0.1 port 0, silent, no sweeper, plus the `emit` command that commits `case.upserted` events at a
 * fixed rate the way the core's commands do), driven over IPC.
 */
import { type ChildProcess, fork } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CoreCommand, CoreReply } from '../ops/core';

const opsCore = path.join(path.dirname(fileURLToPath(import.meta.url)), '../ops/core.ts');

export interface CoreHandle {
  child: ChildProcess;
  url: string;
  /** Commits `rate` `case.upserted` per second for `seconds` (cycling over the first 1,000 cases). */
  emit(rate: number, seconds: number): Promise<Extract<CoreReply, { type: 'emitted' }>>;
  close(): Promise<void>;
}

export async function forkCore(start: Extract<CoreCommand, { cmd: 'start' }>): Promise<CoreHandle> {
  const child = fork(opsCore, [], { execArgv: process.execArgv, stdio: 'inherit' });
  const url = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the core exited (${code})`)));
    child.once('message', (m: CoreReply) => {
      if (m.type === 'ready') resolve(m.url);
      else reject(new Error(`core: ${JSON.stringify(m)}`));
    });
    child.send(start);
  });
  child.removeAllListeners('exit');
  return {
    child,
    url,
    emit: (rate, seconds) =>
      new Promise((resolve, reject) => {
        const onMessage = (m: CoreReply) => {
          child.off('message', onMessage);
          if (m.type === 'emitted') resolve(m);
          else reject(new Error(`core: ${JSON.stringify(m)}`));
        };
        child.on('message', onMessage);
        child.send({ cmd: 'emit', rate, seconds } satisfies CoreCommand);
      }),
    close: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.send({ cmd: 'close' } satisfies CoreCommand);
      await exited;
    },
  };
}
