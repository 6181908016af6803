import {
  CANNED_REPLY_VARIABLES,
  type CannedReply,
  unknownTemplateVariables,
} from '@jiangxin/shared/ops/support';
import { Alert, Button, Input, Modal, Popconfirm, Space, Table } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { type FormEvent, type HTMLAttributes, useCallback, useEffect, useId, useState } from 'react';
import { problemOf, useBridge } from '../../bridge';
import { formatDateTime } from '../../format';
import { useT } from '../../i18n';
import type { WorkspaceScreenProps } from '../shell/screens';
import './admin.css';
import { type AdminStrings, useAdminStrings } from './strings';

const SHORTCUT_PATTERN = /^[a-z0-9_-]{1,32}$/;
const KNOWN = CANNED_REPLY_VARIABLES.map((v) => `{{${v}}}`).join('、');

export interface CannedFormValues {
  title: string;
  shortcut: string;
  bodyZh: string;
  bodyEn: string;
}
type CannedFormErrors = Partial<Record<keyof CannedFormValues, string>>;

const length = (text: string) => [...text].length;

/**
 * The canned-reply form's checks, as the core's schema and `assertKnownVariables` will make them: a
 * `{{variable}}` the core cannot fill is named here, before anything is sent.
 */
export function validateCannedForm(v: CannedFormValues, s: AdminStrings): CannedFormErrors {
  const errors: CannedFormErrors = {};
  const title = v.title.trim();
  if (length(title) < 1 || length(title) > 60) errors.title = s('titleRequired');
  const shortcut = v.shortcut.trim();
  if (shortcut && !SHORTCUT_PATTERN.test(shortcut)) errors.shortcut = s('shortcutInvalid');
  for (const key of ['bodyZh', 'bodyEn'] as const) {
    const body = v[key].trim();
    if (key === 'bodyZh' && !body) errors.bodyZh = s('bodyZhRequired');
    else if (length(body) > 2000) errors[key] = s('bodyTooLong');
    else {
      const unknown = unknownTemplateVariables(body);
      if (unknown.length)
        errors[key] = s('unknownVariables', {
          list: unknown.map((n) => `{{${n}}}`).join('、'),
          known: KNOWN,
        });
    }
  }
  return errors;
}

/**
 * Canned replies: the list with search, a form to create or edit one (title, shortcut, Chinese and
 * English text with `{{variables}}` checked before sending), delete with a confirmation.
 */
export function CannedRepliesScreen(_props: WorkspaceScreenProps) {
  const bridge = useBridge();
  const { pick, locale } = useT();
  const s = useAdminStrings();
  const [q, setQ] = useState('');
  const [items, setItems] = useState<CannedReply[]>([]);
  const [loading, setLoading] = useState(true);
  const [problem, setProblem] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [editing, setEditing] = useState<CannedReply | 'new' | null>(null);

  const load = useCallback(
    async (query: string) => {
      setLoading(true);
      try {
        const trimmed = query.trim();
        setItems((await bridge.call('cannedReplies.list', trimmed ? { q: trimmed } : {})).items);
        setProblem(null);
      } catch (err) {
        setProblem(pick(problemOf(err).message));
      } finally {
        setLoading(false);
      }
    },
    [bridge, pick],
  );

  useEffect(() => {
    void load('');
  }, [load]);

  const remove = async (r: CannedReply) => {
    setNotice(null);
    try {
      await bridge.call('cannedReplies.delete', { id: r.id });
      setProblem(null);
      setNotice(s('cannedDeleted', { title: r.title }));
      await load(q);
    } catch (err) {
      setProblem(pick(problemOf(err).message));
    }
  };

  const columns: ColumnsType<CannedReply> = [
    { title: s('colTitle'), dataIndex: 'title', width: 180 },
    {
      title: s('colShortcut'),
      dataIndex: 'shortcut',
      width: 120,
      render: (v: string | null) => (v ? <code>/{v}</code> : <span className="muted">—</span>),
    },
    {
      title: s('colBodyZh'),
      dataIndex: 'bodyZh',
      render: (v: string) => <div className="canned-body">{v}</div>,
    },
    {
      title: s('colBodyEn'),
      dataIndex: 'bodyEn',
      render: (v: string) => (v ? <div className="canned-body">{v}</div> : <span className="muted">—</span>),
    },
    {
      title: s('colUpdated'),
      dataIndex: 'updatedAt',
      width: 120,
      render: (v: string) => formatDateTime(v, locale),
    },
    {
      title: s('actions'),
      key: 'actions',
      width: 150,
      render: (_: unknown, r) => (
        <Space>
          <Button
            size="small"
            onClick={() => setEditing(r)}
            aria-label={s('editOf', { title: r.title })}
            data-testid={`canned-edit-${r.id}`}
          >
            {s('edit')}
          </Button>
          <Popconfirm
            title={s('deleteOf', { title: r.title })}
            okText={s('delete')}
            cancelText={s('cancel')}
            okButtonProps={{ danger: true }}
            onConfirm={() => void remove(r)}
          >
            <Button
              size="small"
              danger
              aria-label={s('deleteOf', { title: r.title })}
              data-testid={`canned-delete-${r.id}`}
            >
              {s('delete')}
            </Button>
          </Popconfirm>
        </Space>
      ),
    },
  ];

  return (
    <main className="admin-screen" data-testid="canned-screen">
      <h1>{s('cannedTitle')}</h1>
      <p className="muted">{s('cannedIntro')}</p>
      <div className="admin-toolbar">
        <Input.Search
          aria-label={s('cannedSearch')}
          placeholder={s('cannedSearch')}
          value={q}
          maxLength={50}
          allowClear
          onChange={(e) => setQ(e.target.value)}
          onSearch={(value) => void load(value)}
          style={{ maxWidth: 360 }}
          data-testid="canned-search"
        />
        <Button type="primary" onClick={() => setEditing('new')} data-testid="canned-create">
          {s('cannedCreate')}
        </Button>
      </div>
      {problem && (
        <Alert type="error" showIcon role="alert" title={problem} closable onClose={() => setProblem(null)} />
      )}
      {notice && <Alert type="success" showIcon role="status" title={notice} />}
      <Table<CannedReply>
        data-testid="canned-table"
        rowKey="id"
        size="small"
        columns={columns}
        dataSource={items}
        loading={loading}
        pagination={false}
        onRow={(r) => ({ 'data-testid': `canned-row-${r.id}` }) as HTMLAttributes<HTMLElement>}
        locale={{ emptyText: s('cannedEmpty') }}
      />
      {editing && (
        <CannedReplyDialog
          reply={editing === 'new' ? null : editing}
          onClose={() => setEditing(null)}
          onSaved={(r) => {
            setEditing(null);
            setProblem(null);
            setNotice(s('cannedSaved', { title: r.title }));
            void load(q);
          }}
        />
      )}
    </main>
  );
}

function CannedReplyDialog({
  reply,
  onClose,
  onSaved,
}: {
  reply: CannedReply | null;
  onClose: () => void;
  onSaved: (r: CannedReply) => void;
}) {
  const bridge = useBridge();
  const { pick } = useT();
  const s = useAdminStrings();
  const ids = useId();
  const [values, setValues] = useState<CannedFormValues>({
    title: reply?.title ?? '',
    shortcut: reply?.shortcut ?? '',
    bodyZh: reply?.bodyZh ?? '',
    bodyEn: reply?.bodyEn ?? '',
  });
  const [errors, setErrors] = useState<CannedFormErrors>({});
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const found = validateCannedForm(values, s);
    setErrors(found);
    if (Object.keys(found).length) return;
    const body = {
      title: values.title.trim(),
      bodyZh: values.bodyZh.trim(),
      bodyEn: values.bodyEn.trim(),
      shortcut: values.shortcut.trim() || null,
    };
    setBusy(true);
    setProblem(null);
    try {
      const saved = reply
        ? await bridge.call('cannedReplies.update', { id: reply.id, ...body })
        : await bridge.call('cannedReplies.create', body);
      onSaved(saved);
    } catch (err) {
      const p = problemOf(err);
      if (p.code === 'canned_reply_shortcut_taken') setErrors({ shortcut: pick(p.message) });
      else setProblem(pick(p.message));
    } finally {
      setBusy(false);
    }
  };

  const field = (
    key: keyof CannedFormValues,
    label: string,
    opts: { help?: string; multiline?: boolean } = {},
  ) => {
    const id = `${ids}-${key}`;
    const error = errors[key];
    const described = [opts.help ? `${id}-help` : null, error ? `${id}-error` : null]
      .filter(Boolean)
      .join(' ');
    const common = {
      id,
      value: values[key],
      status: error ? ('error' as const) : undefined,
      'aria-invalid': error ? true : undefined,
      'aria-describedby': described || undefined,
      'data-testid': `canned-form-${key}`,
    };
    return (
      <div className="admin-field">
        <label htmlFor={id}>{label}</label>
        {opts.multiline ? (
          <Input.TextArea
            {...common}
            autoSize={{ minRows: 3, maxRows: 10 }}
            onChange={(e) => setValues({ ...values, [key]: e.target.value })}
          />
        ) : (
          <Input {...common} onChange={(e) => setValues({ ...values, [key]: e.target.value })} />
        )}
        {opts.help && (
          <span id={`${id}-help`} className="field-help">
            {opts.help}
          </span>
        )}
        {error && (
          <span id={`${id}-error`} className="field-error" role="alert">
            {error}
          </span>
        )}
      </div>
    );
  };

  return (
    <Modal
      open
      width={640}
      title={reply ? s('cannedEdit') : s('cannedCreate')}
      onCancel={onClose}
      footer={[
        <Button key="cancel" onClick={onClose}>
          {s('cancel')}
        </Button>,
        <Button
          key="save"
          type="primary"
          htmlType="submit"
          form={`${ids}-canned`}
          loading={busy}
          data-testid="canned-form-submit"
        >
          {s('save')}
        </Button>,
      ]}
    >
      <form id={`${ids}-canned`} className="canned-form" onSubmit={submit} noValidate>
        {field('title', s('title'))}
        {field('shortcut', s('shortcut'), { help: s('shortcutHelp') })}
        {field('bodyZh', s('bodyZh'), { multiline: true, help: s('variablesHelp', { list: KNOWN }) })}
        {field('bodyEn', s('bodyEn'), { multiline: true })}
        {problem && <Alert type="error" showIcon role="alert" title={problem} />}
      </form>
    </Modal>
  );
}
