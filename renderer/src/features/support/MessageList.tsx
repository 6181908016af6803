import type { StaffSupportMessage } from '@jiangxin/shared/ops/support';
import { FileOpener, FileThumbnail, isPreviewable } from '../../files/StoredFile';
import { formatDateTime } from '../../format';
import { useT } from '../../i18n';
import { WithUserText } from '../../kit/UserText';
import { useSupportStrings } from './strings';

/** A message the agent sent that the engine holds until it can reach the core. */
export interface PendingMessage {
  key: number;
  content: string;
  isNote: boolean;
  state: 'sending' | 'pending' | 'failed';
  outboxId: number | null;
  problem: string | null;
}

function MessageItem({
  message: m,
  customerRead,
}: {
  message: StaffSupportMessage;
  /** The customer's read marker (agent messages up to it are read). */
  customerRead: number;
}) {
  const s = useSupportStrings();
  const { locale } = useT();
  const who =
    m.senderKind === 'system'
      ? s('senderSystem')
      : m.senderKind === 'user'
        ? s('senderCustomer', { name: m.sender?.nickname ?? '' })
        : s('senderAgent', { name: m.sender?.nickname ?? '' });
  const side = m.isNote ? 'note' : m.senderKind;
  return (
    <li className={`msg msg-${side}`} data-testid={`chat-message-${m.id}`} data-note={m.isNote || undefined}>
      <div className="msg-bubble">
        {m.isNote && (
          <div className="msg-note-label" data-testid={`chat-note-label-${m.id}`}>
            <span aria-hidden="true">🔒 </span>
            {s('noteLabel')}
          </div>
        )}
        <div className="msg-meta small">
          <span>
            <WithUserText text={who} parts={[m.sender?.nickname]} />
          </span>{' '}
          <time dateTime={m.createdAt}>{formatDateTime(m.createdAt, locale)}</time>
        </div>
        {/* What the customer or an agent wrote is theirs; a system message is the platform's words. */}
        {m.content && (
          <div className="msg-text" data-user-content={m.senderKind === 'system' ? undefined : ''}>
            {m.content}
          </div>
        )}
        {m.files.map((f) =>
          isPreviewable(f.contentType) ? (
            <FileThumbnail key={f.id} file={f} testId={`chat-file-${f.id}`} />
          ) : (
            <div key={f.id} className="msg-file">
              <FileOpener file={f} testId={`chat-file-${f.id}`} />
            </div>
          ),
        )}
        {m.senderKind === 'agent' && !m.isNote && (
          <div className="msg-receipt small" data-testid={`chat-receipt-${m.id}`}>
            {m.id <= customerRead ? `✓✓ ${s('readByCustomer')}` : `✓ ${s('unreadByCustomer')}`}
          </div>
        )}
      </div>
    </li>
  );
}

export function MessageList({
  messages,
  pending,
  customerRead,
  onDismiss,
}: {
  messages: readonly StaffSupportMessage[];
  pending: readonly PendingMessage[];
  customerRead: number;
  onDismiss: (p: PendingMessage) => void;
}) {
  const s = useSupportStrings();
  return (
    <ol className="msg-list">
      {messages.map((m) => (
        <MessageItem key={m.id} message={m} customerRead={customerRead} />
      ))}
      {pending.map((p) => (
        <li
          key={`pending-${p.key}`}
          className={`msg msg-${p.isNote ? 'note' : 'agent'} msg-pending`}
          data-testid={`chat-pending-${p.key}`}
          data-state={p.state}
        >
          <div className="msg-bubble">
            {p.isNote && <div className="msg-note-label">{s('noteLabel')}</div>}
            <div className="msg-text" data-user-content="">
              {p.content}
            </div>
            <div className="msg-receipt small">
              {p.state === 'failed' ? (
                <>
                  <span className="problem" role="alert">
                    {s('sendFailed', { reason: p.problem ?? '' })}
                  </span>{' '}
                  <button type="button" className="link-button" onClick={() => onDismiss(p)}>
                    {s('dismiss')}
                  </button>
                </>
              ) : (
                <span className="badge outbox-pending">
                  {p.state === 'sending' ? s('sending') : s('pending')}
                </span>
              )}
            </div>
          </div>
        </li>
      ))}
    </ol>
  );
}
