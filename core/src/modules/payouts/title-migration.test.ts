import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { up } from '../../migrations/20261206120000-payout-titles-money-format';
import { startTestApp, type TestApp } from '../../test/harness';

let t: TestApp;

beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t?.close();
});

/** A case row as an older core wrote it (the subject ids are far from any real one). */
async function insertCase(kind: string, subjectId: number, title: string): Promise<number> {
  const r = await sql<{ id: number }>`
    INSERT INTO cases (kind, stage, subject_type, subject_id, title, status)
    VALUES (${kind}, 'awaiting_approval', ${kind}, ${subjectId}, ${title}, ${subjectId % 2 ? 'resolved' : 'open'})
    RETURNING id`.execute(t.db.write);
  return Number(r.rows[0]!.id);
}

async function titleOf(id: number): Promise<{ title: string; version: number }> {
  const r = await sql<{
    title: string;
    version: number;
  }>`SELECT title, version FROM cases WHERE id = ${id}`.execute(t.db.write);
  return r.rows[0]!;
}

describe('migration 20261206120000: payout titles in the one money format', () => {
  it('rewrites 提现 ¥6000.00 as 提现 ¥6,000.00, leaves other titles alone, and a second run changes nothing', async () => {
    const cases = {
      sixThousand: await insertCase('payout', 990_002, '提现 ¥6000.00 · 设计师小王'),
      million: await insertCase('payout', 990_003, '提现 ¥1234567.89 · 阿鹏'),
      small: await insertCase('payout', 990_004, '提现 ¥834.00 · 白鹿设计工作室'),
      already: await insertCase('payout', 990_005, '提现 ¥2,280.00 · 老K设计工作室'),
      dispute: await insertCase('dispute', 990_006, '订单 JX123 纠纷：提现 ¥6000.00 的 logo'),
    };
    const db = t.db.write as never;
    await up(db);
    expect(await titleOf(cases.sixThousand)).toEqual({ title: '提现 ¥6,000.00 · 设计师小王', version: 1 });
    expect((await titleOf(cases.million)).title).toBe('提现 ¥1,234,567.89 · 阿鹏');
    expect((await titleOf(cases.small)).title).toBe('提现 ¥834.00 · 白鹿设计工作室');
    expect((await titleOf(cases.already)).title).toBe('提现 ¥2,280.00 · 老K设计工作室');
    expect((await titleOf(cases.dispute)).title).toBe('订单 JX123 纠纷：提现 ¥6000.00 的 logo');
    await up(db);
    expect((await titleOf(cases.sixThousand)).title).toBe('提现 ¥6,000.00 · 设计师小王');
    expect((await titleOf(cases.million)).title).toBe('提现 ¥1,234,567.89 · 阿鹏');
  });
});
