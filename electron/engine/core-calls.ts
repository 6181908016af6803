import type { BridgeArgs, BridgeMethod } from '@jiangxin/shared/bridge';
import type { CoreClient } from './net/core-client';

/**
 * Bridge methods that are one request to the core and nothing else: no cache, no outbox, no event. They
 * need the core (the engine refuses them offline with the usual "cannot reach the platform" problem);
 * the core's answer is the result. Everything that touches the cache or the outbox stays in engine.ts.
 */
type CoreCall<M extends BridgeMethod> = (client: CoreClient, args: BridgeArgs<M>) => Promise<unknown>;
type CoreCalls = { [M in BridgeMethod]?: CoreCall<M> };

export const CORE_CALLS: CoreCalls = {
  'payouts.batchApprove': (c, args) => c.post('/ops/payouts/batch-approve', args),
  'chat.unread': (c) => c.get('/ops/support/unread'),
  'cannedReplies.list': (c, { q }) => c.get('/ops/canned-replies', { params: q ? { q } : {} }),
  'cannedReplies.create': (c, args) => c.post('/ops/canned-replies', args),
  'cannedReplies.update': (c, { id, ...body }) => c.patch(`/ops/canned-replies/${id}`, body),
  'cannedReplies.delete': (c, { id }) => c.delete(`/ops/canned-replies/${id}`),
  'users.context': (c, { userId }) => c.get(`/ops/users/${userId}/context`),
  'users.reveal': (c, { userId, field, reason }) => c.post(`/ops/users/${userId}/reveal`, { field, reason }),
  'ledger.transactions': (c, args) => c.get('/ops/ledger/transactions', { params: args }),
  'ledger.accounts': (c, args) => c.get('/ops/ledger/accounts', { params: args }),
  'stats.get': (c, args) => c.get('/ops/stats', { params: args }),
  'audit.list': (c, args) => c.get('/ops/audit', { params: args }),
  'audit.verify': (c) => c.get('/ops/audit/verify'),
  'settings.get': (c) => c.get('/ops/settings'),
  'settings.update': (c, args) => c.put('/ops/settings', args),
  'staff.directory': (c, { kind }) => c.get('/ops/staff/directory', { params: kind ? { kind } : {} }),
  'staff.list': (c) => c.get('/ops/staff'),
  'staff.create': (c, args) => c.post('/ops/staff', args),
  'staff.setRoles': (c, { id, ...body }) => c.put(`/ops/staff/${id}/roles`, body),
  'staff.disable': (c, { id, ...body }) => c.post(`/ops/staff/${id}/disable`, body),
  'staff.enable': (c, { id, ...body }) => c.post(`/ops/staff/${id}/enable`, body),
};
