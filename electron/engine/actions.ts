import type { BridgeArgs, BridgeMethod } from '@jiangxin/shared/bridge';

/** The bridge methods that change a case, and so may be queued in the outbox while offline. */
export type ActionMethod =
  | 'cases.claim'
  | 'cases.release'
  | 'cases.assign'
  | 'cases.perform'
  | 'chat.send'
  | 'chat.note';

export function isActionMethod(method: BridgeMethod): method is ActionMethod {
  return (
    method === 'cases.claim' ||
    method === 'cases.release' ||
    method === 'cases.assign' ||
    method === 'cases.perform' ||
    method === 'chat.send' ||
    method === 'chat.note'
  );
}

/** One action as the core takes it: where to POST, the body, and how the pending list names it. */
export interface ActionRequest {
  caseId: number;
  path: string;
  body: Record<string, unknown>;
  label: { zh: string; en: string };
}

type ActionArgs = { caseId: number; version: number } & Record<string, unknown>;

/** Translates an action call (arguments already validated against the contract) into its core request. */
export function actionRequest<M extends ActionMethod>(method: M, raw: BridgeArgs<M>): ActionRequest {
  const { caseId, ...body } = raw as ActionArgs;
  const at = `#${caseId}`;
  switch (method) {
    case 'cases.claim':
      return {
        caseId,
        path: `/ops/cases/${caseId}/claim`,
        body,
        label: { zh: `认领工单 ${at}`, en: `Claim case ${at}` },
      };
    case 'cases.release':
      return {
        caseId,
        path: `/ops/cases/${caseId}/release`,
        body,
        label: { zh: `释放工单 ${at}`, en: `Release case ${at}` },
      };
    case 'cases.assign':
      return {
        caseId,
        path: `/ops/cases/${caseId}/assign`,
        body,
        label: { zh: `转交工单 ${at}`, en: `Assign case ${at}` },
      };
    case 'cases.perform': {
      const { action, fields, ...rest } = body as {
        action: string;
        fields: Record<string, unknown>;
        version: number;
      };
      return {
        caseId,
        path: `/ops/cases/${caseId}/perform/${action}`,
        body: { ...fields, version: rest.version },
        label: { zh: `工单 ${at}：${action}`, en: `Case ${at}: ${action}` },
      };
    }
    case 'chat.send': {
      const { content, fileIds, cannedReplyId, version } = body as {
        content: string;
        fileIds: number[];
        cannedReplyId?: number;
        version: number;
      };
      const preview = content.length > 20 ? `${content.slice(0, 20)}…` : content;
      return {
        caseId,
        path: `/ops/cases/${caseId}/perform/reply`,
        body: { version, content, fileIds, ...(cannedReplyId ? { cannedReplyId } : {}) },
        label: { zh: `回复 ${at}：${preview}`, en: `Reply ${at}: ${preview}` },
      };
    }
    case 'chat.note': {
      const { content, version } = body as { content: string; version: number };
      return {
        caseId,
        path: `/ops/cases/${caseId}/perform/note`,
        body: { version, content },
        label: { zh: `内部备注 ${at}`, en: `Private note ${at}` },
      };
    }
  }
  throw new TypeError(`not an action method: ${String(method)}`);
}
