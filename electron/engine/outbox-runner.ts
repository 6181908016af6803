import {
  type ActionReceipt,
  BRIDGE_METHODS,
  type BridgeCallArgs,
  bridgeProblem,
  isOutboxMethod,
  type OutboxItem,
  type OutboxMethod,
} from '@jiangxin/shared/bridge';
import { type ActionRequest, type Applied, actionRequest } from './actions';
import { toOutboxItem } from './cache/outbox';
import type { EngineContext } from './context';
import { casesChanged } from './live';
import { CoreRefusal, CoreUnavailable, CoreUnreachable } from './net/core-client';
import type { EngineSession } from './session';
import type { Sessions } from './sessions';

/**
 * Actions and the durable outbox. An action is sent now when the core is there and nothing is queued
 * before it; otherwise it is stored (on disk before the call returns) to keep the person's order, and
 * replayed in order on reconnect. A direct call whose answer is lost is queued with the key it was sent
 * with, so its replay cannot apply it twice.
 */
export class OutboxRunner {
  private running: Promise<void> | null = null;
  private again = false;

  constructor(
    private readonly ctx: EngineContext,
    private readonly sessions: Sessions,
  ) {}

  /** Settled when no replay runs (a session ends only after its replay has stopped). */
  get replaying(): Promise<void> | null {
    return this.running;
  }

  async act<M extends OutboxMethod>(method: M, args: BridgeCallArgs<M>): Promise<ActionReceipt> {
    const session = this.sessions.require();
    const req = actionRequest(method, args);
    const queue = async (idempotencyKey?: string): Promise<ActionReceipt> => {
      const item = await session.cache.outboxEnqueue({
        method,
        args,
        caseId: req.caseId,
        label: req.label,
        idempotencyKey,
      });
      await this.sessions.publishOutbox();
      return { queued: true, outboxId: item.id, case: await session.cache.getCase(req.caseId), result: {} };
    };
    const ahead = (await session.cache.outboxPending()).length > 0 || this.running !== null;
    if (!session.online || ahead) {
      const receipt = await queue();
      if (session.resumed && session.sync?.status.state === 'online') this.ctx.background(this.replay());
      return receipt;
    }
    const key = crypto.randomUUID();
    try {
      const applied = await this.send(session, req, key);
      return { queued: false, outboxId: null, case: applied.case, result: applied.result };
    } catch (error) {
      // No answer, or the core cannot work now (503): kept in the outbox with its key, sent again later.
      if (error instanceof CoreUnavailable) this.sessions.unavailable(error);
      if (error instanceof CoreUnreachable) return queue(key);
      throw error;
    }
  }

  /**
   * Sends the pending items in the order they were taken. A refusal marks the item failed with the core's
   * reason and goes on with the next; no answer stops (the item goes back to pending) until the next
   * reconnect. Items on a case that an earlier item just moved carry the new version forward.
   */
  replay(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    const session = this.sessions.current;
    if (!session?.resumed) return Promise.resolve();
    this.running = this.replayAll(session).finally(() => {
      this.running = null;
    });
    return this.running;
  }

  async retry(id: number): Promise<OutboxItem> {
    const session = this.sessions.require();
    const item = await session.cache.outboxRetry(id);
    if (!item)
      throw new CoreRefusal(
        bridgeProblem('not_found', { zh: '该待发送操作已不存在', en: 'No such pending action' }),
      );
    await this.sessions.publishOutbox();
    this.ctx.background(this.replay());
    return toOutboxItem(item);
  }

  async dismiss(id: number): Promise<void> {
    const session = this.sessions.require();
    if (!(await session.cache.outboxDismiss(id))) {
      throw new CoreRefusal(
        bridgeProblem('outbox_item_busy', {
          zh: '该操作正在发送或已不存在，无法忽略',
          en: 'This action is being sent or no longer exists; it cannot be dismissed',
        }),
      );
    }
    await this.sessions.publishOutbox();
  }

  private async replayAll(session: EngineSession): Promise<void> {
    do {
      this.again = false;
      const moved = new Map<number, { from: number; to: number }>();
      for (const item of await session.cache.outboxPending()) {
        if (this.sessions.current !== session) return;
        const args = { ...(item.args as Record<string, unknown>) };
        const bump = item.caseId === null ? undefined : moved.get(item.caseId);
        if (bump && args['version'] === bump.from) args['version'] = bump.to;
        const sending = await session.cache.outboxMarkSending(item.id, args);
        if (!sending) continue;
        await this.sessions.publishOutbox();
        this.ctx.log(`outbox: sending #${item.id} ${item.method} (attempt ${sending.attempts})`);
        try {
          const req = await this.storedRequest(session, item.method, args);
          const applied = await this.send(session, req, item.idempotencyKey);
          await session.cache.outboxRemove(item.id);
          moved.set(req.caseId, { from: Number(args['version']), to: applied.case.version });
        } catch (error) {
          this.ctx.log(`outbox: #${item.id} ${(error as Error).message}`);
          if (error instanceof CoreRefusal) {
            await session.cache.outboxMarkFailed(item.id, error.problem);
            this.ctx.emit('notify', {
              kind: 'action_failed',
              title: this.ctx.say({
                zh: `未能完成：${item.label.zh}`,
                en: `Could not complete: ${item.label.en}`,
              }),
              body: this.ctx.say(error.problem.message),
              caseId: item.caseId,
            });
          } else {
            // Not a refusal: no answer, or 503 (the core's database is down). The item waits; the sync
            // loop's next `ready` (the core working again) replays it.
            await session.cache.outboxRetry(item.id);
            await this.sessions.publishOutbox();
            if (error instanceof CoreUnavailable) this.sessions.unavailable(error);
            return;
          }
        }
        await this.sessions.publishOutbox();
      }
    } while (this.again);
  }

  /**
   * A stored item checked against the contract again before it is sent (it was written by this or an
   * earlier build). An action stored before `cases.perform` named the case's kind takes it from the cache.
   */
  private async storedRequest(session: EngineSession, method: string, args: Record<string, unknown>) {
    if (method === 'cases.perform' && args['kind'] === undefined && typeof args['caseId'] === 'number')
      args['kind'] = (await session.cache.getCase(args['caseId']))?.kind;
    const parsed = isOutboxMethod(method) ? BRIDGE_METHODS[method].args.safeParse(args) : null;
    if (!parsed?.success)
      throw new CoreRefusal(
        bridgeProblem('bad_call', {
          zh: '这项待发送操作无法识别，请重新操作',
          en: 'This pending action cannot be read; please do it again',
        }),
      );
    return actionRequest(method as OutboxMethod, parsed.data as never);
  }

  /** One action to the core; its answer updates the cache at once (the live event confirms it later). */
  private async send(session: EngineSession, req: ActionRequest, idempotencyKey: string): Promise<Applied> {
    session.actedOnNow(req.caseId);
    const applied = await req.send(session.client, idempotencyKey);
    const changes = await session.cache.putCase(applied.case);
    if (changes.upserted.length) await casesChanged(this.ctx, this.sessions, session, changes, false);
    return applied;
  }
}
