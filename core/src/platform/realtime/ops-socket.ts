import type { Server } from 'socket.io';
import type { Db } from '../db/database';
import type { EventDispatcher } from '../events/dispatcher';
import type { AccessTokens } from '../http/auth';

/** The staff namespace `/ops` (live case stream with resume, presence, typing). */
export function attachOpsNamespace(
  _io: Server,
  _opts: { db: Db; tokens: AccessTokens; dispatcher: EventDispatcher },
): { close(): void } {
  return { close() {} };
}
