import type { StoredFileInfo } from '@jiangxin/shared/api/files';
import type { StaffSupportMessage } from '@jiangxin/shared/ops/support';
import { Image } from 'antd';
import { useEffect, useState } from 'react';
import { problemOf, useBridge } from '../../bridge';
import { formatDateTime } from '../../format';
import { useT } from '../../i18n';
import { formatBytes } from './model';
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

/** Files already read this session, by id (a chat re-rendering does not fetch its pictures again). */
const fileCache = new Map<number, Promise<{ dataUrl: string; contentType: string }>>();

function useFileContent(fileId: number, load: boolean) {
  const bridge = useBridge();
  const { pick } = useT();
  const [state, setState] = useState<{ dataUrl: string } | { problem: string } | null>(null);
  useEffect(() => {
    if (!load) return;
    let current = true;
    let pending = fileCache.get(fileId);
    if (!pending) {
      pending = bridge.call('files.content', { fileId });
      fileCache.set(fileId, pending);
      // A failure is not remembered: the next render may try again (after reconnecting).
      pending.catch(() => fileCache.delete(fileId));
    }
    pending.then(
      (r) => current && setState({ dataUrl: r.dataUrl }),
      (err: unknown) => current && setState({ problem: pick(problemOf(err).message) }),
    );
    return () => {
      current = false;
    };
  }, [bridge, fileId, load, pick]);
  return state;
}

/** A picture as a thumbnail (click to enlarge) with the file's name as its alternative text. */
function ImageFile({ file }: { file: StoredFileInfo }) {
  const s = useSupportStrings();
  const content = useFileContent(file.id, true);
  const alt = s('imageAlt', { name: file.filename });
  return (
    <figure className="msg-file msg-image" data-testid={`chat-file-${file.id}`}>
      {content === null && <span className="muted small">{s('loadingFile')}</span>}
      {content && 'dataUrl' in content && (
        <Image src={content.dataUrl} alt={alt} width={160} className="msg-thumb" />
      )}
      {content && 'problem' in content && (
        <span className="problem small" role="alert">
          {s('fileFailed', { reason: content.problem })}
        </span>
      )}
      <figcaption className="small muted">
        {file.filename} · {formatBytes(file.sizeBytes)}
      </figcaption>
    </figure>
  );
}

/** Any other file: its name and size; clicking saves it (the bytes come through the engine). */
function OtherFile({ file }: { file: StoredFileInfo }) {
  const s = useSupportStrings();
  const [asked, setAsked] = useState(false);
  const content = useFileContent(file.id, asked);
  const size = formatBytes(file.sizeBytes);

  useEffect(() => {
    if (!asked || !content || !('dataUrl' in content)) return;
    const a = document.createElement('a');
    a.href = content.dataUrl;
    a.download = file.filename;
    a.rel = 'noopener';
    a.click();
    setAsked(false);
  }, [asked, content, file.filename]);

  return (
    <div className="msg-file" data-testid={`chat-file-${file.id}`}>
      <a
        href={`#file-${file.id}`}
        onClick={(e) => {
          e.preventDefault();
          setAsked(true);
        }}
        aria-label={s('openFile', { name: file.filename, size })}
      >
        📎 {file.filename}
      </a>{' '}
      <span className="small muted">{size}</span>
      {asked && content === null && <span className="small muted"> {s('loadingFile')}</span>}
      {content && 'problem' in content && (
        <span className="problem small" role="alert">
          {' '}
          {s('fileFailed', { reason: content.problem })}
        </span>
      )}
    </div>
  );
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
          <span>{who}</span> <time dateTime={m.createdAt}>{formatDateTime(m.createdAt, locale)}</time>
        </div>
        {m.content && <div className="msg-text">{m.content}</div>}
        {m.files.map((f) =>
          f.contentType.startsWith('image/') ? (
            <ImageFile key={f.id} file={f} />
          ) : (
            <OtherFile key={f.id} file={f} />
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
            <div className="msg-text">{p.content}</div>
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
