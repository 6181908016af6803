import type { EventEnvelope } from '@jiangxin/shared/events';
import {
  OPS_STREAM,
  type OpsReady,
  type OpsResync,
  opsStreamAllows,
  opsStreamScope,
  type Presence,
} from '@jiangxin/shared/ops/stream';
import type { StaffRole } from '@jiangxin/shared/permissions';
import { sql } from 'kysely';
import { io, type Socket } from 'socket.io-client';
import type { Db } from '../db/database';

/** A staff console on `/ops` that records everything it receives (tests and the bench). */
export interface OpsConsole {
  socket: Socket;
  events: EventEnvelope[];
  resyncs: OpsResync[];
  presence: Presence[];
  typing: { caseId: number; side: string }[];
  ready: Promise<OpsReady>;
  close(): void;
}

export function connectOps(
  baseUrl: string,
  auth: { token: string; lastSeq?: number },
  opts: { transports?: ('websocket' | 'polling')[] } = {},
): OpsConsole {
  const socket = io(`${baseUrl}/ops`, {
    auth,
    transports: opts.transports ?? ['websocket'],
    reconnection: false,
    forceNew: true,
  });
  const c: OpsConsole = {
    socket,
    events: [],
    resyncs: [],
    presence: [],
    typing: [],
    ready: new Promise((resolve, reject) => {
      socket.once(OPS_STREAM.ready, resolve);
      socket.once('connect_error', reject);
    }),
    close: () => socket.close(),
  };
  c.ready.catch(() => {});
  socket.on(OPS_STREAM.event, (e: EventEnvelope) => c.events.push(e));
  socket.on(OPS_STREAM.resync, (r: OpsResync) => c.resyncs.push(r));
  socket.on(OPS_STREAM.presence, (p: Presence) => c.presence.push(p));
  socket.on(OPS_STREAM.typing, (t: { caseId: number; side: string }) => c.typing.push(t));
  return c;
}

/** The seqs after `after` that a member with `roles` should receive, straight from the events table. */
export async function expectedSeqs(
  db: Db,
  roles: StaffRole[],
  after: number,
  upTo = Number.MAX_SAFE_INTEGER,
) {
  const scope = opsStreamScope(roles);
  const rows = await sql<{ seq: number; type: string; payload: unknown }>`
    SELECT seq, type, payload FROM events WHERE seq > ${after} AND seq <= ${upTo} ORDER BY seq`.execute(
    db.write,
  );
  return rows.rows.filter((r) => opsStreamAllows(scope, r.type, r.payload)).map((r) => Number(r.seq));
}

export async function headSeq(db: Db): Promise<number> {
  const r = await sql<{ head: number | null }>`SELECT max(seq) AS head FROM events`.execute(db.write);
  return Number(r.rows[0]?.head ?? 0);
}

export async function unsequenced(db: Db): Promise<number> {
  const r = await sql<{ n: number }>`SELECT count(*)::int AS n FROM events WHERE seq IS NULL`.execute(
    db.write,
  );
  return Number(r.rows[0]?.n ?? 0);
}
