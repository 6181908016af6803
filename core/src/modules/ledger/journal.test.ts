import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../platform/http/problem';
import { backend, startTestApp, type TestApp } from '../../test/harness';
import { registerUser } from '../accounts/commands';
import { type AccountRef, ledgerAccount } from './accounts';
import { checkLedger } from './check';
import { postJournal } from './journal';

/**
 * `postJournal` writes a whole journal in one statement: these pin down what that statement must do —
 * the running balance of each line, accounts created on first use, duplicates, refusals, and two
 * transactions creating the same account at once.
 */
let t: TestApp;
let alice: number;
let bob: number;

beforeAll(async () => {
  t = await startTestApp({ env: { SWEEP_INTERVAL_SECONDS: '0' } });
  const user = async (username: string) =>
    (await registerUser(t.ctx, { username, password: 'correct-horse-1', userType: 'client' })).user.id;
  alice = await user('journalalice');
  bob = await user('journalbob');
});
afterAll(() => t?.close());

const balanceOf = async (code: string) =>
  (await t.db.read
    .selectFrom('ledger_accounts')
    .select(['balance', 'kind', 'user_id'])
    .where('code', '=', code)
    .executeTakeFirst()) ?? null;

const linesOf = (journalId: number) =>
  t.db.read
    .selectFrom('ledger_postings as p')
    .innerJoin('ledger_accounts as a', 'a.id', 'p.account_id')
    .select(['a.code', 'p.amount_fen', 'p.balance_after', 'p.entry_type'])
    .where('p.journal_id', '=', journalId)
    .orderBy('p.id')
    .execute();

/** A tracked account no one has used yet (created by the journal that first names it). */
const freshWallet = (name: string): AccountRef => ({
  code: `test:${name}:${Math.random().toString(36).slice(2, 8)}`,
  kind: 'user_payout_pending',
  userId: alice,
});

describe('postJournal', () => {
  it('writes the lines in order with the running balance of each, creating accounts on first use', async () => {
    const wallet = freshWallet('running');
    const clearing = ledgerAccount.clearing('alipay');
    const { journalId, duplicate } = await t.db.transact((tx) =>
      postJournal(tx, {
        kind: 'test_deposit',
        orderId: null,
        idempotencyKey: `test:running:${wallet.code}`,
        description: '测试入账',
        postings: [
          { account: clearing, amountFen: -1_000 },
          { account: wallet, amountFen: 1_000, entryType: 'deposit' },
          { account: wallet, amountFen: -400, entryType: 'payment' },
          { account: clearing, amountFen: 400 },
        ],
      }),
    );
    expect(duplicate).toBe(false);
    expect(await linesOf(journalId)).toEqual([
      { code: clearing.code, amount_fen: -1_000, balance_after: null, entry_type: null },
      { code: wallet.code, amount_fen: 1_000, balance_after: 1_000, entry_type: 'deposit' },
      { code: wallet.code, amount_fen: -400, balance_after: 600, entry_type: 'payment' },
      { code: clearing.code, amount_fen: 400, balance_after: null, entry_type: null },
    ]);
    // Created with its kind and owner, holding what the journal put there; the platform account keeps none.
    expect(await balanceOf(wallet.code)).toEqual({
      balance: 600,
      kind: 'user_payout_pending',
      user_id: alice,
    });
    expect((await balanceOf(clearing.code))?.balance).toBeNull();

    // A second journal on the now existing account continues from its balance.
    const next = await t.db.transact((tx) =>
      postJournal(tx, {
        kind: 'test_move',
        orderId: null,
        idempotencyKey: `test:running2:${wallet.code}`,
        description: '测试转出',
        postings: [
          { account: wallet, amountFen: -100, entryType: 'withdrawal' },
          { account: ledgerAccount.available(alice), amountFen: 100, entryType: 'withdrawal_returned' },
        ],
      }),
    );
    const lines = await linesOf(next.journalId);
    expect(lines.map((l) => l.balance_after)).toEqual([
      500,
      (await balanceOf(ledgerAccount.available(alice).code))?.balance,
    ]);
    expect((await checkLedger(t.db.read)).problems).toEqual([]);
  });

  it('a repeated key writes nothing and returns the first journal', async () => {
    const input = {
      kind: 'test_once',
      orderId: null,
      idempotencyKey: 'test:once',
      description: '只记一次',
      postings: [
        { account: ledgerAccount.clearing('wechat'), amountFen: -250 },
        { account: ledgerAccount.available(bob), amountFen: 250, entryType: 'deposit' },
      ],
    };
    const first = await t.db.transact((tx) => postJournal(tx, input));
    const again = await t.db.transact((tx) => postJournal(tx, input));
    expect(again).toEqual({ journalId: first.journalId, duplicate: true });
    expect((await linesOf(first.journalId)).length).toBe(2);
    expect((await balanceOf(ledgerAccount.available(bob).code))?.balance).toBe(250);
  });

  it('refuses a line that would take a wallet below zero, and writes nothing of the journal', async () => {
    const before = await balanceOf(ledgerAccount.available(bob).code);
    const fresh = freshWallet('short');
    const err = await t.db
      .transact((tx) =>
        postJournal(tx, {
          kind: 'test_overdraw',
          orderId: null,
          idempotencyKey: 'test:overdraw',
          description: '透支',
          postings: [
            { account: ledgerAccount.available(bob), amountFen: -1_000_000, entryType: 'payment' },
            { account: fresh, amountFen: 1_000_000 },
          ],
        }),
      )
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('insufficient_funds');
    expect(await balanceOf(ledgerAccount.available(bob).code)).toEqual(before);
    expect(await balanceOf(fresh.code)).toBeNull();
    const journal = await t.db.read
      .selectFrom('ledger_journals')
      .select('id')
      .where('idempotency_key', '=', 'test:overdraw')
      .executeTakeFirst();
    expect(journal).toBeUndefined();

    // A new account may not open below zero either.
    const opening = await t.db
      .transact((tx) =>
        postJournal(tx, {
          kind: 'test_overdraw_new',
          orderId: null,
          idempotencyKey: 'test:overdraw-new',
          description: '新账户透支',
          postings: [
            { account: freshWallet('negative'), amountFen: -5 },
            { account: ledgerAccount.clearing('alipay'), amountFen: 5 },
          ],
        }),
      )
      .catch((e: unknown) => e);
    expect((opening as AppError).code).toBe('insufficient_funds');
  });

  it('refuses unbalanced or malformed input before writing', async () => {
    const post = (postings: { account: AccountRef; amountFen: number }[]) =>
      t.db.transact((tx) =>
        postJournal(tx, {
          kind: 'test_bad',
          orderId: null,
          idempotencyKey: 'test:bad',
          description: '',
          postings,
        }),
      );
    const wallet = ledgerAccount.available(alice);
    await expect(post([{ account: wallet, amountFen: 1 }])).rejects.toThrow(/at least two postings/);
    await expect(
      post([
        { account: wallet, amountFen: 3 },
        { account: ledgerAccount.fees(), amountFen: -2 },
      ]),
    ).rejects.toThrow(/does not balance/);
    await expect(
      post([
        { account: wallet, amountFen: 1.5 },
        { account: ledgerAccount.fees(), amountFen: -1.5 },
      ]),
    ).rejects.toThrow(/bad posting amount/);
  });

  it('reports a line whose running balance does not add up', async () => {
    const wallet = freshWallet('tamper');
    const { journalId } = await t.db.transact((tx) =>
      postJournal(tx, {
        kind: 'test_tamper',
        orderId: null,
        idempotencyKey: `test:tamper:${wallet.code}`,
        description: '',
        postings: [
          { account: wallet, amountFen: 70 },
          { account: ledgerAccount.clearing('wechat'), amountFen: -70 },
        ],
      }),
    );
    expect((await checkLedger(t.db.read)).ok).toBe(true);
    // Postings cannot be updated (a rule discards it): write a second, wrong line and its counterpart.
    const account = await t.db.read
      .selectFrom('ledger_accounts')
      .select('id')
      .where('code', '=', wallet.code)
      .executeTakeFirstOrThrow();
    await t.db.write
      .insertInto('ledger_postings')
      .values([
        { journal_id: journalId, account_id: account.id, amount_fen: 5, balance_after: 80, entry_type: null },
        {
          journal_id: journalId,
          account_id: account.id,
          amount_fen: -5,
          balance_after: 70,
          entry_type: null,
        },
      ])
      .execute();
    const report = await checkLedger(t.db.read);
    expect(report.problems).toEqual([
      expect.objectContaining({
        kind: 'running_balance_mismatch',
        detail: expect.stringContaining(wallet.code),
      }),
    ]);
  });
});

describe.skipIf(backend !== 'postgres')(
  `postJournal under concurrency${backend === 'postgres' ? '' : ' (skipped: PGlite runs one transaction at a time)'}`,
  () => {
    it('two transactions creating the same account at once both post; the later one runs again', async () => {
      const escrowLike = freshWallet('race');
      let releaseFirst!: () => void;
      const firstMayCommit = new Promise<void>((r) => {
        releaseFirst = r;
      });
      let firstPosted!: () => void;
      const firstHasPosted = new Promise<void>((r) => {
        firstPosted = r;
      });
      const journal = (key: string) => ({
        kind: 'test_race',
        orderId: null,
        idempotencyKey: key,
        description: '',
        postings: [
          { account: ledgerAccount.clearing('alipay'), amountFen: -10 },
          { account: escrowLike, amountFen: 10 },
        ],
      });
      const first = t.db.transact(async (tx) => {
        const r = await postJournal(tx, journal(`test:race:a:${escrowLike.code}`));
        firstPosted();
        await firstMayCommit;
        return r;
      });
      await firstHasPosted;
      let secondRuns = 0;
      const second = t.db.transact(async (tx) => {
        secondRuns += 1;
        return postJournal(tx, journal(`test:race:b:${escrowLike.code}`));
      });
      // The second waits on the first's uncommitted account row; let the first commit.
      await new Promise((r) => setTimeout(r, 200));
      releaseFirst();
      await Promise.all([first, second]);
      expect(secondRuns).toBe(2);
      expect((await balanceOf(escrowLike.code))?.balance).toBe(20);
      expect(
        (await checkLedger(t.db.read)).problems.filter((p) => p.detail.includes(escrowLike.code)),
      ).toEqual([]);
    });
  },
);
