import type { AppContext } from '../../platform/context';
import { registerCaseKind } from '../cases/registry';
import { supportChatCases } from './chat-case';

/**
 * Support: the `support_chat` case kind. Its cases are opened by the support commands themselves (a
 * customer starting a conversation), in the same transaction as the conversation, so no reaction is
 * needed.
 */
export function registerSupportOps(_ctx: AppContext): void {
  registerCaseKind(supportChatCases);
}
