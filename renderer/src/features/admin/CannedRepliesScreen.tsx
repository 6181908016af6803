import { fieldLimits, schemaLimits } from '@jiangxin/shared/forms';
import {
  CASE_PRIORITY_LABELS,
  CASE_TAG_MAX_CHARS,
  CASE_TAGS_MAX,
  caseTagSchema,
  mergeTags,
} from '@jiangxin/shared/ops/cases';
import {
  CANNED_REPLY_VARIABLES,
  type CannedReply,
  type CannedReplyEffects,
  cannedReplyListQuerySchema,
  createCannedReplyBodySchema,
  hasEffects,
  MACRO_STATUSES,
  unknownTemplateVariables,
} from '@jiangxin/shared/ops/support';
import { Alert, Button, Input, Modal, Popconfirm, Radio, Select, Space, Table, Tag } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { type FormEvent, type HTMLAttributes, useId, useState } from 'react';
import { useBridge } from '../../bridge';
import { useAction, useBridgeQuery } from '../../calls';
import { formatDateTime } from '../../format';
import { useT } from '../../i18n';
import type { WorkspaceScreenProps } from '../../kit/pane';
import { UserText } from '../../kit/UserText';
import './admin.css';
import { type AdminStrings, useAdminStrings } from './strings';

/** The core's limits on a canned reply and on the search (`createCannedReplyBodySchema`). */
const LIMITS = schemaLimits(createCannedReplyBodySchema);
const SEARCH_MAX = fieldLimits(cannedReplyListQuerySchema, 'q').maxLength;
const KNOWN = CANNED_REPLY_VARIABLES.map((v) => `{{${v}}}`).join('、');

type MacroStatus = (typeof MACRO_STATUSES)[number];

export interface CannedFormValues {
  title: string;
  shortcut: string;
  bodyZh: string;
  bodyEn: string;
  /** 回复后: what replying with it also does to the chat (null: leaves it as a plain reply would). */
  status: MacroStatus | null;
  priority: number | null;
  addTags: string[];
}
type CannedFormErrors = Partial<Record<keyof CannedFormValues, string>>;

/** The tags as they would be saved: trimmed, blanks dropped, duplicates (any case) once. */
const cleanTags = (tags: readonly string[]) => mergeTags(tags.map((t) => t.trim()).filter(Boolean));

/** The reply the form would save, as the core takes it (no shortcut: null; effects always, so an edit can clear them). */
const cannedBody = (v: CannedFormValues) => ({
  title: v.title.trim(),
  bodyZh: v.bodyZh.trim(),
  bodyEn: v.bodyEn.trim(),
  shortcut: v.shortcut.trim() || null,
  effects: {
    status: v.status,
    priority: v.priority,
    addTags: cleanTags(v.addTags),
  } satisfies CannedReplyEffects,
});

/**
 * What is wrong with the tags a macro adds, in the person's words and naming the tag (the rules of the
 * core's `caseTagSchema` and `CASE_TAGS_MAX`), or null.
 */
export function tagsProblem(tags: readonly string[], s: AdminStrings): string | null {
  for (const tag of tags.map((t) => t.trim()).filter(Boolean)) {
    if (caseTagSchema.safeParse(tag).success) continue;
    if (/[,，]/.test(tag)) return s('tagComma', { tag });
    if (tag.length > CASE_TAG_MAX_CHARS) return s('tagTooLong', { tag, max: CASE_TAG_MAX_CHARS });
    return s('tagInvalid', { tag });
  }
  const n = cleanTags(tags).length;
  return n > CASE_TAGS_MAX ? s('tagsTooMany', { max: CASE_TAGS_MAX, n }) : null;
}

/**
 * The canned-reply form's checks: the core's own schema (`createCannedReplyBodySchema`), each refused
 * field named in the person's words, and `assertKnownVariables`'s rule: a `{{variable}}` the core cannot
 * fill is named here, before anything is sent.
 */
export function validateCannedForm(v: CannedFormValues, s: AdminStrings): CannedFormErrors {
  const errors: CannedFormErrors = {};
  const body = cannedBody(v);
  const checked = createCannedReplyBodySchema.safeParse(body);
  const refused = new Set(checked.success ? [] : checked.error.issues.map((i) => i.path[0]));
  if (refused.has('title')) errors.title = s('titleRequired');
  if (refused.has('shortcut')) errors.shortcut = s('shortcutInvalid');
  const tags = tagsProblem(v.addTags, s);
  if (tags) errors.addTags = tags;
  else if (refused.has('effects')) errors.addTags = s('effectsInvalid');
  for (const key of ['bodyZh', 'bodyEn'] as const) {
    if (refused.has(key))
      errors[key] = body[key].length < LIMITS[key].minLength ? s('bodyZhRequired') : s('bodyTooLong');
    else {
      const unknown = unknownTemplateVariables(body[key]);
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
  const { locale } = useT();
  const s = useAdminStrings();
  const [q, setQ] = useState('');
  // The search as last asked (the field may hold more typing since).
  const [search, setSearch] = useState('');
  const list = useBridgeQuery('cannedReplies.list', search ? { q: search } : {}, { keepPreviousData: true });
  const deleting = useAction((id: number) => bridge.call('cannedReplies.delete', { id }));
  const [notice, setNotice] = useState<string | null>(null);
  const [editing, setEditing] = useState<CannedReply | 'new' | null>(null);
  const items = list.data?.items ?? [];
  const problem = deleting.error ?? list.error;

  const remove = async (r: CannedReply) => {
    setNotice(null);
    if (!(await deleting.run(r.id)).ok) return;
    setNotice(s('cannedDeleted', { title: r.title }));
    list.reload();
  };

  const columns: ColumnsType<CannedReply> = [
    { title: s('colTitle'), dataIndex: 'title', width: 180, render: (v: string) => <UserText>{v}</UserText> },
    {
      title: s('colShortcut'),
      dataIndex: 'shortcut',
      width: 120,
      render: (v: string | null) =>
        v ? (
          <code>
            /<UserText>{v}</UserText>
          </code>
        ) : (
          <span className="muted">—</span>
        ),
    },
    {
      title: s('colBodyZh'),
      dataIndex: 'bodyZh',
      render: (v: string) => (
        <div className="canned-body" data-user-content="">
          {v}
        </div>
      ),
    },
    {
      title: s('colBodyEn'),
      dataIndex: 'bodyEn',
      render: (v: string) =>
        v ? (
          <div className="canned-body" data-user-content="">
            {v}
          </div>
        ) : (
          <span className="muted">—</span>
        ),
    },
    {
      title: s('colEffects'),
      key: 'effects',
      width: 200,
      render: (_: unknown, r) => <EffectChips reply={r} />,
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
          maxLength={SEARCH_MAX}
          allowClear
          onChange={(e) => setQ(e.target.value)}
          onSearch={(value) => {
            setSearch(value.trim());
            list.reload();
          }}
          style={{ maxWidth: 360 }}
          data-testid="canned-search"
        />
        <Button type="primary" onClick={() => setEditing('new')} data-testid="canned-create">
          {s('cannedCreate')}
        </Button>
      </div>
      {problem && (
        <Alert type="error" showIcon role="alert" title={problem} closable onClose={deleting.reset} />
      )}
      {notice && <Alert type="success" showIcon role="status" title={notice} />}
      <Table<CannedReply>
        data-testid="canned-table"
        rowKey="id"
        size="small"
        columns={columns}
        dataSource={items}
        loading={list.loading}
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
            deleting.reset();
            setNotice(s('cannedSaved', { title: r.title }));
            list.reload();
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
    status: reply?.effects?.status ?? null,
    priority: reply?.effects?.priority ?? null,
    addTags: reply?.effects?.addTags ?? [],
  });
  const [errors, setErrors] = useState<CannedFormErrors>({});
  const save = useAction((body: ReturnType<typeof cannedBody>) =>
    reply
      ? bridge.call('cannedReplies.update', { id: reply.id, ...body })
      : bridge.call('cannedReplies.create', body),
  );
  // A shortcut already taken is said beside the field, anything else below the form.
  const problem = save.problem?.code === 'canned_reply_shortcut_taken' ? null : save.error;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const found = validateCannedForm(values, s);
    setErrors(found);
    if (Object.keys(found).length) return;
    const outcome = await save.run(cannedBody(values));
    if (outcome.ok) onSaved(outcome.value);
    else if (outcome.problem.code === 'canned_reply_shortcut_taken')
      setErrors({ shortcut: pick(outcome.problem.message) });
  };

  const field = (
    key: 'title' | 'shortcut' | 'bodyZh' | 'bodyEn',
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
          loading={save.busy}
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
        <EffectsEditor
          values={values}
          error={errors.addTags}
          onChange={(next) => {
            setValues({ ...values, ...next });
            if (next.addTags && errors.addTags)
              setErrors({ ...errors, addTags: tagsProblem(next.addTags, s) ?? undefined });
          }}
        />
        {problem && <Alert type="error" showIcon role="alert" title={problem} />}
      </form>
    </Modal>
  );
}

/** The macro's effects as short chips for the list (结束会话, 优先级→高, +退款); a dash for a plain reply. */
function EffectChips({ reply }: { reply: CannedReply }) {
  const { pick } = useT();
  const s = useAdminStrings();
  const e = reply.effects;
  if (!e || !hasEffects(e)) return <span className="muted">—</span>;
  return (
    <Space size={4} wrap data-testid={`canned-effects-${reply.id}`}>
      {e.status === 'resolved' && <Tag color="success">{s('chipResolve')}</Tag>}
      {e.status === 'waiting' && <Tag>{s('chipWaiting')}</Tag>}
      {e.priority !== null && (
        <Tag color="warning">{s('chipPriority', { label: priorityName(e.priority, pick) })}</Tag>
      )}
      {e.addTags.map((t) => (
        <Tag key={t} color="processing">
          +<UserText>{t}</UserText>
        </Tag>
      ))}
    </Space>
  );
}

/** A priority's name (低 / 普通 / 高 / 紧急); the number only for one this console does not know. */
function priorityName(priority: number, pick: (t: { zh: string; en: string }) => string): string {
  const label = CASE_PRIORITY_LABELS[priority];
  return label ? pick(label) : String(priority);
}

type EffectsValues = Pick<CannedFormValues, 'status' | 'priority' | 'addTags'>;

/**
 * 回复后: the chat's status (leave as is, waiting for the customer, resolved), its priority and the tags
 * the reply adds. The tags are checked as they are typed once a problem has been shown.
 */
function EffectsEditor({
  values,
  error,
  onChange,
}: {
  values: EffectsValues;
  error: string | undefined;
  onChange: (next: Partial<EffectsValues>) => void;
}) {
  const { pick } = useT();
  const s = useAdminStrings();
  const ids = useId();
  const tagsId = `${ids}-tags`;
  const statusLabel: Record<MacroStatus, string> = {
    waiting: s('statusWaiting'),
    resolved: s('statusResolved'),
  };
  return (
    <fieldset className="admin-fieldset-plain canned-effects" data-testid="canned-form-effects">
      <legend>{s('effectsTitle')}</legend>
      <span className="field-help">{s('effectsHelp')}</span>
      <div className="admin-field">
        <span id={`${ids}-status`}>{s('effectStatus')}</span>
        <Radio.Group
          aria-labelledby={`${ids}-status`}
          name={`${ids}-status`}
          optionType="button"
          value={values.status ?? 'keep'}
          onChange={(e) =>
            onChange({ status: e.target.value === 'keep' ? null : (e.target.value as MacroStatus) })
          }
          options={[
            { value: 'keep', label: s('keep') },
            ...MACRO_STATUSES.map((v) => ({ value: v, label: statusLabel[v] })),
          ]}
          data-testid="canned-form-status"
        />
      </div>
      <div className="admin-field">
        <span id={`${ids}-priority`}>{s('effectPriority')}</span>
        <Radio.Group
          aria-labelledby={`${ids}-priority`}
          name={`${ids}-priority`}
          optionType="button"
          value={values.priority === null ? 'keep' : String(values.priority)}
          onChange={(e) => onChange({ priority: e.target.value === 'keep' ? null : Number(e.target.value) })}
          options={[
            { value: 'keep', label: s('keep') },
            ...CASE_PRIORITY_LABELS.map((l, i) => ({ value: String(i), label: pick(l) })),
          ]}
          data-testid="canned-form-priority"
        />
      </div>
      <div className="admin-field">
        <label htmlFor={tagsId}>{s('effectTags')}</label>
        <Select
          id={tagsId}
          mode="tags"
          value={values.addTags}
          onChange={(tags: string[]) => onChange({ addTags: tags })}
          placeholder={s('tagsPlaceholder')}
          open={false}
          suffixIcon={null}
          status={error ? 'error' : undefined}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? `${tagsId}-help ${tagsId}-error` : `${tagsId}-help`}
          data-testid="canned-form-tags"
        />
        <span id={`${tagsId}-help`} className="field-help">
          {s('tagsHelp', { max: CASE_TAG_MAX_CHARS, n: CASE_TAGS_MAX })}
        </span>
        {error && (
          <span
            id={`${tagsId}-error`}
            className="field-error"
            role="alert"
            data-testid="canned-form-tags-error"
          >
            {error}
          </span>
        )}
      </div>
    </fieldset>
  );
}
