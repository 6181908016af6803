import { z } from 'zod';
import { cursorSchema, idQuery, isoDateTime, isoInstantQuery, queryInt } from '../api/common';

/** The hash-chained audit log of staff actions (`GET /ops/audit`, `GET /ops/audit/verify`). */
export const auditEntrySchema = z.object({
  id: z.number().int(),
  at: isoDateTime,
  actorId: z.number().int().nullable(),
  actorName: z.string().nullable(),
  action: z.string(),
  subjectType: z.string(),
  subjectId: z.number().int().nullable(),
  data: z.record(z.string(), z.unknown()),
  prevHash: z.string(),
  hash: z.string(),
});
export type AuditEntry = z.infer<typeof auditEntrySchema>;

export const auditQuerySchema = z.object({
  actorId: idQuery.optional(),
  /** Exact action, or a prefix ending in `.` / `*` (`case.perform.*`). */
  action: z
    .string()
    .max(80)
    .regex(/^[a-z_.*]+$/)
    .optional(),
  subjectType: z
    .string()
    .max(40)
    .regex(/^[a-z_]+$/)
    .optional(),
  subjectId: idQuery.optional(),
  /** Rows up to and including this id (to open the log at a row, such as the first broken link). */
  maxId: idQuery.optional(),
  from: isoInstantQuery.optional(),
  to: isoInstantQuery.optional(),
  cursor: cursorSchema().optional(),
  limit: queryInt({ min: 1, max: 200 }).default(50),
});
export const auditPageSchema = z.object({
  items: z.array(auditEntrySchema),
  nextCursor: z.string().nullable(),
});

export const auditVerificationSchema = z.object({
  ok: z.boolean(),
  checked: z.number().int(),
  firstBrokenId: z.number().int().nullable(),
  reason: z.enum(['prev_hash_mismatch', 'content_hash_mismatch']).nullable(),
  headHash: z.string(),
});

export const AUDIT_ERRORS = {} as const;
export const AUDIT_EVENTS = {} as const;
