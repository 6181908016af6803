import type { Me, updateProfileBodySchema } from '@jiangxin/shared/api/accounts';
import type { z } from 'zod';
import type { AppContext } from '../../platform/context';
import { appendEvent } from '../../platform/events/outbox';
import { getMe } from './queries';

/** Updates nickname and profiles; `becomeFreelancer` adds the freelancer side to a client account. */
export async function updateProfile(
  ctx: AppContext,
  userId: number,
  body: z.infer<typeof updateProfileBodySchema>,
): Promise<Me> {
  return ctx.db.transact(async (tx) => {
    if (body.nickname !== undefined || body.becomeFreelancer) {
      await tx
        .updateTable('users')
        .set({
          ...(body.nickname !== undefined ? { nickname: body.nickname } : {}),
          ...(body.becomeFreelancer ? { is_freelancer: true } : {}),
          updated_at: ctx.now(),
        })
        .where('id', '=', userId)
        .execute();
    }
    if (body.becomeFreelancer || body.freelancer) {
      await tx
        .insertInto('freelancer_profiles')
        .values({ user_id: userId })
        .onConflict((oc) => oc.column('user_id').doNothing())
        .execute();
    }
    if (body.freelancer) {
      const f = body.freelancer;
      const set = {
        ...(f.bio !== undefined ? { bio: f.bio } : {}),
        ...(f.hourlyRateFen !== undefined ? { hourly_rate_fen: f.hourlyRateFen } : {}),
        ...(f.location !== undefined ? { location: f.location } : {}),
      };
      if (Object.keys(set).length)
        await tx.updateTable('freelancer_profiles').set(set).where('user_id', '=', userId).execute();
    }
    if (body.client) {
      const c = body.client;
      const set = {
        ...(c.companyName !== undefined ? { company_name: c.companyName } : {}),
        ...(c.industry !== undefined ? { industry: c.industry } : {}),
        ...(c.location !== undefined ? { location: c.location } : {}),
      };
      await tx
        .insertInto('client_profiles')
        .values({ user_id: userId })
        .onConflict((oc) => oc.column('user_id').doNothing())
        .execute();
      if (Object.keys(set).length)
        await tx.updateTable('client_profiles').set(set).where('user_id', '=', userId).execute();
    }
    await appendEvent(tx, 'user.profile_updated', { aggregateType: 'user', aggregateId: userId }, { userId });
    return getMe(tx, ctx.pii, userId);
  });
}
