import { describe, expect, it } from 'vitest';
import {
  BRIDGE_EVENTS,
  BRIDGE_METHODS,
  BridgeContractError,
  type ConsoleBridge,
  isBridgeMethod,
  parseBridgeCall,
} from './bridge';

describe('console bridge contract', () => {
  it('names every method domain.verb and every event domain.verb (or one word)', () => {
    for (const name of Object.keys(BRIDGE_METHODS)) expect(name).toMatch(/^[a-z][a-zA-Z]*\.[a-z][a-zA-Z]*$/);
    for (const name of Object.keys(BRIDGE_EVENTS))
      expect(name).toMatch(/^[a-z][a-zA-Z]*(\.[a-z][a-zA-Z]*)?$/);
  });

  it('queues exactly the actions that change cases or chats while offline', () => {
    const queued = Object.entries(BRIDGE_METHODS)
      .filter(([, m]) => m.outbox)
      .map(([n]) => n)
      .sort();
    expect(queued).toEqual([
      'cases.assign',
      'cases.claim',
      'cases.perform',
      'cases.release',
      'chat.note',
      'chat.send',
    ]);
  });

  it('accepts well-formed calls and fills defaults', () => {
    expect(parseBridgeCall('cases.claim', { caseId: 7, version: 3 }).args).toEqual({ caseId: 7, version: 3 });
    const list = parseBridgeCall('cases.list', { kinds: ['payout'], q: '提现' }).args as Record<
      string,
      unknown
    >;
    expect(list).toMatchObject({ kinds: ['payout'], q: '提现', sort: 'sla', offset: 0, limit: 200 });
    const perform = parseBridgeCall('cases.perform', {
      caseId: 1,
      version: 2,
      kind: 'payout',
      action: 'approve_payout',
    });
    expect(perform.args).toEqual({
      caseId: 1,
      version: 2,
      kind: 'payout',
      action: 'approve_payout',
      fields: {},
    });
    // The action's own defaults are filled (a listing rejection's note) and its text rules applied.
    const reject = parseBridgeCall('cases.perform', {
      caseId: 1,
      version: 2,
      kind: 'listing_review',
      action: 'reject',
      fields: { reason: 'contact_info' },
    });
    expect((reject.args as { fields: unknown }).fields).toEqual({ reason: 'contact_info', note: '' });
    expect(parseBridgeCall('auth.session', undefined).args).toEqual({});
  });

  it('refuses unknown methods and bad arguments, naming the field', () => {
    expect(() => parseBridgeCall('fs.readFile', { path: '/etc/passwd' })).toThrow(BridgeContractError);
    expect(() => parseBridgeCall('__proto__', {})).toThrow(/unknown bridge method/);
    expect(isBridgeMethod('toString')).toBe(false);
    try {
      parseBridgeCall('cases.claim', { caseId: -1 });
      expect.unreachable();
    } catch (err) {
      const fields = (err as BridgeContractError).issues.map((i) => i.field);
      expect(fields).toEqual(expect.arrayContaining(['caseId', 'version']));
    }
    expect(() => parseBridgeCall('auth.logout', { extra: 1 })).toThrow(BridgeContractError);
    expect(() =>
      parseBridgeCall('cases.perform', { caseId: 1, version: 1, kind: 'payout', action: 'DROP TABLE' }),
    ).toThrow(BridgeContractError);
    // An action another kind has, a kind the action lacks, a field the action does not take: each named.
    const issuesOf = (args: unknown) => {
      try {
        parseBridgeCall('cases.perform', args);
      } catch (error) {
        return (error as BridgeContractError).issues.map((i) => i.field);
      }
      return [];
    };
    expect(issuesOf({ caseId: 1, version: 1, kind: 'payout', action: 'uphold' })).toEqual(['action']);
    expect(issuesOf({ caseId: 1, version: 1, action: 'approve_payout' })).toEqual(['kind']);
    expect(
      issuesOf({ caseId: 1, version: 1, kind: 'payout', action: 'reject_payout', fields: { reson: 'x' } }),
    ).toEqual(['fields.reason', 'fields']);
    expect(() => parseBridgeCall('users.reveal', { userId: 3, field: 'phone', reason: '' })).toThrow(
      BridgeContractError,
    );
  });

  it('types a bridge implementation against the contract', async () => {
    // A minimal in-memory implementation: the compiler checks method names, argument and result types.
    const bridge: ConsoleBridge = {
      async call(method, args) {
        parseBridgeCall(method, args);
        if (method === 'auth.session') return null as never;
        throw new Error(`not implemented: ${method}`);
      },
      on() {
        return () => {};
      },
    };
    await expect(bridge.call('auth.session', {})).resolves.toBeNull();
    await expect(bridge.call('cases.claim', { caseId: 1, version: 1 })).rejects.toThrow(/not implemented/);
  });
});
