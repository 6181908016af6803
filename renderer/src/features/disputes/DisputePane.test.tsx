import { BridgeCallError, bridgeProblem } from '@jiangxin/shared/bridge';
import type { DisputeCaseDetail } from '@jiangxin/shared/ops/disputes';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { field, offerOf, renderPane, staffSession } from '../../kit/testing';
import { ScriptedBridge } from '../../test/render';
import { DisputePane } from './DisputePane';

const ESCROW = 50_000; // ¥500.00
const CLIENT = 90;
const FREELANCER = 88;

const file = (id: number, filename: string, contentType = 'image/png', sizeBytes = 20_480) => ({
  id,
  filename,
  contentType,
  sizeBytes,
  sha256: 'x'.repeat(64),
  url: `/api/v1/files/${id}/content`,
  createdAt: '2026-11-20T00:00:00.000Z',
});

function disputeDetail(resolution: Partial<DisputeCaseDetail['resolution']> = {}): DisputeCaseDetail {
  const evidence = [
    {
      id: 1,
      authorId: CLIENT,
      authorName: '王女士',
      side: 'client' as const,
      note: '附上最初的需求截图',
      files: [file(301, '需求截图.png')],
      createdAt: '2026-11-25T02:00:00.000Z',
    },
  ];
  return {
    dispute: {
      id: 11,
      orderId: 21,
      orderNumber: 'JX202611200001',
      status: 'open',
      reason: '交付的设计稿与需求不符',
      openedBy: CLIENT,
      openedBySide: 'client',
      files: [],
      escrowFen: ESCROW,
      evidenceUntil: '2026-11-28T00:00:00.000Z',
      evidenceOpen: true,
      evidence,
      resolution: null,
      createdAt: '2026-11-25T00:00:00.000Z',
    },
    order: {
      id: 21,
      orderNumber: 'JX202611200001',
      status: 'disputed',
      clientId: CLIENT,
      freelancerId: FREELANCER,
      serviceId: 31,
      serviceTitle: '品牌LOGO设计',
      tier: 'standard',
      amountFen: ESCROW,
      platformFeeFen: null,
      deliveryDays: 5,
      revisionsAllowed: 2,
      revisionsUsed: 1,
      requirements: '蓝色系',
      cancellationRequestedBy: null,
      deliveryDeadline: '2026-11-26T00:00:00.000Z',
      paidAt: '2026-11-20T00:10:00.000Z',
      deliveredAt: '2026-11-23T00:00:00.000Z',
      completedAt: null,
      cancelledAt: null,
      createdAt: '2026-11-20T00:00:00.000Z',
      allowedActions: [],
      deliveries: [
        {
          id: 5,
          message: '初稿已交付，请查收',
          files: [file(201, '初稿.png')],
          createdAt: '2026-11-22T00:00:00.000Z',
        },
      ],
      revisions: [{ id: 6, message: '请改成蓝色', createdAt: '2026-11-22T06:00:00.000Z' }],
      timeline: [
        {
          action: 'created',
          fromStatus: null,
          toStatus: 'awaiting_payment',
          actorUserId: CLIENT,
          note: '',
          createdAt: '2026-11-20T00:00:00.000Z',
        },
        {
          action: 'mark_paid',
          fromStatus: 'awaiting_payment',
          toStatus: 'pending_acceptance',
          actorUserId: null,
          note: '',
          createdAt: '2026-11-20T00:10:00.000Z',
        },
        {
          action: 'deliver',
          fromStatus: 'in_progress',
          toStatus: 'delivered',
          actorUserId: FREELANCER,
          note: '',
          createdAt: '2026-11-22T00:00:00.000Z',
        },
        {
          action: 'dispute',
          fromStatus: 'delivered',
          toStatus: 'disputed',
          actorUserId: CLIENT,
          note: '交付的设计稿与需求不符',
          createdAt: '2026-11-25T00:00:00.000Z',
        },
      ],
      payments: [],
    },
    parties: {
      client: { id: CLIENT, username: 'wang', nickname: '王女士', status: 'active', joinedAt: null },
      freelancer: { id: FREELANCER, username: 'li', nickname: '小李设计', status: 'active', joinedAt: null },
    },
    messages: [
      {
        id: 1,
        conversationId: 40,
        senderId: CLIENT,
        type: 'text',
        content: '你好，设计稿的配色和需求不一致',
        file: null,
        createdAt: '2026-11-22T01:00:00.000Z',
        senderName: '王女士',
      },
      {
        id: 2,
        conversationId: 40,
        senderId: FREELANCER,
        type: 'image',
        content: '',
        file: file(202, '配色说明.png'),
        createdAt: '2026-11-22T02:00:00.000Z',
        senderName: '小李设计',
      },
    ],
    evidence,
    escrow: { orderAmountFen: ESCROW, heldFen: ESCROW, platformFeeBps: 1000 },
    deadlines: {
      evidenceUntil: '2026-11-28T00:00:00.000Z',
      evidenceOpen: true,
      slaDueAt: '2026-11-29T00:00:00.000Z',
      deliveryDeadline: '2026-11-26T00:00:00.000Z',
    },
    resolution: {
      state: 'open',
      needsSecondApproval: false,
      secondApprovalThresholdFen: 500_000,
      proposal: null,
      final: null,
      resolvedBy: null,
      approvedBy: null,
      approvals: [],
      ...resolution,
    },
  };
}

const awaiting = (proposedBy: number) =>
  disputeDetail({
    state: 'awaiting_second_approval',
    needsSecondApproval: true,
    proposal: {
      outcome: 'split',
      label: { zh: '按比例分配', en: 'Split between both parties' },
      refundFen: 30_000,
      releaseFen: 20_000,
      note: '部分交付，按工作量分配',
      proposedBy,
      proposedByName: `同事${proposedBy}`,
      proposedAt: '2026-11-26T03:00:00.000Z',
    },
  });

/** An open dispute whose resolve action is offered. */
const resolvable = () =>
  renderPane(DisputePane, { kind: 'dispute', detail: disputeDetail(), actions: [offerOf('resolve')] });

describe('dispute pane', () => {
  it('tells the whole story on one screen: escrow, deadlines, timeline with files, chat and evidence', () => {
    resolvable();
    expect(screen.getByTestId('dispute-escrow').textContent).toContain('¥500.00');
    expect(screen.getByTestId('dispute-deadlines').textContent).toContain('举证中');
    const timeline = [...screen.getByTestId('dispute-timeline').querySelectorAll(':scope > li')];
    expect(timeline.map((li) => li.getAttribute('data-kind'))).toEqual([
      'event',
      'event',
      'event',
      'delivery',
      'revision',
      'event',
    ]);
    expect(timeline[1]!.textContent).toContain('支付成功');
    expect(timeline[3]!.textContent).toContain('初稿已交付，请查收');
    expect(timeline[3]!.textContent).toContain('初稿.png');
    expect(timeline[4]!.textContent).toContain('请改成蓝色');
    expect(timeline[5]!.textContent).toContain('纠纷中');
    const chat = screen.getByTestId('dispute-chat');
    expect(chat.textContent).toContain('你好，设计稿的配色和需求不一致');
    expect(chat.textContent).toContain('配色说明.png');
    const evidence = screen.getByTestId('dispute-evidence');
    expect(evidence.textContent).toContain('附上最初的需求截图');
    expect(evidence.textContent).toContain('需求截图.png');
  });

  it('a split that does not sum to the escrow is blocked and says by how much; the right sum sends integer fen', async () => {
    const { bridge } = resolvable();
    fireEvent.click(screen.getByTestId('dispute-outcome-split'));
    fireEvent.change(screen.getByTestId('dispute-split-refund'), { target: { value: '300' } });
    fireEvent.change(screen.getByTestId('dispute-split-release'), { target: { value: '188' } });
    expect(screen.getByTestId('dispute-split-status').textContent).toContain('还差 ¥12.00');
    fireEvent.change(field('裁决说明（双方可见）'), { target: { value: '部分交付，按工作量分配' } });
    fireEvent.click(screen.getByTestId('dispute-resolve'));
    const error = await screen.findByTestId('dispute-resolve-error');
    expect(error.textContent).toContain('还差 ¥12.00');
    expect(bridge.callsOf('cases.perform')).toEqual([]);

    fireEvent.change(screen.getByTestId('dispute-split-release'), { target: { value: '200.50' } });
    expect(screen.getByTestId('dispute-split-status').textContent).toContain('多出 ¥0.50');
    fireEvent.click(screen.getByTestId('dispute-resolve'));
    expect(bridge.callsOf('cases.perform')).toEqual([]);

    fireEvent.change(screen.getByTestId('dispute-split-release'), { target: { value: '200' } });
    expect(screen.getByTestId('dispute-split-status').textContent).toContain('正好等于托管金额');
    fireEvent.click(screen.getByTestId('dispute-resolve'));
    await waitFor(() => expect(bridge.callsOf('cases.perform')).toHaveLength(1));
    const sent = bridge.callsOf('cases.perform')[0]!;
    expect(sent).toEqual({
      caseId: 701,
      version: 4,
      kind: 'dispute',
      action: 'resolve',
      fields: { outcome: 'split', refundFen: 30_000, releaseFen: 20_000, note: '部分交付，按工作量分配' },
    });
    const fields = sent.fields as { refundFen?: number; releaseFen?: number };
    expect(Number.isInteger(fields.refundFen)).toBe(true);
    expect(Number.isInteger(fields.releaseFen)).toBe(true);
  });

  it('once the split is fixed, the "short by" message goes away at once, before sending again', async () => {
    const { bridge } = resolvable();
    fireEvent.click(screen.getByTestId('dispute-outcome-split'));
    fireEvent.change(screen.getByTestId('dispute-split-refund'), { target: { value: '300' } });
    fireEvent.change(screen.getByTestId('dispute-split-release'), { target: { value: '161' } });
    fireEvent.change(field('裁决说明（双方可见）'), { target: { value: '部分交付，按工作量分配' } });
    fireEvent.click(screen.getByTestId('dispute-resolve'));
    expect((await screen.findByTestId('dispute-resolve-error')).textContent).toContain('还差 ¥39.00');
    fireEvent.change(screen.getByTestId('dispute-split-release'), { target: { value: '200' } });
    expect(screen.queryByTestId('dispute-resolve-error')).toBeNull();
    expect(screen.getByTestId('dispute-split-status').textContent).not.toContain('还差');
    expect(screen.getByTestId('dispute-split-status').textContent).toContain('正好等于托管金额');
    expect(bridge.callsOf('cases.perform')).toEqual([]);
  });

  it('names which amount is wrong and how: decimals, negative, over the escrow, not a number', async () => {
    const { bridge } = resolvable();
    fireEvent.click(screen.getByTestId('dispute-outcome-split'));
    const refund = screen.getByTestId('dispute-split-refund');
    const release = screen.getByTestId('dispute-split-release');
    const status = () => screen.getByTestId('dispute-split-status').textContent;
    const described = (input: HTMLElement) =>
      document.getElementById(input.getAttribute('aria-describedby') ?? '')?.textContent;

    fireEvent.change(refund, { target: { value: '139.005' } });
    fireEvent.change(release, { target: { value: '360.99' } });
    expect(status()).toContain('退款给雇主：金额最多两位小数');
    expect(status()).not.toContain('请填写两项金额');
    expect(described(refund)).toBe('金额最多两位小数');
    fireEvent.change(field('裁决说明（双方可见）'), { target: { value: '部分交付' } });
    fireEvent.click(screen.getByTestId('dispute-resolve'));
    expect((await screen.findByTestId('dispute-resolve-error')).textContent).toContain(
      '退款给雇主：金额最多两位小数',
    );

    fireEvent.change(refund, { target: { value: '139' } });
    fireEvent.change(release, { target: { value: '-361' } });
    expect(status()).toContain('放款给服务商：金额不能为负数');
    expect(described(release)).toBe('金额不能为负数');

    fireEvent.change(release, { target: { value: '600' } });
    expect(described(release)).toBe('不能超过托管金额 ¥500.00');

    fireEvent.change(release, { target: { value: '三百' } });
    expect(status()).toContain('放款给服务商：不是有效金额');
    expect(bridge.callsOf('cases.perform')).toEqual([]);
  });

  it('a full refund sends the outcome without amounts; a decision without a note is not sent', async () => {
    const { bridge } = resolvable();
    fireEvent.click(screen.getByTestId('dispute-outcome-refund'));
    fireEvent.click(screen.getByTestId('dispute-resolve'));
    expect((await screen.findByTestId('dispute-resolve-error')).textContent).toContain('请填写裁决说明');
    expect(bridge.callsOf('cases.perform')).toEqual([]);
    fireEvent.change(field('裁决说明（双方可见）'), { target: { value: '未按需求交付' } });
    fireEvent.click(screen.getByTestId('dispute-resolve'));
    await waitFor(() => expect(bridge.callsOf('cases.perform')).toHaveLength(1));
    expect(bridge.callsOf('cases.perform')[0]!.fields).toEqual({ outcome: 'refund', note: '未按需求交付' });
  });

  it('the proposer sees the proposal waiting and cannot approve it (the core says why)', () => {
    const reason = {
      zh: '不能复核自己提出的裁决方案，须由另一位同事复核',
      en: 'You proposed this resolution',
    };
    const { bridge } = renderPane(DisputePane, {
      kind: 'dispute',
      detail: awaiting(7),
      session: staffSession(7, ['admin']),
      actions: [
        offerOf('resolve', { zh: '已有待复核的裁决方案', en: 'A proposal awaits' }),
        offerOf('approve_resolution', reason),
        offerOf('reject_resolution'),
      ],
    });
    const proposal = screen.getByTestId('dispute-proposal');
    expect(proposal.textContent).toContain('同事7');
    expect(proposal.textContent).toContain('按比例分配');
    expect(screen.getByTestId('dispute-proposal-amounts').textContent).toBe('退款 ¥300.00，放款 ¥200.00');
    expect(screen.getByTestId('dispute-waiting').textContent).toContain('你不能复核自己的方案');
    const approve = screen.getByTestId('dispute-approve');
    expect(approve.hasAttribute('disabled')).toBe(true);
    expect(screen.getByText(reason.zh)).toBeTruthy();
    fireEvent.click(approve);
    fireEvent.keyDown(window, { key: 'a' });
    expect(bridge.callsOf('cases.perform')).toEqual([]);
    // The resolve form is not offered while a proposal waits.
    expect(screen.queryByTestId('dispute-resolve')).toBeNull();
  });

  it('a second member approves with a, or rejects only with a note', async () => {
    const { bridge } = renderPane(DisputePane, {
      kind: 'dispute',
      detail: awaiting(7),
      session: staffSession(9, ['finance']),
      actions: [offerOf('approve_resolution'), offerOf('reject_resolution')],
    });
    expect(screen.queryByTestId('dispute-waiting')).toBeNull();
    fireEvent.click(screen.getByTestId('dispute-reject'));
    expect((await screen.findByTestId('dispute-review-error')).textContent).toContain('需要填写复核意见');
    expect(bridge.callsOf('cases.perform')).toEqual([]);
    fireEvent.change(field('复核意见（驳回时必填）'), { target: { value: '分配比例缺少依据' } });
    fireEvent.click(screen.getByTestId('dispute-reject'));
    await waitFor(() => expect(bridge.callsOf('cases.perform')).toHaveLength(1));
    expect(bridge.callsOf('cases.perform')[0]).toMatchObject({
      action: 'reject_resolution',
      fields: { note: '分配比例缺少依据' },
    });
    // Keys wait while an action is out (the buttons spin); press once the first answer is back.
    await waitFor(() =>
      expect(screen.getByTestId('dispute-approve').className).not.toContain('ant-btn-loading'),
    );
    fireEvent.keyDown(window, { key: 'a' });
    await waitFor(() => expect(bridge.callsOf('cases.perform')).toHaveLength(2));
    expect(bridge.callsOf('cases.perform')[1]).toMatchObject({
      action: 'approve_resolution',
      fields: { note: '分配比例缺少依据' },
    });
  });

  it('a member without approval rights sees who proposed what and that it waits for a checker', () => {
    renderPane(DisputePane, {
      kind: 'dispute',
      detail: awaiting(7),
      session: staffSession(8, ['moderator']),
      actions: [offerOf('resolve', { zh: '已有待复核的裁决方案', en: 'A proposal awaits' })],
    });
    expect(screen.getByTestId('dispute-proposal').textContent).toContain('同事7');
    expect(screen.getByTestId('dispute-waiting').textContent).toContain('等待有复核权限的同事');
    expect(screen.queryByTestId('dispute-approve')).toBeNull();
    expect(screen.queryByTestId('dispute-reject')).toBeNull();
  });
});

describe('dispute files', () => {
  const PNG_DATA_URL = 'data:image/png;base64,iVBORw0KGgo=';
  /** What the page asked the browser to save: the name and the bytes of each download. */
  let saved: { name: string; blob: Blob }[];
  const blobs = new Map<string, Blob>();

  beforeEach(() => {
    saved = [];
    blobs.clear();
    // jsdom has neither blob: URLs nor downloads; these stand-ins record what a browser would save.
    let n = 0;
    URL.createObjectURL = (blob: Blob) => {
      const url = `blob:console/${++n}`;
      blobs.set(url, blob);
      return url;
    };
    URL.revokeObjectURL = (url: string) => void blobs.delete(url);
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      if (this.download) saved.push({ name: this.download, blob: blobs.get(this.href)! });
    });
  });
  afterEach(() => vi.restoreAllMocks());

  /** A dispute whose delivery carries a PDF besides the picture, and whose evidence has a huge archive. */
  function detailWithFiles(): DisputeCaseDetail {
    const d = disputeDetail();
    d.order.deliveries[0]!.files.push(file(203, '设计说明.pdf', 'application/pdf', 5));
    d.evidence[0]!.files.push(file(302, '全部源文件.zip', 'application/zip', 15 * 1024 * 1024));
    return d;
  }

  const timelineFile = (name: RegExp) =>
    within(screen.getByTestId('dispute-timeline')).getByRole('link', { name });
  const evidenceFile = (name: RegExp) =>
    within(screen.getByTestId('dispute-evidence')).getByRole('link', { name });

  it('an evidence picture opens in a preview, with its original to download', async () => {
    const bridge = new ScriptedBridge().answer('files.content', () => ({
      contentType: 'image/png',
      sizeBytes: 8,
      dataUrl: PNG_DATA_URL,
    }));
    renderPane(DisputePane, { kind: 'dispute', detail: detailWithFiles(), actions: [], bridge });
    expect(bridge.callsOf('files.content')).toEqual([]);
    fireEvent.click(evidenceFile(/^预览图片 需求截图\.png（20\.0 KB）$/));
    const dialog = await screen.findByRole('dialog');
    expect(within(dialog).getByText('需求截图.png（20.0 KB）')).toBeTruthy();
    expect(within(dialog).getByAltText('图片：需求截图.png').getAttribute('src')).toBe(PNG_DATA_URL);
    expect(bridge.callsOf('files.content')).toEqual([{ fileId: 301 }]);
    fireEvent.click(within(dialog).getByRole('button', { name: '下载原文件' }));
    expect(saved.map((f) => [f.name, f.blob.type, f.blob.size])).toEqual([['需求截图.png', 'image/png', 8]]);
  });

  it('a delivered PDF is saved under its original name with its bytes', async () => {
    const pdf = Buffer.from('%PDF-1.7 交付说明');
    const bridge = new ScriptedBridge().answer('files.content', () => ({
      contentType: 'application/pdf',
      sizeBytes: pdf.length,
      dataUrl: `data:application/pdf;base64,${pdf.toString('base64')}`,
    }));
    renderPane(DisputePane, { kind: 'dispute', detail: detailWithFiles(), actions: [], bridge });
    fireEvent.click(timelineFile(/^下载文件 设计说明\.pdf/));
    await waitFor(() => expect(saved).toHaveLength(1));
    expect(saved[0]!.name).toBe('设计说明.pdf');
    expect(Buffer.from(await saved[0]!.blob.arrayBuffer()).equals(pdf)).toBe(true);
    expect(bridge.callsOf('files.content')).toEqual([{ fileId: 203 }]);
    expect(screen.queryByRole('dialog')).toBeNull();
  });

  it('says plainly when a file is gone or the console is offline, and tries again on the next click', async () => {
    let answer: 'gone' | 'offline' | 'ok' = 'gone';
    const bridge = new ScriptedBridge().answer('files.content', () => {
      if (answer === 'gone')
        throw new BridgeCallError({
          ...bridgeProblem('not_found', { zh: '文件不存在', en: 'No such file' }),
          status: 404,
        });
      if (answer === 'offline')
        throw new BridgeCallError(
          bridgeProblem('offline', { zh: '无法连接到平台服务', en: 'Cannot reach the platform' }),
        );
      return { contentType: 'image/png', sizeBytes: 8, dataUrl: PNG_DATA_URL };
    });
    renderPane(DisputePane, { kind: 'dispute', detail: detailWithFiles(), actions: [], bridge });
    const link = timelineFile(/^预览图片 初稿\.png/);
    fireEvent.click(link);
    expect((await screen.findByRole('alert')).textContent).toBe(
      '初稿.png 已不存在（可能已被删除），无法打开。',
    );
    answer = 'offline';
    fireEvent.click(link);
    await waitFor(() =>
      expect(screen.getByRole('alert').textContent).toBe(
        '运营台当前离线，无法打开 初稿.png；恢复连接后再试。',
      ),
    );
    answer = 'ok';
    fireEvent.click(link);
    expect(await screen.findByRole('dialog')).toBeTruthy();
    expect(screen.queryByRole('alert')).toBeNull();
    expect(bridge.callsOf('files.content')).toEqual([{ fileId: 201 }, { fileId: 201 }, { fileId: 201 }]);
    expect(saved).toEqual([]);
  });

  it('a file larger than the console can open is refused without asking the engine', async () => {
    const bridge = new ScriptedBridge();
    renderPane(DisputePane, { kind: 'dispute', detail: detailWithFiles(), actions: [], bridge });
    fireEvent.click(evidenceFile(/^下载文件 全部源文件\.zip（15\.0 MB）$/));
    expect((await screen.findByRole('alert')).textContent).toBe(
      '全部源文件.zip 大小为 15.0 MB，超过运营台可打开的上限 8.0 MB。',
    );
    expect(bridge.callsOf('files.content')).toEqual([]);
    expect(saved).toEqual([]);
  });
});
