import { type ComponentType, type LazyExoticComponent, lazy } from 'react';
import type { WorkspaceScreenProps } from '../../kit/pane';

/**
 * The screen each workspace id (`shared/console/workspaces.ts`) renders, from its feature folder.
 * A queue workspace without an entry gets the generic split view (CaseQueue: the table and the
 * open case's pane); a workspace with one draws its own layout (the support chat workspace, the ledger,
 * the admin screens). A screen renders inside the console's layout and router; it may use nested
 * routes below its workspace path.
 *
 * Screens are separate chunks, fetched the first time one opens: a page reload on a queue (where staff
 * spend the day) parses only the queue's code, not the admin, ledger, support and dashboard screens.
 */
type Screen = LazyExoticComponent<ComponentType<WorkspaceScreenProps>>;

/** A screen exported by name from its module, as a lazy component. */
function screen<K extends string>(
  load: () => Promise<Record<K, ComponentType<WorkspaceScreenProps>>>,
  name: K,
): Screen {
  return lazy(() => load().then((module) => ({ default: module[name] })));
}

export const WORKSPACE_SCREENS: Partial<Record<string, Screen>> = {
  audit: screen(() => import('../admin/AuditScreen'), 'AuditScreen'),
  staff: screen(() => import('../admin/StaffScreen'), 'StaffScreen'),
  teams: screen(() => import('../teams/TeamsScreen'), 'TeamsScreen'),
  cannedReplies: screen(() => import('../admin/CannedRepliesScreen'), 'CannedRepliesScreen'),
  settings: screen(() => import('../admin/SettingsScreen'), 'SettingsScreen'),
  ledger: screen(() => import('../ledger/LedgerScreen'), 'LedgerScreen'),
  dashboard: screen(() => import('../dashboard/DashboardScreen'), 'DashboardScreen'),
  chats: screen(() => import('../support/SupportScreen'), 'SupportScreen'),
};
