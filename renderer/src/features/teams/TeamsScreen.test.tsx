import { BridgeCallError, bridgeProblem, type ConsoleSession } from '@jiangxin/shared/bridge';
import type { Team } from '@jiangxin/shared/ops/routing';
import type { StaffDirectoryEntry } from '@jiangxin/shared/ops/staff';
import { PERMISSIONS } from '@jiangxin/shared/permissions';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { renderWithConsole, ScriptedBridge } from '../../test/render';
import { TeamsScreen } from './TeamsScreen';

const session: ConsoleSession = {
  userId: 1,
  username: 'zhou_admin',
  nickname: '管理员老周',
  roles: ['admin'],
  permissions: [...PERMISSIONS],
  coreUrl: 'http://core',
};

const team: Team = {
  id: 7,
  name: '审核组',
  kinds: ['listing_review', 'report'],
  mode: 'round_robin',
  capacity: null,
  version: 3,
  updatedAt: '2026-12-05T08:00:00.000Z',
  members: [
    {
      userId: 11,
      nickname: '审核小王',
      roles: ['moderator'],
      status: 'online',
      openCases: 2,
      eligible: true,
    },
    { userId: 12, nickname: '审核小刘', roles: ['moderator'], status: 'away', openCases: 0, eligible: true },
  ],
};
const directory: StaffDirectoryEntry[] = [
  { id: 11, nickname: '审核小王', roles: ['moderator'], online: true },
  { id: 12, nickname: '审核小刘', roles: ['moderator'], online: false },
  { id: 13, nickname: '客服小陈', roles: ['support'], online: true },
  { id: 14, nickname: '财务小李', roles: ['finance'], online: true },
];

function scripted() {
  return new ScriptedBridge()
    .answer('teams.list', () => ({ items: [team] }))
    .answer('staff.directory', () => ({ items: directory }));
}

describe('TeamsScreen', () => {
  it('lists each team with its kinds, mode and members’ status and load in words, no raw codes', async () => {
    renderWithConsole(<TeamsScreen session={session} />, { bridge: scripted() });
    const row = await screen.findByTestId('team-row-7');
    const text = row.textContent ?? '';
    expect(text).toContain('审核组');
    expect(text).toContain('服务审核');
    expect(text).toContain('举报');
    expect(text).toContain('轮流分配');
    expect(text).toContain('不限');
    expect(screen.getByTestId('team-7-member-11').textContent).toBe('审核小王 · 在线 · 2 件处理中');
    expect(screen.getByTestId('team-7-member-12').textContent).toBe('审核小刘 · 离开 · 0 件处理中');
    for (const code of ['round_robin', 'listing_review', 'online', 'away']) expect(text).not.toContain(code);
  });

  it('shows a member going online as it happens, without a reload', async () => {
    let current = team;
    const bridge = new ScriptedBridge()
      .answer('teams.list', () => ({ items: [current] }))
      .answer('staff.directory', () => ({ items: directory }));
    renderWithConsole(<TeamsScreen session={session} />, { bridge });
    await waitFor(() =>
      expect(screen.getByTestId('team-7-member-12').textContent).toBe('审核小刘 · 离开 · 0 件处理中'),
    );
    current = {
      ...team,
      members: team.members.map((m) => (m.userId === 12 ? { ...m, status: 'online', openCases: 1 } : m)),
    };
    bridge.emit('team.presence', {
      userId: 12,
      nickname: '审核小刘',
      status: 'online',
      at: '2026-12-05T09:00:00.000Z',
    });
    await waitFor(() =>
      expect(screen.getByTestId('team-7-member-12').textContent).toBe('审核小刘 · 在线 · 1 件处理中'),
    );
  });

  it('speaks English when the console does', async () => {
    renderWithConsole(<TeamsScreen session={session} />, { bridge: scripted(), locale: 'en' });
    const row = await screen.findByTestId('team-row-7');
    expect(row.textContent).toContain('Round robin');
    expect(screen.getByTestId('team-7-member-12').textContent).toBe('审核小刘 · Away · 0 open');
  });

  it('refuses a capacity-aware team without a cap and sends nothing; with one it creates the team', async () => {
    const bridge = scripted().answer('teams.create', (args) => ({
      ...team,
      id: 8,
      name: args.name,
      kinds: args.kinds,
      mode: args.mode,
      capacity: args.capacity ?? null,
      members: [],
      version: 1,
    }));
    renderWithConsole(<TeamsScreen session={session} />, { bridge });
    fireEvent.click(await screen.findByTestId('team-create'));
    const dialog = await screen.findByRole('dialog', { name: '新建团队' });
    fireEvent.click(screen.getByTestId('team-save'));
    expect(await within(dialog).findByText('请填写团队名称（1–32 个字）')).toBeTruthy();
    expect(within(dialog).getByText('请至少选择一类工单')).toBeTruthy();

    fireEvent.change(screen.getByTestId('team-name'), { target: { value: '客服组' } });
    fireEvent.click(within(dialog).getByRole('checkbox', { name: '客服会话' }));
    fireEvent.click(within(dialog).getByRole('radio', { name: '按负载分配' }));
    // Only colleagues who may answer support chats are offered.
    await within(dialog).findByRole('checkbox', { name: '客服小陈' });
    expect(within(dialog).queryByRole('checkbox', { name: '审核小王' })).toBeNull();
    fireEvent.click(within(dialog).getByRole('checkbox', { name: '客服小陈' }));
    fireEvent.click(screen.getByTestId('team-save'));
    expect(await within(dialog).findByText('按负载分配需要填写 1–200 之间的上限')).toBeTruthy();
    expect(bridge.callsOf('teams.create')).toHaveLength(0);

    fireEvent.change(screen.getByTestId('team-capacity'), { target: { value: '4' } });
    fireEvent.click(screen.getByTestId('team-save'));
    await waitFor(() => expect(bridge.callsOf('teams.create')).toHaveLength(1));
    expect(bridge.callsOf('teams.create')[0]).toEqual({
      name: '客服组',
      kinds: ['support_chat'],
      mode: 'capacity',
      capacity: 4,
      memberIds: [13],
    });
    expect(await screen.findByText('已新建团队 客服组')).toBeTruthy();
  });

  it('edits membership with the team’s version and names a member the core refuses', async () => {
    let tries = 0;
    const bridge = scripted().answer('teams.update', (args) => {
      tries += 1;
      if (tries === 1)
        throw new BridgeCallError({
          ...bridgeProblem('team_member_not_eligible', { zh: '成员不能处理', en: 'not eligible' }),
          extra: { userId: 12 },
        });
      return { ...team, ...args.team, version: 4, members: [] };
    });
    renderWithConsole(<TeamsScreen session={session} />, { bridge });
    fireEvent.click(await screen.findByTestId('team-edit-7'));
    const dialog = await screen.findByRole('dialog', { name: '编辑团队 审核组' });
    const liu = await within(dialog).findByRole('checkbox', { name: '审核小刘' });
    expect((liu as HTMLInputElement).checked).toBe(true);
    fireEvent.click(within(dialog).getByRole('checkbox', { name: '审核小王' }));
    fireEvent.click(screen.getByTestId('team-save'));
    await waitFor(() => expect(bridge.callsOf('teams.update')).toHaveLength(1));
    expect(bridge.callsOf('teams.update')[0]).toEqual({
      id: 7,
      team: {
        name: '审核组',
        kinds: ['listing_review', 'report'],
        mode: 'round_robin',
        memberIds: [12],
        version: 3,
      },
    });
    expect((await screen.findByTestId('team-problem')).textContent).toContain(
      '审核小刘 不能处理该团队负责的全部工单类型',
    );
    fireEvent.click(screen.getByTestId('team-save'));
    expect(await screen.findByText('已保存团队 审核组')).toBeTruthy();
  });
});
