import type { BridgeResult, ConsoleSession } from '@jiangxin/shared/bridge';
import type { CaseKind, CaseSummary } from '@jiangxin/shared/ops/cases';
import { ROLE_PERMISSIONS, type StaffRole } from '@jiangxin/shared/permissions';
import { fireEvent, screen, waitFor } from '@testing-library/react';
import { useLocation } from 'react-router-dom';
import { describe, expect, it } from 'vitest';
import type { Locale } from '../../i18n';
import { renderWithConsole, ScriptedBridge } from '../../test/render';
import { CommandPalette } from './CommandPalette';

function sessionOf(role: StaffRole): ConsoleSession {
  return {
    userId: 1,
    username: role,
    nickname: role,
    roles: [role],
    permissions: [...ROLE_PERMISSIONS[role]],
    coreUrl: 'http://core',
  };
}

/** Where the console went: the route the palette navigated to. */
function Where() {
  const location = useLocation();
  return <output data-testid="where">{location.pathname}</output>;
}

function caseOf(id: number, kind: CaseKind): CaseSummary {
  const at = '2026-11-27T00:00:00.000Z';
  return {
    id,
    kind,
    status: 'open',
    stage: 'open',
    priority: 1,
    assigneeId: null,
    assigneeName: null,
    version: 1,
    slaDueAt: null,
    slaBreached: false,
    subjectType: 'case',
    subjectId: id,
    userId: 601,
    orderId: null,
    amountFen: null,
    title: '咨询：退款进度',
    summary: {},
    flags: [],
    outcome: null,
    createdAt: at,
    updatedAt: at,
    resolvedAt: null,
  };
}

/** What the cache answers: one case of a kind the member sees, users as the cache holds them, orders. */
function results(kind: CaseKind): BridgeResult<'search.query'> {
  return {
    cases: [caseOf(42, kind)],
    users: [
      { id: 601, username: 'client001', nickname: '青柠', phone: '138****5678' },
      { id: 602, username: '', nickname: '陈女士', phone: null },
      { id: 603, username: 'freelancer007', nickname: '', phone: null },
      { id: 604, username: '', nickname: '', phone: null },
    ],
    orders: [
      { id: 9001, orderNumber: 'JX20261101001', status: 'in_progress', amountFen: 880_00 },
      { id: 9002, orderNumber: 'JX20261102077', status: '', amountFen: 0 },
    ],
  };
}

const KIND_OF: Record<'moderator' | 'support' | 'finance', CaseKind> = {
  moderator: 'listing_review',
  support: 'support_chat',
  finance: 'payout',
};

async function openAndSearch(role: keyof typeof KIND_OF, locale: Locale = 'zh-CN') {
  const bridge = new ScriptedBridge().answer('search.query', () => results(KIND_OF[role]));
  renderWithConsole(
    <>
      <CommandPalette session={sessionOf(role)} />
      <Where />
    </>,
    { bridge, locale, route: '/start' },
  );
  fireEvent.click(screen.getByTestId('palette-open'));
  fireEvent.change(await screen.findByTestId('palette-input'), { target: { value: 'client' } });
  await screen.findByTestId('palette-hit-u601');
  return bridge;
}

const hitText = (key: string) => screen.getByTestId(`palette-hit-${key}`).textContent ?? '';

describe('Ctrl+K (find anything)', () => {
  it('labels a user by nickname and username, never with empty parentheses, with the masked phone', async () => {
    await openAndSearch('support');
    expect(hitText('u601')).toContain('青柠（client001）');
    expect(hitText('u601')).toContain('138****5678');
    expect(hitText('u602')).toContain('陈女士');
    expect(hitText('u603')).toContain('freelancer007');
    expect(hitText('u604')).toContain('用户 #604');
    for (const key of ['u601', 'u602', 'u603', 'u604']) expect(hitText(key)).not.toMatch(/（\s*）|\(\s*\)/);
  });

  it('shows an order status in words, in Chinese and in English, never the raw code', async () => {
    await openAndSearch('finance');
    expect(hitText('o9001')).toContain('进行中');
    expect(hitText('o9001')).toContain('880.00');
    expect(hitText('o9002')).toContain('状态待同步');
    expect(screen.getByTestId('palette-results').textContent).not.toMatch(/in_progress|_/);
  });

  it('shows the words in English too', async () => {
    await openAndSearch('moderator', 'en');
    expect(hitText('o9001')).toContain('In progress');
    expect(hitText('u604')).toContain('User #604');
    expect(hitText('c42')).toContain('Open');
    expect(screen.getByTestId('palette-results').textContent).not.toMatch(/in_progress|listing_review/);
  });

  for (const role of ['moderator', 'support', 'finance'] as const) {
    it(`every hit opens something for ${role}: a case in its queue, a user's page, an order's page`, async () => {
      await openAndSearch(role);
      const expected: Record<string, string> = {
        c42: {
          moderator: '/moderation/listings/42',
          support: '/support/chats/42',
          finance: '/finance/payouts/42',
        }[role],
        u601: '/customers/601',
        u604: '/customers/604',
        o9001: '/orders/9001',
        o9002: '/orders/9002',
      };
      const options = screen.getAllByRole('option');
      expect(options.length).toBe(7);
      for (const option of options) expect(option.getAttribute('aria-disabled')).toBe('false');
      for (const [key, route] of Object.entries(expected)) {
        if (!screen.queryByTestId(`palette-hit-${key}`)) {
          fireEvent.click(screen.getByTestId('palette-open'));
          fireEvent.change(await screen.findByTestId('palette-input'), { target: { value: 'client' } });
          await screen.findByTestId(`palette-hit-${key}`);
        }
        fireEvent.click(screen.getByTestId(`palette-hit-${key}`));
        await waitFor(() => expect(screen.getByTestId('where').textContent).toBe(route));
      }
    });
  }

  it('Enter opens the chosen hit', async () => {
    await openAndSearch('support');
    const input = screen.getByTestId('palette-input');
    // Case, then the first user.
    fireEvent.keyDown(input, { key: 'ArrowDown' });
    fireEvent.keyDown(input, { key: 'Enter' });
    await waitFor(() => expect(screen.getByTestId('where').textContent).toBe('/customers/601'));
  });
});
