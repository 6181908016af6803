import { type ButtonProps, Input, Modal, Select } from 'antd';
import { useEffect, useId, useState } from 'react';
import { problemOf, useBridge } from '../../bridge';
import { useT } from '../../i18n';
import { useSupportStrings } from './strings';

export interface Colleague {
  userId: number;
  nickname: string;
}

const ID_PATTERN = /^[1-9]\d{0,15}$/;

/**
 * Transfer a chat to a colleague (`cases.assign`). There is no staff directory the support role may
 * read, so the choices are the colleagues seen holding support chats in the cache and those viewing
 * this one now; any other colleague is reached by their user ID.
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
  const [known, setKnown] = useState<Colleague[]>([]);
  const [picked, setPicked] = useState<number | null>(null);
  const [typedId, setTypedId] = useState('');
  const [note, setNote] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const pickId = useId();
  const idId = useId();
  const noteId = useId();

  useEffect(() => {
    if (!open) return;
    setPicked(null);
    setTypedId('');
    setNote('');
    setProblem(null);
    let current = true;
    bridge.call('cases.list', { kinds: ['support_chat'], limit: 1000, sort: '-created' }).then(
      (r) => {
        if (!current) return;
        const byId = new Map<number, string>();
        for (const c of r.items)
          if (c.assigneeId !== null && c.assigneeName) byId.set(c.assigneeId, c.assigneeName);
        setKnown([...byId].map(([userId, nickname]) => ({ userId, nickname })));
      },
      () => {},
    );
    return () => {
      current = false;
    };
  }, [bridge, open]);

  const colleagues = new Map<number, string>();
  for (const c of [...known, ...viewers]) if (c.userId !== selfId) colleagues.set(c.userId, c.nickname);

  const submit = () => {
    const typed = typedId.trim();
    if (typed && !ID_PATTERN.test(typed)) return setProblem(s('transferNeedTarget'));
    const target = typed ? Number(typed) : picked;
    if (target === null) return setProblem(s('transferNeedTarget'));
    if (target === selfId) return setProblem(s('transferSelf'));
    setBusy(true);
    setProblem(null);
    onTransfer(target, note.trim())
      .then(onClose, (err: unknown) => setProblem(pick(problemOf(err).message)))
      .finally(() => setBusy(false));
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
        <label htmlFor={pickId}>{s('transferPick')}</label>
        <Select<number>
          id={pickId}
          allowClear
          showSearch={{ optionFilterProp: 'label' }}
          placeholder={s('transferPickPlaceholder')}
          value={picked ?? undefined}
          onChange={(v) => setPicked(v ?? null)}
          options={[...colleagues].map(([userId, nickname]) => ({
            value: userId,
            label: `${nickname}（ID ${userId}）`,
          }))}
          data-testid="transfer-pick"
        />
        <label htmlFor={idId}>{s('transferId')}</label>
        <Input
          id={idId}
          inputMode="numeric"
          value={typedId}
          onChange={(e) => setTypedId(e.target.value)}
          maxLength={16}
          data-testid="transfer-id"
        />
        <p className="small muted">{s('transferIdHint')}</p>
        <label htmlFor={noteId}>{s('transferNote')}</label>
        <Input.TextArea
          id={noteId}
          value={note}
          onChange={(e) => setNote(e.target.value)}
          maxLength={500}
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
  const { pick } = useT();
  const s = useSupportStrings();
  const [note, setNote] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const noteId = useId();

  useEffect(() => {
    if (open) {
      setNote('');
      setProblem(null);
    }
  }, [open]);

  const submit = () => {
    setBusy(true);
    setProblem(null);
    onResolve(note.trim())
      .then(onClose, (err: unknown) => setProblem(pick(problemOf(err).message)))
      .finally(() => setBusy(false));
  };

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
          maxLength={500}
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
