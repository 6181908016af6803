import type { BridgeProblem } from '@jiangxin/shared/bridge';
import {
  CASE_HANDLE_PERMISSION,
  CASE_KIND_LABELS,
  CASE_KINDS,
  type CaseKind,
} from '@jiangxin/shared/ops/cases';
import {
  ASSIGNMENT_MODE_LABELS,
  ASSIGNMENT_MODES,
  type AssignmentMode,
  createTeamBodySchema,
  PRESENCE_STATUS_LABELS,
  TEAM_CAPACITY_MAX,
  TEAM_NAME_MAX,
  type Team,
} from '@jiangxin/shared/ops/routing';
import type { StaffDirectoryEntry } from '@jiangxin/shared/ops/staff';
import { hasPermission } from '@jiangxin/shared/permissions';
import { Alert, Button, Checkbox, Input, InputNumber, Modal, Radio, Space, Table, Tag } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { type FormEvent, type HTMLAttributes, useEffect, useId, useRef, useState } from 'react';
import { useBridge, useBridgeEvent } from '../../bridge';
import { useAction, useBridgeQuery } from '../../calls';
import { useT } from '../../i18n';
import type { WorkspaceScreenProps } from '../../kit/pane';
import { UserText } from '../../kit/UserText';
import './teams.css';
import { useTeamsStrings } from './strings';

export interface TeamFormValues {
  name: string;
  kinds: CaseKind[];
  mode: AssignmentMode;
  capacity: number | null;
  memberIds: number[];
}
type TeamFormErrors = Partial<Record<'name' | 'kinds' | 'capacity', string>>;

const EMPTY: TeamFormValues = { name: '', kinds: [], mode: 'round_robin', capacity: null, memberIds: [] };

/** The team as the core takes it: kinds in their usual order, no cap left in the body when there is none. */
function teamBody(v: TeamFormValues) {
  return {
    name: v.name.trim(),
    kinds: CASE_KINDS.filter((k) => v.kinds.includes(k)),
    mode: v.mode,
    ...(v.capacity === null ? {} : { capacity: v.capacity }),
    memberIds: v.memberIds,
  };
}

type S = ReturnType<typeof useTeamsStrings>;

/** The form's checks: the core's own schema, each refused field named in the person's words. */
export function validateTeamForm(v: TeamFormValues, s: S): TeamFormErrors {
  const checked = createTeamBodySchema.safeParse(teamBody(v));
  const refused = new Set(checked.success ? [] : checked.error.issues.map((i) => i.path[0]));
  const errors: TeamFormErrors = {};
  if (refused.has('name')) errors.name = s('nameRequired', { max: TEAM_NAME_MAX });
  if (refused.has('kinds')) errors.kinds = s('kindsRequired');
  if (refused.has('capacity')) errors.capacity = s('capacityRequired', { max: TEAM_CAPACITY_MAX });
  return errors;
}

/** Whether a colleague may be in a team handling `kinds`: their roles handle every one. */
const handlesAll = (m: StaffDirectoryEntry, kinds: readonly CaseKind[]) =>
  kinds.every((k) => hasPermission(m.roles, CASE_HANDLE_PERMISSION[k]));

/** How long case changes are gathered before the open-case counts are re-read (a busy queue moves often). */
const CASES_SETTLE_MS = 2_000;

/**
 * Keeps the screen live: a member going online or away re-reads at once; case changes (which move the
 * open-case counts) re-read once they settle.
 */
function useLiveTeams(reload: () => void) {
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  useBridgeEvent('team.presence', () => reload());
  useBridgeEvent('cases.changed', () => {
    if (timer.current) return;
    timer.current = setTimeout(() => {
      timer.current = null;
      reload();
    }, CASES_SETTLE_MS);
  });
  useEffect(
    () => () => {
      if (timer.current) clearTimeout(timer.current);
    },
    [],
  );
}

/**
 * Teams (`teams.manage`): each team's kinds, assignment mode and cap, and its members with their
 * online/away status and open cases; a dialog creates a team or edits one (version-checked).
 */
export function TeamsScreen(_props: WorkspaceScreenProps) {
  const { pick } = useT();
  const s = useTeamsStrings();
  const list = useBridgeQuery('teams.list', {}, { keepPreviousData: true });
  useLiveTeams(list.reload);
  const [notice, setNotice] = useState<string | null>(null);
  const [editing, setEditing] = useState<Team | 'new' | null>(null);
  const items = list.data?.items ?? [];

  const columns: ColumnsType<Team> = [
    { title: s('colName'), dataIndex: 'name', render: (name: string) => <UserText>{name}</UserText> },
    {
      title: s('colKinds'),
      dataIndex: 'kinds',
      render: (kinds: CaseKind[]) => kinds.map((k) => <Tag key={k}>{pick(CASE_KIND_LABELS[k])}</Tag>),
    },
    {
      title: s('colMode'),
      key: 'mode',
      render: (_: unknown, t) => (
        <span>
          {pick(ASSIGNMENT_MODE_LABELS[t.mode])}
          <span className="muted">
            {' · '}
            {t.capacity === null ? s('noCap') : s('capOf', { n: t.capacity })}
          </span>
        </span>
      ),
    },
    {
      title: s('colMembers'),
      key: 'members',
      render: (_: unknown, t) =>
        t.members.length === 0 ? (
          <span className="muted">{s('noMembers')}</span>
        ) : (
          <Space wrap size={[4, 4]}>
            {t.members.map((m) => (
              <Tag
                key={m.userId}
                color={!m.eligible ? 'error' : m.status === 'online' ? 'success' : 'default'}
                data-testid={`team-${t.id}-member-${m.userId}`}
              >
                <UserText>{m.nickname}</UserText> · {pick(PRESENCE_STATUS_LABELS[m.status])} ·{' '}
                {s('openCases', { n: m.openCases })}
                {!m.eligible && ` · ${s('notEligible')}`}
              </Tag>
            ))}
          </Space>
        ),
    },
    {
      title: s('edit'),
      key: 'actions',
      render: (_: unknown, t) => (
        <Button
          size="small"
          onClick={() => setEditing(t)}
          aria-label={s('editOf', { name: t.name })}
          data-testid={`team-edit-${t.id}`}
        >
          {s('edit')}
        </Button>
      ),
    },
  ];

  return (
    <main className="teams-screen" data-testid="teams-screen">
      <h1>{s('title')}</h1>
      <p className="muted">{s('intro')}</p>
      <div className="teams-toolbar">
        <Button type="primary" onClick={() => setEditing('new')} data-testid="team-create">
          {s('create')}
        </Button>
        <Button onClick={list.reload}>{s('reload')}</Button>
      </div>
      {list.error && <Alert type="error" showIcon role="alert" title={list.error} />}
      {notice && <Alert type="success" showIcon role="status" title={notice} />}
      <Table<Team>
        data-testid="teams-table"
        rowKey="id"
        size="small"
        columns={columns}
        dataSource={items}
        loading={list.loading}
        pagination={false}
        onRow={(t) => ({ 'data-testid': `team-row-${t.id}` }) as HTMLAttributes<HTMLElement>}
        locale={{ emptyText: s('empty') }}
      />
      {editing && (
        <TeamDialog
          team={editing === 'new' ? null : editing}
          onClose={() => setEditing(null)}
          onSaved={(t, created) => {
            setEditing(null);
            setNotice(s(created ? 'created' : 'saved', { name: t.name }));
            list.reload();
          }}
          onStale={list.reload}
        />
      )}
    </main>
  );
}

function TeamDialog({
  team,
  onClose,
  onSaved,
  onStale,
}: {
  team: Team | null;
  onClose: () => void;
  onSaved: (t: Team, created: boolean) => void;
  onStale: () => void;
}) {
  const bridge = useBridge();
  const { pick } = useT();
  const s = useTeamsStrings();
  const ids = useId();
  const directory = useBridgeQuery('staff.directory', {});
  const [v, setV] = useState<TeamFormValues>(
    team
      ? {
          name: team.name,
          kinds: team.kinds,
          mode: team.mode,
          capacity: team.capacity,
          memberIds: team.members.map((m) => m.userId),
        }
      : EMPTY,
  );
  const [errors, setErrors] = useState<TeamFormErrors>({});
  const save = useAction((body: ReturnType<typeof teamBody>) =>
    team
      ? bridge.call('teams.update', { id: team.id, team: { ...body, version: team.version } })
      : bridge.call('teams.create', body),
  );
  const colleagues = directory.data?.items ?? [];
  const candidates = colleagues.filter((m) => handlesAll(m, v.kinds));
  const nameOf = (id: unknown) =>
    colleagues.find((m) => m.id === id)?.nickname ??
    team?.members.find((m) => m.userId === id)?.nickname ??
    String(id);
  const refusal = (p: BridgeProblem | null): string | null =>
    !p
      ? null
      : p.code === 'team_member_not_eligible'
        ? s('memberRefused', { name: nameOf(p.extra['userId']) })
        : pick(p.message);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const found = validateTeamForm(v, s);
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    // Members who may not handle a newly chosen kind are left out of what is sent.
    const eligible = new Set(candidates.map((m) => m.id));
    const body = teamBody({
      ...v,
      memberIds: directory.data ? v.memberIds.filter((id) => eligible.has(id)) : v.memberIds,
    });
    const outcome = await save.run(body);
    if (outcome.ok) onSaved(outcome.value, team === null);
    else if (outcome.problem.code === 'team_version_conflict') onStale();
  };

  const fieldError = (key: keyof TeamFormErrors) =>
    errors[key] && (
      <p className="team-field-error" role="alert" id={`${ids}-${key}-error`}>
        {errors[key]}
      </p>
    );
  const problem = refusal(save.problem);

  return (
    <Modal
      open
      title={team ? s('editOf', { name: team.name }) : s('create')}
      onCancel={onClose}
      footer={[
        <Button key="cancel" onClick={onClose}>
          {s('cancel')}
        </Button>,
        <Button
          key="save"
          type="primary"
          htmlType="submit"
          form={`${ids}-team`}
          loading={save.busy}
          data-testid="team-save"
        >
          {s('save')}
        </Button>,
      ]}
    >
      <form id={`${ids}-team`} onSubmit={submit} noValidate className="team-form">
        <label htmlFor={`${ids}-name`}>{s('name')}</label>
        <Input
          id={`${ids}-name`}
          value={v.name}
          maxLength={TEAM_NAME_MAX}
          status={errors.name ? 'error' : ''}
          aria-invalid={Boolean(errors.name)}
          aria-describedby={errors.name ? `${ids}-name-error` : undefined}
          onChange={(e) => setV({ ...v, name: e.target.value })}
          data-testid="team-name"
        />
        {fieldError('name')}
        <fieldset>
          <legend>{s('kinds')}</legend>
          <Checkbox.Group
            value={v.kinds}
            onChange={(kinds) => setV({ ...v, kinds: kinds as CaseKind[] })}
            options={CASE_KINDS.map((k) => ({ value: k, label: pick(CASE_KIND_LABELS[k]) }))}
          />
        </fieldset>
        {fieldError('kinds')}
        <fieldset>
          <legend>{s('mode')}</legend>
          <Radio.Group
            value={v.mode}
            onChange={(e) => setV({ ...v, mode: e.target.value as AssignmentMode })}
            options={ASSIGNMENT_MODES.map((m) => ({ value: m, label: pick(ASSIGNMENT_MODE_LABELS[m]) }))}
          />
        </fieldset>
        <label htmlFor={`${ids}-capacity`}>{s('capacity')}</label>
        <InputNumber
          id={`${ids}-capacity`}
          min={1}
          max={TEAM_CAPACITY_MAX}
          precision={0}
          value={v.capacity}
          status={errors.capacity ? 'error' : ''}
          aria-invalid={Boolean(errors.capacity)}
          aria-describedby={errors.capacity ? `${ids}-capacity-error` : `${ids}-capacity-hint`}
          onChange={(n) => setV({ ...v, capacity: typeof n === 'number' ? n : null })}
          data-testid="team-capacity"
        />
        <p className="muted" id={`${ids}-capacity-hint`}>
          {s('capacityHint')}
        </p>
        {fieldError('capacity')}
        <fieldset>
          <legend>{s('members')}</legend>
          <p className="muted">{s('membersHint')}</p>
          {directory.error && <p className="team-field-error">{directory.error}</p>}
          {directory.data && candidates.length === 0 ? (
            <p className="muted">{s('noCandidates')}</p>
          ) : (
            <Checkbox.Group
              value={v.memberIds}
              onChange={(memberIds) => setV({ ...v, memberIds: memberIds as number[] })}
              options={candidates.map((m) => ({ value: m.id, label: m.nickname }))}
            />
          )}
        </fieldset>
        {problem && <Alert type="error" showIcon role="alert" title={problem} data-testid="team-problem" />}
      </form>
    </Modal>
  );
}
