import type { ConsoleSession } from '@jiangxin/shared/bridge';
import type { ComponentType } from 'react';
import { AuditScreen } from '../admin/AuditScreen';
import { CannedRepliesScreen } from '../admin/CannedRepliesScreen';
import { SettingsScreen } from '../admin/SettingsScreen';
import { StaffScreen } from '../admin/StaffScreen';
import { DashboardScreen } from '../dashboard/DashboardScreen';
import { LedgerScreen } from '../ledger/LedgerScreen';
import { SupportScreen } from '../support/SupportScreen';

/**
 * The screen each workspace id (`shared/console/workspaces.ts`) renders, from its feature folder.
 * A queue workspace without an entry gets the generic split view (CaseQueue: the table and the
 * open case's pane); a workspace with one draws its own layout (the support chat workspace, the ledger,
 * the admin screens). A screen renders inside the console's layout and router; it may use nested
 * routes below its workspace path.
 */
export interface WorkspaceScreenProps {
  session: ConsoleSession;
}

export const WORKSPACE_SCREENS: Partial<Record<string, ComponentType<WorkspaceScreenProps>>> = {
  audit: AuditScreen,
  staff: StaffScreen,
  cannedReplies: CannedRepliesScreen,
  settings: SettingsScreen,
  ledger: LedgerScreen,
  dashboard: DashboardScreen,
  chats: SupportScreen,
};
