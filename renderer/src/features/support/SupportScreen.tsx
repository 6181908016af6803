import { Button, notification } from 'antd';
import { useCallback, useRef, useState } from 'react';
import { Route, Routes, useNavigate, useParams } from 'react-router-dom';
import { useBridgeEvent } from '../../bridge';
import type { WorkspaceScreenProps } from '../../kit/pane';
import { Conversation } from './Conversation';
import { ConversationList } from './ConversationList';
import { CustomerSidebar } from './CustomerSidebar';
import { CHATS_PATH } from './model';
import { useSupportStrings } from './strings';
import './support.css';

/**
 * The support chat workspace (Chatwoot/Zendesk layout): conversations on the left, the open
 * conversation in the middle, the customer on the right. The open chat is in the route
 * (`/support/chats/<caseId>`), so it can be linked and comes back after a restart.
 */
export function SupportScreen({ session }: WorkspaceScreenProps) {
  return (
    <Routes>
      <Route path=":caseId?" element={<SupportChats session={session} />} />
    </Routes>
  );
}

function SupportChats({ session }: WorkspaceScreenProps) {
  const s = useSupportStrings();
  const params = useParams();
  const navigate = useNavigate();
  const caseId = params.caseId && /^[1-9]\d{0,15}$/.test(params.caseId) ? Number(params.caseId) : null;
  const [customerId, setCustomerId] = useState<number | null>(null);
  const open = useCallback((id: number) => navigate(`${CHATS_PATH}/${id}`), [navigate]);
  const { contextHolder, askPermission } = useChatNotifications(caseId, open);

  return (
    <main className="support" aria-labelledby="support-title" data-testid="support-screen">
      {contextHolder}
      <h1 id="support-title" className="support-title">
        {s('title')}
      </h1>
      <ConversationList openCaseId={caseId} onOpen={open} />
      {caseId === null ? (
        <section className="support-chat support-empty" aria-label={s('pickChat')}>
          <p className="muted">{s('pickChat')}</p>
        </section>
      ) : (
        <Conversation
          key={caseId}
          caseId={caseId}
          session={session}
          onCustomer={setCustomerId}
          onFirstAction={askPermission}
        />
      )}
      {caseId !== null && <CustomerSidebar userId={customerId} caseId={caseId} session={session} />}
    </main>
  );
}

/**
 * New customer messages in chats I hold (the engine's `notify`, kind chat_message) while another chat is
 * open or the page is not in front. The OS-level notices are someone else's: Electron's main process shows
 * one whenever its window is unfocused, and in a browser the console shell uses the Notification API
 * while the page is hidden (when permitted). So the page speaks up itself only where neither does —
 * focused in Electron; visible, or hidden without permission, in a browser — and never twice.
 */
function useChatNotifications(openCaseId: number | null, open: (caseId: number) => void) {
  const s = useSupportStrings();
  const [api, contextHolder] = notification.useNotification();
  const asked = useRef(false);

  useBridgeEvent('notify', (n) => {
    if (n.kind !== 'chat_message' || n.caseId === null) return;
    const caseId = n.caseId;
    const hidden = document.visibilityState === 'hidden';
    if (!hidden && caseId === openCaseId) return;
    if (window.jiangxin) {
      if (!document.hasFocus()) return;
    } else if (hidden && typeof Notification !== 'undefined' && Notification.permission === 'granted') {
      return;
    }
    const key = `chat-${caseId}`;
    api.open({
      key,
      title: s('notifyTitle'),
      description: `#${caseId} ${n.body}`,
      actions: (
        <Button
          size="small"
          type="primary"
          onClick={() => {
            api.destroy(key);
            open(caseId);
          }}
        >
          {s('notifyOpen')}
        </Button>
      ),
      // Seen on coming back to a hidden page; otherwise it goes by itself.
      duration: hidden ? 0 : 8,
    });
  });

  /** Browsers only grant the permission from a gesture: asked once, on the agent's first action. */
  const askPermission = useCallback(() => {
    if (asked.current || window.jiangxin || typeof Notification === 'undefined') return;
    asked.current = true;
    if (Notification.permission === 'default') Notification.requestPermission().catch(() => {});
  }, []);

  return { contextHolder, askPermission };
}
