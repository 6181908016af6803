import { BRIDGE_METHODS, OUTBOX_METHODS } from '@jiangxin/shared/bridge';
import { CASE_ACTIONS } from '@jiangxin/shared/ops/actions';
import { OPS_ROUTES, type OpsRouteDef } from '@jiangxin/shared/ops/routes';
import { describe, expect, it } from 'vitest';
import { ACTIONS, actionRequest } from './actions';
import { HANDLERS } from './handlers';
import type { CoreClient } from './net/core-client';

/** Records what an action would send, by route name (no network: this checks the translation only). */
function recorder() {
  const calls: { name: string; input: unknown; key: string | undefined }[] = [];
  const client = {
    call: async (name: string, input: unknown, opts?: { idempotencyKey?: string }) => {
      calls.push({ name, input, key: opts?.idempotencyKey });
      return { id: 1, version: 2 };
    },
  } as unknown as CoreClient;
  return { calls, client };
}

describe('the engine’s handler table', () => {
  it('has exactly one handler per bridge method of the contract', () => {
    expect(Object.keys(HANDLERS).sort()).toEqual(Object.keys(BRIDGE_METHODS).sort());
  });

  it('queues exactly the methods the contract marks `outbox: true`', () => {
    expect(OUTBOX_METHODS.length).toBeGreaterThan(0);
    expect(Object.keys(ACTIONS).sort()).toEqual([...OUTBOX_METHODS].sort());
  });

  it('sends an action to its declared route with the idempotency key, named in the person’s words', async () => {
    const { calls, client } = recorder();
    const req = actionRequest('cases.perform', {
      caseId: 42,
      version: 3,
      kind: 'payout',
      action: 'reject_payout',
      fields: { reason: '银行卡户名与实名不符' },
    });
    expect(req.label).toEqual({ zh: '驳回提现：工单 #42', en: 'Reject payout: case #42' });
    await req.send(client, 'key-1');
    expect(calls).toEqual([
      {
        name: 'performCaseAction',
        input: {
          params: { id: 42, action: 'reject_payout' },
          body: { reason: '银行卡户名与实名不符', version: 3 },
        },
        key: 'key-1',
      },
    ]);
    expect((OPS_ROUTES[calls[0]!.name as keyof typeof OPS_ROUTES] as OpsRouteDef).idempotent).toBe(true);

    const claim = actionRequest('cases.claim', { caseId: 7, version: 1 });
    await claim.send(client, 'key-2');
    expect(calls[1]).toMatchObject({ name: 'claimCase', input: { params: { id: 7 }, body: { version: 1 } } });
  });

  it('every declared case action has a label in both languages, so the pending list never shows a code', () => {
    for (const actions of Object.values(CASE_ACTIONS))
      for (const spec of Object.values(actions)) {
        expect(spec.label.zh).toMatch(/\p{Script=Han}/u);
        expect(spec.label.en).toMatch(/^[A-Z]/);
      }
  });
});
