import { describe, expect, it } from 'vitest';
import {
  allowedOrderActions,
  nextStatus,
  ORDER_ACTIONS,
  type ORDER_STATUSES,
  ORDER_TRANSITIONS,
  parseOrderReference,
} from './orders';

const facts = (
  status: (typeof ORDER_STATUSES)[number],
  extra: Partial<Parameters<typeof allowedOrderActions>[0]> = {},
) => ({
  status,
  revisionsUsed: 0,
  revisionsAllowed: 2,
  cancellationRequestedBy: null,
  ...extra,
});

describe('order transition table', () => {
  it('follows the seed flow: paid → accepted → delivered → completed', () => {
    expect(nextStatus('mark_paid', 'awaiting_payment', 'system')).toBe('pending_acceptance');
    expect(nextStatus('accept', 'pending_acceptance', 'freelancer')).toBe('in_progress');
    expect(nextStatus('deliver', 'in_progress', 'freelancer')).toBe('delivered');
    expect(nextStatus('complete', 'delivered', 'client')).toBe('completed');
  });

  it('refuses the wrong actor and the wrong state', () => {
    expect(nextStatus('accept', 'pending_acceptance', 'client')).toBeNull();
    expect(nextStatus('complete', 'in_progress', 'client')).toBeNull();
    expect(nextStatus('mark_paid', 'awaiting_payment', 'client')).toBeNull();
  });

  it('never leaves a final state except by staff resolving a dispute', () => {
    for (const action of ORDER_ACTIONS) {
      for (const actor of ['client', 'freelancer', 'system', 'staff'] as const) {
        expect(nextStatus(action, 'completed', actor)).toBeNull();
        expect(nextStatus(action, 'cancelled', actor)).toBeNull();
        if (action !== 'resolve_dispute') expect(nextStatus(action, 'disputed', actor)).toBeNull();
      }
    }
  });

  it('bounds revisions by the package and lets only the other party agree to a cancellation', () => {
    expect(allowedOrderActions(facts('delivered'), 'client')).toContain('request_revision');
    expect(allowedOrderActions(facts('delivered', { revisionsUsed: 2 }), 'client')).not.toContain(
      'request_revision',
    );
    const proposed = facts('in_progress', { cancellationRequestedBy: 'client' });
    expect(allowedOrderActions(proposed, 'client')).toEqual(
      expect.arrayContaining(['withdraw_cancellation']),
    );
    expect(allowedOrderActions(proposed, 'client')).not.toContain('agree_cancellation');
    expect(allowedOrderActions(proposed, 'freelancer')).toContain('agree_cancellation');
  });

  it('moves money only on the transitions that should', () => {
    const moving = ORDER_ACTIONS.filter((a) => ORDER_TRANSITIONS[a].escrow !== 'none');
    expect(moving.sort()).toEqual(
      [
        'agree_cancellation',
        'auto_complete',
        'cancel',
        'complete',
        'decline',
        'expire_acceptance',
        'mark_paid',
        'resolve_dispute',
      ].sort(),
    );
  });
});

describe('order references', () => {
  it('reads an order number however it was typed, and an ID with or without #', () => {
    expect(parseOrderReference('JX20261126000001')).toEqual({ orderNumber: 'JX20261126000001' });
    expect(parseOrderReference('  jx 2026 1126 000001 ')).toEqual({ orderNumber: 'JX20261126000001' });
    // Full-width letters and digits from a Chinese input method.
    expect(parseOrderReference('ＪＸ２０２６１１２６０００００１')).toEqual({
      orderNumber: 'JX20261126000001',
    });
    expect(parseOrderReference('JX202611261234567')).toEqual({ orderNumber: 'JX202611261234567' });
    expect(parseOrderReference('#123')).toEqual({ orderId: 123 });
    expect(parseOrderReference('＃123')).toEqual({ orderId: 123 });
    expect(parseOrderReference('123')).toEqual({ orderId: 123 });
  });

  it('refuses anything else', () => {
    for (const bad of [
      '',
      '#',
      '0',
      '#0',
      '-5',
      '12.5',
      'JX2026112600001',
      'JY20261126000001',
      '订单123',
      '99999999999999999',
    ])
      expect(parseOrderReference(bad), bad).toBeNull();
  });
});
