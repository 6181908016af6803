import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type StaffMember, signUpStaff } from '../../test/factories/staff';
import { startTestApp, type TestApp } from '../../test/harness';
import { canonicalJson, verifyAuditChain } from './chain';

let t: TestApp;
let admin: StaffMember;

/** Three audited staff actions: settings changes. */
async function auditSomething(): Promise<number[]> {
  for (const minutes of [45, 50, 55]) {
    const r = await admin.api.request('PUT', '/ops/settings', { slaMinutes: { support_chat: minutes } });
    expect(r.status).toBe(200);
  }
  const rows = await t.db.read.selectFrom('audit_log').select('id').orderBy('id').execute();
  return rows.map((r) => r.id);
}

/** What someone with database access would do: lift the append-only rules, then edit. */
async function tamper(statement: string): Promise<void> {
  await sql.raw('DROP RULE IF EXISTS audit_log_no_update ON audit_log').execute(t.db.write);
  await sql.raw('DROP RULE IF EXISTS audit_log_no_delete ON audit_log').execute(t.db.write);
  await sql.raw(statement).execute(t.db.write);
}

beforeAll(async () => {
  t = await startTestApp();
  admin = await signUpStaff(t, ['admin'], '管理员');
});
afterAll(() => t?.close());

describe('audit chain', () => {
  it('canonical JSON ignores key order, so the same content always hashes the same', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { f: 2, e: 3 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[1,{"e":3,"f":2}]},"b":1}',
    );
  });

  it('is append-only: updates and deletes through SQL change nothing, and the chain verifies', async () => {
    const ids = await auditSomething();
    await sql`UPDATE audit_log SET action = 'nothing' WHERE id = ${ids[0]}`.execute(t.db.write);
    await sql`DELETE FROM audit_log WHERE id = ${ids[1]}`.execute(t.db.write);
    const rows = await t.db.read.selectFrom('audit_log').select(['id', 'action']).orderBy('id').execute();
    expect(rows.map((r) => r.action)).toEqual(['settings.update', 'settings.update', 'settings.update']);
    const res = await admin.api.get('/ops/audit/verify');
    expect(res.body).toMatchObject({ ok: true, checked: 3, firstBrokenId: null });
  });

  it('an edited row is reported as the first broken link', async () => {
    const ids = await t.db.read.selectFrom('audit_log').select('id').orderBy('id').execute();
    const victim = ids[1]!.id;
    await tamper(
      `UPDATE audit_log SET data = '{"patch":{"slaMinutes":{"support_chat":5}}}' WHERE id = ${victim}`,
    );
    const res = await admin.api.get('/ops/audit/verify');
    expect(res.body).toMatchObject({ ok: false, firstBrokenId: victim, reason: 'content_hash_mismatch' });
    // The log opens at the broken row: it and the rows before it, newest first.
    const at = await admin.api.get(`/ops/audit?maxId=${victim}&limit=2`);
    expect(at.status).toBe(200);
    expect(at.body.items.map((r: { id: number }) => r.id)).toEqual([victim, ids[0]!.id]);
  });

  it('a deleted row breaks the link of the row after it; an edit that also fixes its own hash breaks the next link', async () => {
    // Re-hashing the edited row to hide the edit moves the break to the next row's prev_hash.
    const rows = await t.db.read.selectFrom('audit_log').selectAll().orderBy('id').execute();
    const [first, second, third] = rows;
    const { auditRowHash } = await import('./chain');
    const forged = auditRowHash(second!.prev_hash, {
      at: new Date(second!.at),
      actorId: second!.actor_id,
      action: second!.action,
      subjectType: second!.subject_type,
      subjectId: second!.subject_id,
      data: second!.data,
    });
    await tamper(`UPDATE audit_log SET hash = '${forged}' WHERE id = ${second!.id}`);
    expect(await verifyAuditChain(t.db.read)).toMatchObject({
      ok: false,
      firstBrokenId: third!.id,
      reason: 'prev_hash_mismatch',
    });
    await tamper(`DELETE FROM audit_log WHERE id = ${second!.id}`);
    const after = await verifyAuditChain(t.db.read);
    expect(after).toMatchObject({ ok: false, firstBrokenId: third!.id, reason: 'prev_hash_mismatch' });
    expect(after.checked).toBe(2);
    void first;
  });
});
