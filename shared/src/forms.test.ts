import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { text } from './api/common';
import { fieldLimits, schemaLimits } from './forms';
import { disputeResolveBodySchema } from './ops/disputes';
import { rejectListingBodySchema, sanctionInputSchema, upholdReportBodySchema } from './ops/moderation';
import { createStaffBodySchema } from './ops/staff';

describe('fieldLimits', () => {
  it('reads a text field’s length and whether it may be left out', () => {
    expect(fieldLimits(upholdReportBodySchema, 'note')).toMatchObject({
      required: true,
      minLength: 1,
      maxLength: 500,
    });
    // A default makes the field optional for the sender, and an empty note is fine.
    expect(fieldLimits(rejectListingBodySchema, 'note')).toMatchObject({
      required: false,
      minLength: 0,
      maxLength: 500,
    });
    expect(fieldLimits(disputeResolveBodySchema, 'note').maxLength).toBe(1000);
  });

  it('reads numbers, arrays and patterns', () => {
    expect(fieldLimits(sanctionInputSchema, 'days')).toMatchObject({
      required: false,
      minimum: 1,
      maximum: 365,
    });
    expect(fieldLimits(createStaffBodySchema, 'roles')).toMatchObject({ minItems: 1, maxItems: 4 });
    expect(fieldLimits(createStaffBodySchema, 'password')).toMatchObject({ minLength: 8, maxLength: 128 });
    const username = fieldLimits(createStaffBodySchema, 'username');
    expect(username.pattern).toBeDefined();
    expect(new RegExp(username.pattern!).test('zhou_admin')).toBe(true);
    expect(new RegExp(username.pattern!).test('9zhou')).toBe(false);
  });

  it('follows optional and nullable wrappers to the field’s own limits', () => {
    const schema = z.object({
      a: text({ max: 20 }).optional(),
      b: text({ min: 2, max: 30 }).nullable(),
      c: z.number().int().min(0).max(9).nullable().optional(),
    });
    expect(fieldLimits(schema, 'a')).toMatchObject({ required: false, maxLength: 20 });
    expect(fieldLimits(schema, 'b')).toMatchObject({ required: true, minLength: 2, maxLength: 30 });
    expect(fieldLimits(schema, 'c')).toMatchObject({ required: false, minimum: 0, maximum: 9 });
  });

  it('computes a schema’s limits once', () => {
    expect(schemaLimits(upholdReportBodySchema)).toBe(schemaLimits(upholdReportBodySchema));
  });

  it('refuses a field the schema does not have', () => {
    // @ts-expect-error — not a field of the schema
    expect(() => fieldLimits(upholdReportBodySchema, 'reason')).toThrow(/no field reason/);
  });
});
