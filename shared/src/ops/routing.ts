import { z } from 'zod';
import { displayName, idSchema, isoDateTime } from '../api/common';
import { staffRoleSchema } from '../permissions';
import { caseKindSchema } from './cases';

/**
 * Team routing (`/ops/teams…`, `/ops/me/presence`). A team handles some case kinds; when a case of one of
 * them opens, the core hands it to an online member of the team by the team's mode, in the transaction
 * that opened it, through the same change a manual assignment makes (version, history, audit, live
 * event). A member who goes away gives their open cases they have not acted on back to the team.
 * A case kind belongs to at most one team, so a new case never has two candidates.
 */

/** `round_robin`: members in turn (a cursor per team). `capacity`: the fewest open cases under the cap. */
export const ASSIGNMENT_MODES = ['round_robin', 'capacity'] as const;
export const assignmentModeSchema = z.enum(ASSIGNMENT_MODES);
export type AssignmentMode = z.infer<typeof assignmentModeSchema>;
export const ASSIGNMENT_MODE_LABELS: Record<AssignmentMode, { zh: string; en: string }> = {
  round_robin: { zh: '轮流分配', en: 'Round robin' },
  capacity: { zh: '按负载分配', en: 'By workload' },
};

/** A member's own status: only `online` members receive new cases. A member never set is away. */
export const PRESENCE_STATUSES = ['online', 'away'] as const;
export const presenceStatusSchema = z.enum(PRESENCE_STATUSES);
export type PresenceStatus = z.infer<typeof presenceStatusSchema>;
export const PRESENCE_STATUS_LABELS: Record<PresenceStatus, { zh: string; en: string }> = {
  online: { zh: '在线', en: 'Online' },
  away: { zh: '离开', en: 'Away' },
};

export const TEAM_NAME_MAX = 32;
export const TEAM_MEMBERS_MAX = 50;
export const TEAM_CAPACITY_MAX = 200;

export const teamMemberSchema = z.object({
  userId: z.number().int(),
  nickname: z.string(),
  roles: z.array(staffRoleSchema),
  status: presenceStatusSchema,
  /** Cases of the team's kinds this member holds that are not resolved. */
  openCases: z.number().int(),
  /** False when the member was disabled or lost the role the team's kinds need: they receive nothing. */
  eligible: z.boolean(),
});
export type TeamMember = z.infer<typeof teamMemberSchema>;

export const teamSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  kinds: z.array(caseKindSchema),
  mode: assignmentModeSchema,
  /** Most open cases a member holds before they are skipped; null: no cap (round robin only). */
  capacity: z.number().int().nullable(),
  members: z.array(teamMemberSchema),
  /** Send it back with the next change. */
  version: z.number().int(),
  updatedAt: isoDateTime,
});
export type Team = z.infer<typeof teamSchema>;
export const teamListSchema = z.object({ items: z.array(teamSchema) });

const kindsSchema = z
  .array(caseKindSchema)
  .min(1, { error: 'at least one case kind is required' })
  .max(caseKindSchema.options.length)
  .refine((k) => new Set(k).size === k.length, { error: 'kinds must not repeat' });
const memberIdsSchema = z
  .array(idSchema)
  .max(TEAM_MEMBERS_MAX)
  .refine((m) => new Set(m).size === m.length, { error: 'members must not repeat' });
const capacitySchema = z.number().int().min(1).max(TEAM_CAPACITY_MAX).nullable();

const teamFields = {
  name: displayName({ min: 1, max: TEAM_NAME_MAX }),
  kinds: kindsSchema,
  mode: assignmentModeSchema,
  capacity: capacitySchema.optional(),
  memberIds: memberIdsSchema,
};

/** A capacity-aware team needs its cap. */
function capacityNeeded(
  b: { mode?: AssignmentMode | undefined; capacity?: number | null | undefined },
  ctx: z.RefinementCtx,
): void {
  if (b.mode === 'capacity' && (b.capacity === undefined || b.capacity === null))
    ctx.addIssue({ code: 'custom', path: ['capacity'], message: 'is required when mode is capacity' });
}

export const createTeamBodySchema = z.object(teamFields).strict().superRefine(capacityNeeded);
export type CreateTeamBody = z.infer<typeof createTeamBodySchema>;

/** Every field is replaced as sent; `version` is the team's as loaded. */
export const updateTeamBodySchema = z
  .object({ ...teamFields, version: z.number().int().min(1) })
  .strict()
  .superRefine(capacityNeeded);
export type UpdateTeamBody = z.infer<typeof updateTeamBodySchema>;

export const presenceBodySchema = z.object({ status: presenceStatusSchema }).strict();
export type PresenceBody = z.infer<typeof presenceBodySchema>;

export const myPresenceSchema = z.object({
  status: presenceStatusSchema,
  changedAt: isoDateTime.nullable(),
  /** The teams I am a member of. */
  teams: z.array(z.object({ id: z.number().int(), name: z.string() })),
  /** Cases handed on by this change (going away: back to the team or the queue). */
  reassigned: z.number().int(),
  /** Waiting cases this change routed to me (coming online: the queue's backlog, see the core's routing). */
  received: z.number().int().default(0),
});
export type MyPresence = z.infer<typeof myPresenceSchema>;

export const ROUTING_ERRORS = {
  team_version_conflict: {
    status: 409,
    zh: '该团队已被他人修改，请刷新后重试',
    en: 'This team changed since you loaded it; reload and try again',
  },
  team_name_taken: { status: 409, zh: '团队名称已被使用', en: 'Another team has this name' },
  team_kind_taken: {
    status: 409,
    zh: '该类工单已由其他团队负责',
    en: 'Another team already handles this kind of case',
  },
  team_member_not_eligible: {
    status: 400,
    zh: '成员不能处理该团队负责的工单类型',
    en: 'A member may not handle every kind of case this team handles',
  },
} as const;

export const ROUTING_EVENTS = {
  /** A member set themselves online or away (streamed to every member of staff). */
  'team.presence_changed': z.object({
    userId: z.number().int(),
    nickname: z.string(),
    status: presenceStatusSchema,
    at: isoDateTime,
  }),
} as const;
