import { fieldLimits } from '@jiangxin/shared/forms';
import { caseAssignBodySchema } from '@jiangxin/shared/ops/cases';
import type { StaffDirectoryEntry } from '@jiangxin/shared/ops/staff';
import { supportResolveBodySchema } from '@jiangxin/shared/ops/support';
import { STAFF_ROLE_LABELS } from '@jiangxin/shared/permissions';
import { type ButtonProps, Input, Modal } from 'antd';
import { useEffect, useId, useState } from 'react';
import { useBridge } from '../../bridge';
import { settle, useQuery } from '../../calls';
import { useT } from '../../i18n';
import { useDialogSubmit } from './hooks';
import { useSupportStrings } from './strings';

export interface Colleague {
  userId: number;
  nickname: string;
}

/** Where the choices came from: the core's directory, or (offline) the colleagues the cache knows. */
/** The notes' limits, from the actions' own schemas. */
const TRANSFER_NOTE = fieldLimits(caseAssignBodySchema, 'note');
const RESOLVE_NOTE = fieldLimits(supportResolveBodySchema, 'note');

type Directory =
  | { source: 'loading' }
  | { source: 'directory'; items: StaffDirectoryEntry[] }
  | { source: 'cache'; items: StaffDirectoryEntry[]; reason: string };

/** Online first (those known to be away last), then by name as Chinese readers sort it. */
function byAvailability(a: StaffDirectoryEntry, b: StaffDirectoryEntry): number {
  const rank = (e: StaffDirectoryEntry) => (e.online === true ? 0 : e.online === null ? 1 : 2);
  return rank(a) - rank(b) || a.nickname.localeCompare(b.nickname, 'zh-CN') || a.id - b.id;
}

/** Whether `query` (trimmed, any case) is part of the colleague's name: 小美 finds 客服小美. */
export function nameMatches(entry: { nickname: string }, query: string): boolean {
  const q = query.trim().toLocaleLowerCase();
  return q === '' || entry.nickname.toLocaleLowerCase().includes(q);
}

/**
 * Transfer a chat to a colleague (`cases.assign`), picked from the staff directory: the active
 * colleagues who may take support chats, with their roles and whether their console is open, searchable
 * by any part of their name. Offline the directory cannot be read; the transfer still queues, so the
 * choices are then the colleagues the cache knows (holding support chats, or viewing this one now).
 */
export function TransferDialog({
  open,
  caseId,
  selfId,
  viewers,
  onClose,
  onTransfer,
}: {
  open: boolean;
  caseId: number;
  selfId: number;
  viewers: readonly Colleague[];
  onClose: () => void;
  onTransfer: (assigneeId: number, note: string) => Promise<void>;
}) {
  const bridge = useBridge();
  const { pick } = useT();
  const s = useSupportStrings();
  const [query, setQuery] = useState('');
  const [picked, setPicked] = useState<number | null>(null);
  const [note, setNote] = useState('');
  const { problem, setProblem, busy, run } = useDialogSubmit();
  const searchId = useId();
  const noteId = useId();
  const groupName = useId();

  // A fresh form per opening.
  useEffect(() => {
    if (!open) return;
    setQuery('');
    setPicked(null);
    setNote('');
    setProblem(null);
  }, [open, setProblem]);

  // Colleagues from the core's directory, read once per opening (viewers change live); without the core,
  // those the cache knows as holders of chats, and who is viewing now.
  const read = useQuery<Directory>(
    open
      ? async () => {
          const found = await settle(bridge.call('staff.directory', { kind: 'support_chat' }));
          if (found.ok) return { source: 'directory', items: found.value.items };
          const byId = new Map<number, string>();
          const cached = await settle(
            bridge.call('cases.list', { kinds: ['support_chat'], limit: 1000, sort: '-created' }),
          );
          // Without the cache too: only the viewers, then.
          if (cached.ok)
            for (const c of cached.value.items)
              if (c.assigneeId !== null && c.assigneeName) byId.set(c.assigneeId, c.assigneeName);
          for (const v of viewers) byId.set(v.userId, v.nickname);
          const items = [...byId].map(([id, nickname]) => ({ id, nickname, roles: [], online: null }));
          return { source: 'cache', items, reason: pick(found.problem.message) };
        }
      : null,
    ['directory', open],
  );
  const directory: Directory = (!read.loading && read.data) || { source: 'loading' };

  const everyone =
    directory.source === 'loading' ? [] : directory.items.filter((c) => c.id !== selfId).sort(byAvailability);
  const shown = everyone.filter((c) => nameMatches(c, query));

  const submit = () => {
    const target = everyone.find((c) => c.id === picked);
    if (!target) return setProblem(s('transferNeedTarget'));
    run(() => onTransfer(target.id, note.trim()), onClose);
  };

  return (
    <Modal
      open={open}
      title={s('transferTitle', { id: caseId })}
      onCancel={onClose}
      onOk={submit}
      okText={s('transfer')}
      cancelText={s('cancel')}
      confirmLoading={busy}
      destroyOnHidden
      okButtonProps={{ 'data-testid': 'transfer-submit' } as ButtonProps}
    >
      <div className="support-form">
        <label htmlFor={searchId}>{s('transferSearch')}</label>
        <Input
          id={searchId}
          type="search"
          allowClear
          value={query}
          placeholder={s('transferSearchPlaceholder')}
          onChange={(e) => setQuery(e.target.value)}
          onPressEnter={(e) => {
            // Enter in the search picks the only match rather than submitting the dialog.
            e.preventDefault();
            if (shown.length === 1) setPicked(shown[0]!.id);
          }}
          data-testid="transfer-search"
        />
        {directory.source === 'cache' && (
          <output className="small muted transfer-fallback" data-testid="transfer-fallback">
            {s('transferFallback', { reason: directory.reason })}
          </output>
        )}
        <fieldset className="colleague-picker" data-testid="transfer-pick">
          <legend>{s('transferPick')}</legend>
          {directory.source === 'loading' ? (
            <p className="muted small">{s('transferLoading')}</p>
          ) : everyone.length === 0 ? (
            <p className="muted small">{s('transferNone')}</p>
          ) : shown.length === 0 ? (
            <p className="muted small">{s('transferNoMatch', { q: query.trim() })}</p>
          ) : (
            <ul className="colleague-list">
              {shown.map((c) => (
                <li key={c.id}>
                  <label className="colleague-option" data-testid={`colleague-${c.id}`}>
                    <input
                      type="radio"
                      name={groupName}
                      value={c.id}
                      checked={picked === c.id}
                      onChange={() => setPicked(c.id)}
                    />
                    <span className="colleague-name">{c.nickname}</span>
                    {c.roles.length > 0 && (
                      <span className="small muted">
                        {c.roles.map((r) => pick(STAFF_ROLE_LABELS[r])).join('、')}
                      </span>
                    )}
                    {c.online !== null && (
                      <span className={`small presence-dot ${c.online ? 'is-online' : 'is-away'}`}>
                        {c.online ? s('transferOnline') : s('transferAway')}
                      </span>
                    )}
                  </label>
                </li>
              ))}
            </ul>
          )}
        </fieldset>
        <label htmlFor={noteId}>{s('transferNote')}</label>
        <Input.TextArea
          id={noteId}
          value={note}
          onChange={(e) => setNote(e.target.value)}
          maxLength={TRANSFER_NOTE.maxLength}
          rows={2}
        />
        {problem && (
          <p className="problem" role="alert">
            {problem}
          </p>
        )}
      </div>
    </Modal>
  );
}

/** Resolve: the customer is told the chat ended; an optional internal note goes to the case history. */
export function ResolveDialog({
  open,
  onClose,
  onResolve,
}: {
  open: boolean;
  onClose: () => void;
  onResolve: (note: string) => Promise<void>;
}) {
  const s = useSupportStrings();
  const [note, setNote] = useState('');
  const { problem, setProblem, busy, run } = useDialogSubmit();
  const noteId = useId();

  useEffect(() => {
    if (open) {
      setNote('');
      setProblem(null);
    }
  }, [open, setProblem]);

  const submit = () => run(() => onResolve(note.trim()), onClose);

  return (
    <Modal
      open={open}
      title={s('resolve')}
      onCancel={onClose}
      onOk={submit}
      okText={s('resolve')}
      cancelText={s('cancel')}
      confirmLoading={busy}
      destroyOnHidden
      okButtonProps={{ 'data-testid': 'resolve-submit' } as ButtonProps}
    >
      <div className="support-form">
        <p>{s('resolveConfirm')}</p>
        <label htmlFor={noteId}>{s('resolveNote')}</label>
        <Input.TextArea
          id={noteId}
          value={note}
          onChange={(e) => setNote(e.target.value)}
          maxLength={RESOLVE_NOTE.maxLength}
          rows={2}
        />
        {problem && (
          <p className="problem" role="alert">
            {problem}
          </p>
        )}
      </div>
    </Modal>
  );
}
