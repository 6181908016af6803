import type { ListingReviewDetail } from '@jiangxin/shared/ops/moderation';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { field, offerOf, renderPane } from '../../kit/testing';
import { ListingReviewPane } from './ListingReviewPane';
import { DESCRIPTION, listingDetail } from './testing';

const ALL_ACTIONS = [offerOf('approve'), offerOf('reject'), offerOf('request_changes')];

const render = (detail = listingDetail(), actions = ALL_ACTIONS) =>
  renderPane(ListingReviewPane, { kind: 'listing_review', detail, actions });

describe('listing review pane', () => {
  it('marks exactly the leaked WeChat id and phone number in place, each with its kind named', () => {
    render();
    const marks = screen.getAllByTestId('scan-hit');
    expect(marks.map((m) => [m.textContent, m.getAttribute('data-kind')])).toEqual([
      ['微信 abc_12345', 'wechat'],
      ['138 0013 8000', 'phone'],
    ]);
    // In place: the description reads as submitted, with the leak marked inside it.
    const description = screen.getByTestId('listing-description');
    expect(description.textContent?.replace('微信号', '')).toBe(DESCRIPTION);
    expect(within(description).getByTestId('scan-hit').textContent).toBe('微信 abc_12345');
    // Not colour alone: the mark's title and a visible tag say what it is.
    expect(marks[1]!.getAttribute('title')).toBe('手机号：138 0013 8000');
    expect(marks[1]!.nextElementSibling?.textContent).toBe('手机号');
    const legend = screen.getByTestId('scan-legend');
    expect(legend.textContent).toContain('共 2 处命中');
    expect(legend.textContent).toContain('微信号');
    expect(legend.textContent).toContain('手机号');
    // Clean text stays unmarked.
    expect(within(screen.getByTestId('listing-title-zh')).queryByTestId('scan-hit')).toBeNull();
  });

  it('shows the packages, the category and the seller with past sanctions and rejections', () => {
    render();
    const packages = screen.getByTestId('listing-packages');
    expect(packages.textContent).toContain('¥1,200.00');
    expect(packages.textContent).toContain('5 天');
    expect(packages.textContent).toContain('3 次');
    expect(screen.getByTestId('listing-facts').textContent).toContain('标志设计');
    const history = screen.getByTestId('user-history');
    expect(history.textContent).toContain('设计师小王');
    expect(history.textContent).toContain('被驳回 2');
    expect(within(history).getByTestId('sanction-history').textContent).toContain('警告');
    const past = within(history).getByTestId('past-reviews');
    expect(past.textContent).toContain('旧的LOGO服务');
    expect(past.textContent).toContain('已驳回');
    expect(past.textContent).toContain('包含联系方式');
  });

  it('reject without a reason says so on the form and sends nothing (button and r key)', async () => {
    const { bridge } = render();
    fireEvent.click(screen.getByTestId('listing-reject'));
    expect((await screen.findByTestId('reject-error')).textContent).toContain('请先选择驳回原因');
    fireEvent.keyDown(window, { key: 'r' });
    expect(screen.getByTestId('reject-reason').getAttribute('aria-invalid')).toBe('true');
    expect(bridge.callsOf('cases.perform')).toEqual([]);
  });

  it('reject with a reason sends the reason code and the note filled from a template, as edited', async () => {
    const { bridge } = render();
    fireEvent.change(screen.getByTestId('reject-reason'), { target: { value: 'contact_info' } });
    fireEvent.change(screen.getByTestId('reject-template'), { target: { value: 'tplContact1' } });
    const note = field('给卖家的说明（可编辑）');
    expect(note.value).toContain('请删除标题、描述和套餐中的手机号');
    fireEvent.change(note, { target: { value: `${note.value} 谢谢配合。` } });
    fireEvent.click(screen.getByTestId('listing-reject'));
    await waitFor(() => expect(bridge.callsOf('cases.perform')).toHaveLength(1));
    expect(bridge.callsOf('cases.perform')[0]).toEqual({
      caseId: 701,
      version: 4,
      kind: 'listing_review',
      action: 'reject',
      fields: {
        reason: 'contact_info',
        note: '请删除标题、描述和套餐中的手机号、微信号、QQ号、邮箱或网址，所有沟通请通过平台消息进行。 谢谢配合。',
      },
    });
    expect(screen.queryByTestId('reject-error')).toBeNull();
  });

  it('a approves; request changes needs a note before it sends one', async () => {
    const { bridge } = render();
    fireEvent.click(screen.getByTestId('listing-request-changes'));
    expect((await screen.findByTestId('changes-error')).textContent).toContain('请填写需要卖家修改的内容');
    expect(bridge.callsOf('cases.perform')).toEqual([]);
    fireEvent.change(field('需要卖家修改的内容'), { target: { value: '  请补充交付格式  ' } });
    fireEvent.click(screen.getByTestId('listing-request-changes'));
    await waitFor(() => expect(bridge.callsOf('cases.perform')).toHaveLength(1));
    expect(bridge.callsOf('cases.perform')[0]).toMatchObject({
      action: 'request_changes',
      fields: { note: '请补充交付格式' },
    });
    // Keys wait while an action is out (the buttons spin); press once the first answer is back.
    await waitFor(() =>
      expect(screen.getByTestId('listing-approve').className).not.toContain('ant-btn-loading'),
    );
    fireEvent.keyDown(window, { key: 'a' });
    await waitFor(() => expect(bridge.callsOf('cases.perform')).toHaveLength(2));
    expect(bridge.callsOf('cases.perform')[1]).toMatchObject({ action: 'approve', fields: {} });
  });

  it('actions the role lacks are absent; one not possible now is disabled with the core’s reason', () => {
    const { bridge } = render(listingDetail(), [
      offerOf('approve', { zh: '该工单已被其他同事认领', en: 'Someone else holds this case' }),
    ]);
    expect(screen.queryByTestId('listing-reject')).toBeNull();
    expect(screen.queryByTestId('listing-request-changes')).toBeNull();
    const approve = screen.getByTestId('listing-approve');
    expect(approve.hasAttribute('disabled')).toBe(true);
    expect(screen.getByTestId('offer-reason').textContent).toBe('该工单已被其他同事认领');
    fireEvent.keyDown(window, { key: 'a' });
    expect(bridge.callsOf('cases.perform')).toEqual([]);
  });

  it('a detail that does not match the contract says so instead of drawing half a screen', () => {
    render({ listing: 'oops' } as unknown as ListingReviewDetail);
    expect(screen.getByTestId('pane-unreadable')).toBeTruthy();
  });
});
