import {
  type BridgeCallArgs,
  type BridgeMethod,
  type BridgeResult,
  bridgeProblem,
  FILE_CONTENT_MAX_BYTES,
  type OutboxMethod,
} from '@jiangxin/shared/bridge';
import { MAX_SAVED_VIEWS } from '@jiangxin/shared/console/views';
import { OPS_STREAM } from '@jiangxin/shared/ops/stream';
import axios, { type AxiosError } from 'axios';
import { toOutboxItem } from './cache/outbox';
import type { EngineContext } from './context';
import { CoreRefusal, CoreUnavailable, CoreUnreachable, toCoreError } from './net/core-client';
import type { OutboxRunner } from './outbox-runner';
import type { EngineSession } from './session';
import type { Sessions } from './sessions';
import { TooManyViews } from './settings';

/** What a bridge method's handler works with. */
export interface EngineParts {
  ctx: EngineContext;
  sessions: Sessions;
  outbox: OutboxRunner;
}
type Handler<M extends BridgeMethod> = (
  e: EngineParts,
  args: BridgeCallArgs<M>,
) => Promise<BridgeResult<M>> | BridgeResult<M>;

/** Queueable methods all take the same path: sent now, or kept in the outbox (see outbox-runner.ts). */
const queued =
  <M extends OutboxMethod>(method: M): Handler<M> =>
  (e, args) =>
    e.outbox.act(method, args) as Promise<BridgeResult<M>>;

/**
 * Reads that prefer the core and fall back to the cache: the core's answer when it is there (a 503 marks
 * the status `unavailable`), otherwise `offline()`. Refusals are not swallowed.
 */
async function coreOrCache<T>(
  e: EngineParts,
  fromCore: (() => Promise<T>) | null,
  offline: () => Promise<T>,
): Promise<T> {
  if (fromCore) {
    try {
      return await fromCore();
    } catch (error) {
      if (!(error instanceof CoreUnreachable)) throw error;
      if (error instanceof CoreUnavailable) e.sessions.unavailable(error);
    }
  }
  return offline();
}

const ok = { ok: true } as const;

/**
 * A queue's team views: from the core when it answers (and kept in the settings file, per account and
 * queue), otherwise the last copy kept there — so the team's views still show offline.
 */
async function teamViews(e: EngineParts, workspace: string): Promise<BridgeResult<'teamViews.list'>> {
  const session = e.sessions.require();
  const userId = session.info.userId;
  return coreOrCache<BridgeResult<'teamViews.list'>>(
    e,
    session.resumed
      ? async () => {
          const list = await session.client.call('listTeamViews', { query: { workspace } });
          const result = {
            ...list,
            offline: false,
            cachedAt: (e.ctx.opts.now?.() ?? new Date()).toISOString(),
          };
          e.ctx.settings.putTeamViews(userId, workspace, result);
          return result;
        }
      : null,
    async () => {
      const kept = e.ctx.settings.teamViews(userId, workspace);
      return kept ? { ...kept, offline: true } : { teams: [], items: [], offline: true, cachedAt: null };
    },
  );
}

const TEAM_VIEWS_NEED_CORE = {
  zh: '共享或删除团队视图需要联网，请恢复连接后再试',
  en: 'Sharing or deleting a team view needs a connection; try again once you are back online',
};

/**
 * Sharing and deleting team views change what the whole team sees, so they are never queued: offline
 * (or when the core cannot be reached) they are refused with `needs_online`; done, the list is re-read.
 */
async function needsCore(
  e: EngineParts,
  workspace: string,
  call: (s: EngineSession) => Promise<unknown>,
): Promise<BridgeResult<'teamViews.list'>> {
  const session = e.sessions.current;
  const refuse = () => new CoreRefusal(bridgeProblem('needs_online', TEAM_VIEWS_NEED_CORE));
  if (!session?.resumed) throw session ? refuse() : e.sessions.require();
  try {
    await call(session);
  } catch (error) {
    if (error instanceof CoreUnreachable) throw refuse();
    throw error;
  }
  return teamViews(e, workspace);
}

/**
 * Every bridge method's handler, by name. The `satisfies` clause makes a method in the contract without a
 * handler (or a handler with the wrong arguments or result) a type error.
 */
export const HANDLERS = {
  'auth.login': (e, args) => e.sessions.login(args),
  'auth.logout': async (e) => {
    await e.sessions.logout();
    return ok;
  },
  'auth.session': (e) => e.sessions.current?.info ?? null,
  'config.get': (e) => {
    const { coreUrl, locale, theme } = e.ctx.settings.get();
    return { coreUrl, locale, theme };
  },
  'config.set': (e, patch) => {
    const session = e.sessions.current;
    if (patch.coreUrl && session && patch.coreUrl !== session.info.coreUrl) {
      throw new CoreRefusal(
        bridgeProblem('signed_in', {
          zh: '请先退出登录，再更换平台服务地址',
          en: 'Sign out before switching to another platform address',
        }),
      );
    }
    const { coreUrl, locale, theme } = e.ctx.settings.update(patch);
    return { coreUrl, locale, theme };
  },
  'views.list': (e, { workspace }) => ({
    items: e.ctx.settings.views(e.sessions.require().info.userId, workspace),
  }),
  'views.save': (e, { workspace, name, state }) => {
    const userId = e.sessions.require().info.userId;
    try {
      return { items: e.ctx.settings.saveView(userId, workspace, name, state, new Date()) };
    } catch (err) {
      if (!(err instanceof TooManyViews)) throw err;
      throw new CoreRefusal(
        bridgeProblem('too_many_views', {
          zh: `每个队列最多保存 ${MAX_SAVED_VIEWS} 个视图，请先删除不用的视图`,
          en: `At most ${MAX_SAVED_VIEWS} saved views per queue; delete one you no longer use first`,
        }),
      );
    }
  },
  'views.delete': (e, { workspace, name }) => ({
    items: e.ctx.settings.deleteView(e.sessions.require().info.userId, workspace, name),
  }),
  'teamViews.list': (e, { workspace }) => teamViews(e, workspace),
  'teamViews.share': (e, body) =>
    needsCore(e, body.workspace, (s) => s.client.call('shareTeamView', { body })),
  'teamViews.delete': (e, { workspace, id }) =>
    needsCore(e, workspace, (s) => s.client.call('deleteTeamView', { params: { id } })),
  'sync.status': (e) => e.sessions.status,
  'sync.resync': async (e) => {
    await e.sessions.online().sync?.resync();
    return e.sessions.status;
  },

  // ── cases (from the cache, so they work offline) ──────────────────────────────────────────────────
  'cases.list': (e, query) => e.sessions.require().cache.listCases(query),
  'cases.get': async (e, { caseId }) => {
    const session = e.sessions.require();
    return coreOrCache(
      e,
      session.online
        ? async () => {
            const detail = await session.client.call('getCase', { params: { id: caseId } });
            await session.cache.putDetail(detail);
            return { detail, cachedAt: (e.ctx.opts.now?.() ?? new Date()).toISOString(), stale: false };
          }
        : null,
      () => session.cache.getDetail(caseId),
    );
  },
  'cases.claim': queued('cases.claim'),
  'cases.release': queued('cases.release'),
  'cases.assign': queued('cases.assign'),
  'cases.perform': queued('cases.perform'),
  'search.query': (e, { q, limit }) => e.sessions.require().cache.search(q, limit),
  'presence.view': (e, { caseId }) => {
    e.sessions.require().sync?.emit(OPS_STREAM.presenceView, { caseId });
    return ok;
  },
  'presence.leave': (e, { caseId }) => {
    e.sessions.require().sync?.emit(OPS_STREAM.presenceLeave, { caseId });
    return ok;
  },

  // ── support chats ────────────────────────────────────────────────────────────────────────────────
  /** Newest page first, older pages by cursor; offline the cached messages, one page. */
  'chat.messages': async (e, { caseId, cursor }) => {
    const session = e.sessions.require();
    return coreOrCache<BridgeResult<'chat.messages'>>(
      e,
      session.resumed
        ? async () => {
            const page = await session.client.call('listSupportMessages', {
              params: { caseId },
              query: cursor ? { cursor } : {},
            });
            await session.cache.putChatMessages(caseId, page.items);
            return { ...page, offline: false };
          }
        : null,
      async () => ({
        items: cursor ? [] : await session.cache.listChatMessages(caseId),
        nextCursor: null,
        offline: true,
      }),
    );
  },
  'chat.send': queued('chat.send'),
  'chat.note': queued('chat.note'),
  'chat.markRead': async (e, { caseId, upToMessageId }) => {
    const session = e.sessions.online();
    await session.client.call('markSupportRead', { params: { caseId }, body: { upToMessageId } });
    e.sessions.refreshUnread(session, 0);
    return ok;
  },
  'chat.typing': (e, { caseId }) => {
    e.sessions.require().sync?.emit(OPS_STREAM.typing, { caseId });
    return ok;
  },
  'chat.unread': (e) => e.sessions.online().client.call('getSupportUnread', {}),
  /** Online from the core; offline the newest cached message the customer can see, per chat. */
  'chat.previews': async (e, { caseIds }) => {
    const session = e.sessions.require();
    if (caseIds.length === 0) return { items: [] };
    return coreOrCache(
      e,
      session.resumed ? () => session.client.call('listSupportPreviews', { query: { caseIds } }) : null,
      async () => {
        const items: BridgeResult<'chat.previews'>['items'] = [];
        for (const caseId of caseIds) {
          const cached = await session.cache.listChatMessages(caseId, { limit: 20 });
          const last = cached.filter((m) => !m.isNote).at(-1);
          if (last) {
            const { isNote: _n, cannedReplyId: _c, ...lastMessage } = last;
            items.push({ caseId, lastMessage });
          }
        }
        return { items };
      },
    );
  },
  'cannedReplies.list': (e, { q }) =>
    e.sessions.online().client.call('listCannedReplies', { query: q ? { q } : {} }),
  'cannedReplies.create': (e, body) => e.sessions.online().client.call('createCannedReply', { body }),
  'cannedReplies.update': (e, { id, ...body }) =>
    e.sessions.online().client.call('updateCannedReply', { params: { id }, body }),
  'cannedReplies.delete': (e, { id }) =>
    e.sessions.online().client.call('deleteCannedReply', { params: { id } }),
  'users.context': (e, { userId }) =>
    e.sessions.online().client.call('getCustomerContext', { params: { id: userId } }),
  'customers.get': (e, { userId }) =>
    e.sessions.online().client.call('getCustomerPage', { params: { id: userId } }),
  'orders.get': (e, { orderId }) =>
    e.sessions.online().client.call('getOrderPage', { params: { id: orderId } }),
  'users.reveal': (e, { userId, ...body }) =>
    e.sessions.online().client.call('revealPersonalData', { params: { id: userId }, body }),
  'files.content': (e, { fileId }) => fileContent(e.sessions.online(), fileId),

  // ── the outbox ───────────────────────────────────────────────────────────────────────────────────
  'outbox.list': async (e) => ({
    items: (await e.sessions.require().cache.outboxList()).map(toOutboxItem),
  }),
  'outbox.retry': (e, { id }) => e.outbox.retry(id),
  'outbox.dismiss': async (e, { id }) => {
    await e.outbox.dismiss(id);
    return ok;
  },

  // ── one request to the core each (they need the core; offline they are refused) ───────────────────
  'payouts.batchApprove': (e, body) => e.sessions.online().client.call('batchApprovePayouts', { body }),
  'stats.get': (e, query) => e.sessions.online().client.call('getStats', { query }),
  'ledger.transactions': (e, query) => e.sessions.online().client.call('listLedgerTransactions', { query }),
  'ledger.accounts': (e, query) => e.sessions.online().client.call('listLedgerAccounts', { query }),
  'audit.list': (e, query) => e.sessions.online().client.call('listAudit', { query }),
  'audit.verify': (e) => e.sessions.online().client.call('verifyAudit', {}),
  'settings.get': (e) => e.sessions.online().client.call('getSettings', {}),
  'settings.update': (e, body) => e.sessions.online().client.call('updateSettings', { body }),
  'staff.directory': (e, { kind }) =>
    e.sessions.online().client.call('staffDirectory', { query: kind ? { kind } : {} }),
  'staff.list': (e) => e.sessions.online().client.call('listStaff', {}),
  'staff.create': (e, body) => e.sessions.online().client.call('createStaff', { body }),
  'staff.setRoles': (e, { id, ...body }) =>
    e.sessions.online().client.call('setStaffRoles', { params: { id }, body }),
  'staff.disable': (e, { id, ...body }) =>
    e.sessions.online().client.call('disableStaff', { params: { id }, body }),
  'staff.enable': (e, { id, ...body }) =>
    e.sessions.online().client.call('enableStaff', { params: { id }, body }),
  'teams.list': (e) => e.sessions.online().client.call('listTeams', {}),
  'teams.create': (e, body) => e.sessions.online().client.call('createTeam', { body }),
  'teams.update': (e, { id, team }) =>
    e.sessions.online().client.call('updateTeam', { params: { id }, body: team }),
  'presence.get': (e) => e.sessions.online().client.call('getMyPresence', {}),
  'presence.set': (e, body) => e.sessions.online().client.call('setMyPresence', { body }),

  'app.openExternal': async (e, { url }) => {
    const open = e.ctx.opts.openExternal;
    if (!open)
      throw new CoreRefusal(
        bridgeProblem('unsupported', {
          zh: '此环境不能打开外部链接',
          en: 'Links cannot be opened from here',
        }),
      );
    if (!(await open(url)))
      throw new CoreRefusal(
        bridgeProblem('link_not_allowed', {
          zh: '出于安全考虑，运营台只打开平台文档等允许的链接',
          en: 'For safety the console only opens allowed links (such as the platform docs)',
        }),
      );
    return ok;
  },
} satisfies { [M in BridgeMethod]: Handler<M> };

/**
 * A picture the core sent to object storage: fetched from the presigned URL without the session's token
 * (the URL carries its own signature, valid for minutes), no further redirects, the same size bound.
 */
async function fromStorage(
  url: string,
): Promise<{ data: unknown; headers: Record<string, unknown>; status: number }> {
  try {
    if (!/^https?:\/\//.test(url)) throw new Error('no storage URL in the redirect');
    const res = await axios.get(url, {
      responseType: 'arraybuffer',
      maxContentLength: FILE_CONTENT_MAX_BYTES,
      maxRedirects: 0,
      timeout: 15_000,
    });
    return { data: res.data, headers: res.headers as Record<string, unknown>, status: res.status };
  } catch (error) {
    const e = error as AxiosError;
    if (e.code === 'ERR_BAD_RESPONSE' && !e.response)
      throw new CoreRefusal(
        bridgeProblem('file_too_large', {
          zh: '文件太大，无法在运营台中打开',
          en: 'The file is too large to open in the console',
        }),
      );
    throw new CoreRefusal(
      bridgeProblem('service_unavailable', {
        zh: '文件存储暂时无法访问，请稍后再试',
        en: 'File storage cannot be reached right now; try again shortly',
      }),
    );
  }
}

/** A file's bytes for the page (chat thumbnails, downloads); problems come back as the core's JSON. */
async function fileContent(session: EngineSession, fileId: number): Promise<BridgeResult<'files.content'>> {
  let res: { data: unknown; headers: Record<string, unknown>; status: number };
  try {
    res = await session.client.http.get(`/files/${fileId}/content`, {
      responseType: 'arraybuffer',
      maxContentLength: FILE_CONTENT_MAX_BYTES,
      // With object storage the core answers a picture 302 to a presigned URL of the bucket.
      validateStatus: (status) => (status >= 200 && status < 300) || status === 302,
      // An error body is JSON (so the token refresh and the problem's reason still work).
      transformResponse: [
        (data: unknown, _headers: unknown, status?: number) => {
          if (status === undefined || status < 400) return data;
          try {
            return JSON.parse(Buffer.from(data as ArrayBuffer).toString('utf8'));
          } catch {
            return {};
          }
        },
      ],
    });
  } catch (error) {
    const e = toCoreError(error);
    // axios gives up on a body over maxContentLength with ERR_BAD_RESPONSE and no response.
    if (e instanceof CoreUnreachable && e.reason === 'ERR_BAD_RESPONSE')
      throw new CoreRefusal(
        bridgeProblem('file_too_large', {
          zh: '文件太大，无法在运营台中打开',
          en: 'The file is too large to open in the console',
        }),
      );
    throw e;
  }
  if (res.status === 302) res = await fromStorage(String(res.headers['location'] ?? ''));
  const bytes = Buffer.from(res.data as ArrayBuffer);
  const contentType =
    String(res.headers['content-type'] ?? 'application/octet-stream')
      .split(';')[0]
      ?.trim() || 'application/octet-stream';
  return {
    contentType,
    sizeBytes: bytes.length,
    dataUrl: `data:${contentType};base64,${bytes.toString('base64')}`,
  };
}
