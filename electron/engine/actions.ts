import type { BridgeCallArgs, OutboxMethod } from '@jiangxin/shared/bridge';
import { caseActionLabel } from '@jiangxin/shared/ops/actions';
import type { CaseSummary } from '@jiangxin/shared/ops/cases';
import type { CoreClient } from './net/core-client';

/** What the core answered to an action: the case as it is now, and what the action produced. */
export interface Applied {
  case: CaseSummary;
  result: Record<string, unknown>;
}

/** One action as the core takes it: the case it changes, how the pending list names it, how to send it. */
export interface ActionRequest {
  caseId: number;
  label: { zh: string; en: string };
  send(client: CoreClient, idempotencyKey: string): Promise<Applied>;
}

const preview = (content: string) => (content.length > 20 ? `${content.slice(0, 20)}…` : content);

/**
 * Every bridge method the contract marks `outbox: true`, translated into its core route. The table is
 * typed from the flag: marking a method queueable without a translation here (or leaving one here that is
 * not queueable) does not compile, and the engine queues exactly these.
 */
export const ACTIONS: { [M in OutboxMethod]: (args: BridgeCallArgs<M>) => ActionRequest } = {
  'cases.claim': ({ caseId, version }) => ({
    caseId,
    label: { zh: `认领工单 #${caseId}`, en: `Claim case #${caseId}` },
    send: async (client, idempotencyKey) => ({
      case: await client.call('claimCase', { params: { id: caseId }, body: { version } }, { idempotencyKey }),
      result: {},
    }),
  }),
  'cases.release': ({ caseId, ...body }) => ({
    caseId,
    label: { zh: `释放工单 #${caseId}`, en: `Release case #${caseId}` },
    send: async (client, idempotencyKey) => ({
      case: await client.call('releaseCase', { params: { id: caseId }, body }, { idempotencyKey }),
      result: {},
    }),
  }),
  'cases.assign': ({ caseId, ...body }) => ({
    caseId,
    label: { zh: `转交工单 #${caseId}`, en: `Assign case #${caseId}` },
    send: async (client, idempotencyKey) => ({
      case: await client.call('assignCase', { params: { id: caseId }, body }, { idempotencyKey }),
      result: {},
    }),
  }),
  'cases.perform': ({ caseId, version, kind, action, fields }) => {
    const name = caseActionLabel(kind, action);
    return {
      caseId,
      label: { zh: `${name.zh}：工单 #${caseId}`, en: `${name.en}: case #${caseId}` },
      send: (client, idempotencyKey) =>
        client.call(
          'performCaseAction',
          { params: { id: caseId, action }, body: { ...fields, version } },
          { idempotencyKey },
        ),
    };
  },
  'chat.send': ({ caseId, version, content, fileIds, cannedReplyId }) => ({
    caseId,
    label: { zh: `回复 #${caseId}：${preview(content)}`, en: `Reply #${caseId}: ${preview(content)}` },
    send: (client, idempotencyKey) =>
      client.call(
        'performCaseAction',
        {
          params: { id: caseId, action: 'reply' },
          body: { version, content, fileIds, ...(cannedReplyId ? { cannedReplyId } : {}) },
        },
        { idempotencyKey },
      ),
  }),
  'chat.note': ({ caseId, version, content }) => ({
    caseId,
    label: { zh: `内部备注 #${caseId}`, en: `Private note #${caseId}` },
    send: (client, idempotencyKey) =>
      client.call(
        'performCaseAction',
        { params: { id: caseId, action: 'note' }, body: { version, content } },
        { idempotencyKey },
      ),
  }),
};

/** Translates a validated outbox call into its core request. */
export function actionRequest<M extends OutboxMethod>(method: M, args: BridgeCallArgs<M>): ActionRequest {
  return (ACTIONS[method] as (a: BridgeCallArgs<M>) => ActionRequest)(args);
}
