import type { AppContext } from '../../platform/context';
import { opsRoute } from '../../platform/http/ops-route';
import type { HttpServer } from '../../platform/http/server';
import { getMyPresence, setMyPresence } from './presence';
import { deleteTeamView, listTeamViews, shareTeamView } from './team-views';
import { createTeam, listTeams, updateTeam } from './teams';

/**
 * Team routing: teams and their members (`teams.manage`), and every member's own online/away status
 * (`cases.view`). The assignment itself runs inside `openCase` (see ./assign.ts).
 */
export async function registerRoutingRoutes(app: HttpServer, ctx: AppContext): Promise<void> {
  // The primary: an admin reloading after a change must see it.
  opsRoute(app, 'listTeams', async () => ({ items: await listTeams(ctx.db.write) }));
  opsRoute(app, 'createTeam', async (req) => createTeam(ctx, req.staff, req.body));
  opsRoute(app, 'updateTeam', async (req) => updateTeam(ctx, req.staff, req.params.id, req.body));
  opsRoute(app, 'getMyPresence', async (req) => getMyPresence(ctx.db.write, req.staff));
  opsRoute(app, 'setMyPresence', async (req) => setMyPresence(ctx, req.staff, req.body.status));
  // Team-shared saved views: read from the primary too, so a view just shared shows on the next load.
  opsRoute(app, 'listTeamViews', async (req) => listTeamViews(ctx.db.write, req.staff, req.query.workspace));
  opsRoute(app, 'shareTeamView', async (req) => shareTeamView(ctx, req.staff, req.body));
  opsRoute(app, 'deleteTeamView', async (req) => {
    await deleteTeamView(ctx, req.staff, req.params.id);
    return { ok: true as const };
  });
}
