import { schemaLimits } from '@jiangxin/shared/forms';
import { createStaffBodySchema, type StaffMember } from '@jiangxin/shared/ops/staff';
import { STAFF_ROLE_LABELS, STAFF_ROLES, type StaffRole } from '@jiangxin/shared/permissions';
import { Alert, Button, Checkbox, Input, Modal, Popconfirm, Space, Table, Tag } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { type FormEvent, type HTMLAttributes, useId, useState } from 'react';
import { useBridge } from '../../bridge';
import { useAction, useBridgeMutation, useBridgeQuery } from '../../calls';
import { formatDateTime } from '../../format';
import { useT } from '../../i18n';
import type { WorkspaceScreenProps } from '../../kit/pane';
import { UserText } from '../../kit/UserText';
import './admin.css';
import { type AdminStrings, useAdminStrings } from './strings';

/** The core's limits on a new account (`createStaffBodySchema`: the same rules as sign-up). */
const LIMITS = schemaLimits(createStaffBodySchema);

export interface StaffFormValues {
  username: string;
  nickname: string;
  password: string;
  confirm: string;
  roles: StaffRole[];
}
type StaffFormErrors = Partial<Record<keyof StaffFormValues, string>>;

/** The account the form would create, as the core takes it. */
const staffBody = (v: StaffFormValues) => ({
  username: v.username.trim(),
  nickname: v.nickname.trim(),
  password: v.password,
  roles: roleOrder(v.roles),
});

/**
 * The create form's checks: the core's own schema (`createStaffBodySchema`), each refused field named in
 * the person's words; then that the password was typed the same twice.
 */
export function validateStaffForm(v: StaffFormValues, s: AdminStrings): StaffFormErrors {
  const errors: StaffFormErrors = {};
  const checked = createStaffBodySchema.safeParse(staffBody(v));
  const refused = new Set(checked.success ? [] : checked.error.issues.map((i) => i.path[0]));
  if (refused.has('username')) errors.username = s('usernameInvalid');
  if (refused.has('nickname'))
    errors.nickname = s('nicknameRequired', {
      min: Math.max(1, LIMITS.nickname.minLength),
      max: LIMITS.nickname.maxLength ?? '',
    });
  const password = LIMITS.password;
  if (refused.has('password'))
    errors.password =
      v.password.length < password.minLength
        ? s('passwordShort', { n: password.minLength })
        : password.maxLength !== undefined && v.password.length > password.maxLength
          ? s('passwordLong', { n: password.maxLength })
          : s('passwordInvalid');
  else if (v.confirm !== v.password) errors.confirm = s('passwordMismatch');
  if (refused.has('roles')) errors.roles = s('rolesRequired');
  return errors;
}

const roleOrder = (roles: readonly StaffRole[]) => STAFF_ROLES.filter((r) => roles.includes(r));

/**
 * Staff accounts and roles: the list with each member's roles, state and last sign-in; a form to create
 * an account; a role editor; disable / enable with a confirmation. The signed-in admin's own admin role
 * and own disable control are shown disabled with the reason (the core refuses them too).
 */
export function StaffScreen({ session }: WorkspaceScreenProps) {
  const bridge = useBridge();
  const { pick, locale } = useT();
  const s = useAdminStrings();
  const ids = useId();
  const list = useBridgeQuery('staff.list', {});
  const changing = useAction((send: () => Promise<unknown>) => send());
  const [notice, setNotice] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  const [editing, setEditing] = useState<StaffMember | null>(null);
  const items = list.data?.items ?? [];
  const problem = changing.error ?? list.error;

  /** Runs a change; a refusal is shown, and a stale version reloads the list so the next try is current. */
  const change = async (send: () => Promise<unknown>, done: string): Promise<boolean> => {
    setNotice(null);
    const outcome = await changing.run(send);
    if (outcome.ok) {
      setNotice(done);
      list.reload();
      return true;
    }
    if (outcome.problem.code === 'staff_version_conflict') list.reload();
    return false;
  };

  const setState = (m: StaffMember, disable: boolean) =>
    void change(
      () => bridge.call(disable ? 'staff.disable' : 'staff.enable', { id: m.id, version: m.version }),
      s(disable ? 'disabledDone' : 'enabledDone', { name: m.nickname }),
    );

  const columns: ColumnsType<StaffMember> = [
    {
      title: s('colUsername'),
      dataIndex: 'username',
      render: (username: string, m) => (
        <span>
          <UserText>{username}</UserText>
          {m.id === session.userId && <span className="muted">{s('me')}</span>}
        </span>
      ),
    },
    {
      title: s('colNickname'),
      dataIndex: 'nickname',
      render: (nickname: string) => <UserText>{nickname}</UserText>,
    },
    {
      title: s('colRoles'),
      dataIndex: 'roles',
      render: (roles: StaffRole[]) =>
        roleOrder(roles).map((r) => <Tag key={r}>{pick(STAFF_ROLE_LABELS[r])}</Tag>),
    },
    {
      title: s('colState'),
      dataIndex: 'active',
      render: (active: boolean) =>
        active ? <Tag color="success">{s('active')}</Tag> : <Tag color="default">{s('disabled')}</Tag>,
    },
    {
      title: s('colLastLogin'),
      dataIndex: 'lastLoginAt',
      render: (at: string | null) =>
        at ? formatDateTime(at, locale) : <span className="muted">{s('never')}</span>,
    },
    {
      title: s('actions'),
      key: 'actions',
      render: (_: unknown, m) => {
        const self = m.id === session.userId;
        const reasonId = `${ids}-self-${m.id}`;
        return (
          <Space wrap>
            <Button
              size="small"
              onClick={() => setEditing(m)}
              aria-label={s('editRolesOf', { name: m.nickname })}
              data-testid={`staff-roles-${m.id}`}
            >
              {s('editRoles')}
            </Button>
            {m.active ? (
              self ? (
                <>
                  <Button
                    size="small"
                    disabled
                    aria-describedby={reasonId}
                    data-testid={`staff-disable-${m.id}`}
                  >
                    {s('disable')}
                  </Button>
                  <span id={reasonId} className="staff-roles-reason">
                    {s('ownDisableReason')}
                  </span>
                </>
              ) : (
                <Popconfirm
                  title={s('disableConfirm', { name: m.nickname })}
                  okText={s('disable')}
                  cancelText={s('cancel')}
                  okButtonProps={{ danger: true }}
                  onConfirm={() => setState(m, true)}
                >
                  <Button size="small" danger data-testid={`staff-disable-${m.id}`}>
                    {s('disable')}
                  </Button>
                </Popconfirm>
              )
            ) : (
              <Popconfirm
                title={s('enableConfirm', { name: m.nickname })}
                okText={s('enable')}
                cancelText={s('cancel')}
                onConfirm={() => setState(m, false)}
              >
                <Button size="small" data-testid={`staff-enable-${m.id}`}>
                  {s('enable')}
                </Button>
              </Popconfirm>
            )}
          </Space>
        );
      },
    },
  ];

  return (
    <main className="admin-screen" data-testid="staff-screen">
      <h1>{s('staffTitle')}</h1>
      <p className="muted">{s('staffIntro')}</p>
      <div className="admin-toolbar">
        <Button type="primary" onClick={() => setCreating(true)} data-testid="staff-create">
          {s('staffCreate')}
        </Button>
        <Button onClick={list.reload}>{s('reload')}</Button>
      </div>
      {problem && (
        <Alert type="error" showIcon role="alert" title={problem} closable onClose={changing.reset} />
      )}
      {notice && <Alert type="success" showIcon role="status" title={notice} />}
      <Table<StaffMember>
        data-testid="staff-table"
        rowKey="id"
        size="small"
        columns={columns}
        dataSource={items}
        loading={list.loading}
        pagination={false}
        onRow={(m) => ({ 'data-testid': `staff-row-${m.id}` }) as HTMLAttributes<HTMLElement>}
        locale={{ emptyText: s('staffEmpty') }}
      />
      {creating && (
        <CreateStaffDialog
          onClose={() => setCreating(false)}
          onCreated={(m) => {
            setCreating(false);
            changing.reset();
            setNotice(s('created', { name: m.nickname }));
            list.reload();
          }}
        />
      )}
      {editing && (
        <RolesDialog
          member={editing}
          self={editing.id === session.userId}
          busy={changing.busy}
          onClose={() => setEditing(null)}
          onSave={async (roles) => {
            const ok = await change(
              () => bridge.call('staff.setRoles', { id: editing.id, roles, version: editing.version }),
              s('rolesSaved', { name: editing.nickname }),
            );
            if (ok) setEditing(null);
            return ok;
          }}
        />
      )}
    </main>
  );
}

function RolesDialog({
  member,
  self,
  busy,
  onClose,
  onSave,
}: {
  member: StaffMember;
  self: boolean;
  /** The change is on its way. */
  busy: boolean;
  onClose: () => void;
  onSave: (roles: StaffRole[]) => Promise<boolean>;
}) {
  const { pick } = useT();
  const s = useAdminStrings();
  const ids = useId();
  const [roles, setRoles] = useState<StaffRole[]>(member.roles);
  const [error, setError] = useState<string | null>(null);
  // Your own admin role cannot be taken away here: the box stays checked and disabled, with the reason.
  const lockAdmin = self && member.roles.includes('admin');

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!roles.length) {
      setError(s('rolesRequired'));
      return;
    }
    setError(null);
    await onSave(roleOrder(roles));
  };

  return (
    <Modal
      open
      title={s('editRolesOf', { name: member.nickname })}
      onCancel={onClose}
      footer={[
        <Button key="cancel" onClick={onClose}>
          {s('cancel')}
        </Button>,
        <Button
          key="save"
          type="primary"
          htmlType="submit"
          form={`${ids}-roles`}
          loading={busy}
          data-testid="staff-roles-save"
        >
          {s('save')}
        </Button>,
      ]}
    >
      <form id={`${ids}-roles`} onSubmit={submit} noValidate>
        <fieldset className="admin-fieldset-plain">
          <legend>{s('roles')}</legend>
          <Checkbox.Group
            value={roles}
            onChange={(v) => setRoles(v as StaffRole[])}
            options={STAFF_ROLES.map((r) => ({
              value: r,
              label: pick(STAFF_ROLE_LABELS[r]),
              disabled: lockAdmin && r === 'admin',
            }))}
          />
        </fieldset>
        {lockAdmin && (
          <p className="staff-roles-reason" data-testid="staff-own-admin-reason">
            {s('ownAdminReason')}
          </p>
        )}
        {error && (
          <p className="field-error" role="alert">
            {error}
          </p>
        )}
      </form>
    </Modal>
  );
}

function CreateStaffDialog({
  onClose,
  onCreated,
}: {
  onClose: () => void;
  onCreated: (m: StaffMember) => void;
}) {
  const { pick } = useT();
  const s = useAdminStrings();
  const ids = useId();
  const create = useBridgeMutation('staff.create');
  const [values, setValues] = useState<StaffFormValues>({
    username: '',
    nickname: '',
    password: '',
    confirm: '',
    roles: [],
  });
  const [errors, setErrors] = useState<StaffFormErrors>({});
  // A taken username is said beside the field, anything else below the form.
  const taken = create.problem?.code === 'username_taken';
  const problem = taken ? null : create.error;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const found = validateStaffForm(values, s);
    setErrors(found);
    if (Object.keys(found).length) return;
    const outcome = await create.run(staffBody(values));
    if (outcome.ok) onCreated(outcome.value);
    else if (outcome.problem.code === 'username_taken')
      setErrors({ username: pick(outcome.problem.message) });
  };

  const text = (key: 'username' | 'nickname' | 'password' | 'confirm', label: string, help?: string) => {
    const id = `${ids}-${key}`;
    const error = errors[key];
    const described = [help ? `${id}-help` : null, error ? `${id}-error` : null].filter(Boolean).join(' ');
    return (
      <div className="admin-field">
        <label htmlFor={id}>{label}</label>
        <Input
          id={id}
          type={key === 'password' || key === 'confirm' ? 'password' : 'text'}
          autoComplete={key === 'password' || key === 'confirm' ? 'new-password' : 'off'}
          value={values[key]}
          status={error ? 'error' : undefined}
          aria-invalid={error ? true : undefined}
          aria-describedby={described || undefined}
          onChange={(e) => setValues({ ...values, [key]: e.target.value })}
          data-testid={`staff-form-${key}`}
        />
        {help && (
          <span id={`${id}-help`} className="field-help">
            {help}
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
      title={s('staffCreate')}
      onCancel={onClose}
      footer={[
        <Button key="cancel" onClick={onClose}>
          {s('cancel')}
        </Button>,
        <Button
          key="create"
          type="primary"
          htmlType="submit"
          form={`${ids}-create`}
          loading={create.busy}
          data-testid="staff-form-submit"
        >
          {s('create')}
        </Button>,
      ]}
    >
      <form id={`${ids}-create`} className="staff-create-form" onSubmit={submit} noValidate>
        {text('username', s('username'), s('usernameHelp'))}
        {text('nickname', s('nickname'))}
        {text('password', s('password'), s('passwordHelp', { n: LIMITS.password.minLength }))}
        {text('confirm', s('passwordConfirm'))}
        <fieldset
          className="admin-fieldset-plain"
          aria-describedby={errors.roles ? `${ids}-roles-error` : undefined}
        >
          <legend>{s('roles')}</legend>
          <Checkbox.Group
            value={values.roles}
            onChange={(v) => setValues({ ...values, roles: v as StaffRole[] })}
            options={STAFF_ROLES.map((r) => ({ value: r, label: pick(STAFF_ROLE_LABELS[r]) }))}
          />
          {errors.roles && (
            <span id={`${ids}-roles-error`} className="field-error" role="alert">
              {errors.roles}
            </span>
          )}
        </fieldset>
        {problem && <Alert type="error" showIcon role="alert" title={problem} />}
      </form>
    </Modal>
  );
}
