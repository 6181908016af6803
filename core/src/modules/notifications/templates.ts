import { formatFen } from '@jiangxin/shared/money';
import {
  REPORT_REASON_LABELS,
  type ReportReason,
  SANCTION_KIND_LABELS,
  type SanctionKind,
} from '@jiangxin/shared/ops/moderation';
import { WITHDRAWAL_CHANNEL_LABELS, type WithdrawalChannel } from '@jiangxin/shared/ops/payouts';
import { formatChinaTime, type Lang } from '../human-text';

/** The languages the core writes to people in: Chinese first, English for those who choose it. */
export type NoticeLang = Lang;

/** What one template renders in one language. */
export interface RenderedNotice {
  subject: string;
  body: string;
  /**
   * The params as a person reads them (money formatted, codes turned into words): the variables an SMS
   * provider's registered template is filled with, so a text message never shows `600000` or `alipay`.
   */
  vars: Record<string, string>;
}

/**
 * One notification kind. `sms` says whether it is important enough to also go out as a text message
 * (SMS costs money and attention: only money and deadlines). `render` writes it in the recipient's
 * language from data (fen, codes, free text people typed); `example` is a neutral set of params — no
 * words of either language in it — that the strings test renders every template with, so a new template
 * is checked the day it is added.
 */
export interface NoticeTemplate<P> {
  sms: boolean;
  example: P;
  render: (p: P, lang: NoticeLang) => RenderedNotice;
}

const define = <P>(t: NoticeTemplate<P>): NoticeTemplate<P> => t;

/** A sanction's or report's reason code in words; a code no table knows is shown as the platform rules. */
function reasonWords(reason: string, lang: NoticeLang): string {
  const label = REPORT_REASON_LABELS[reason as ReportReason];
  if (label) return label[lang];
  return lang === 'zh' ? '违反平台规则' : 'breaking the platform rules';
}

/**
 * Everything the core tells users by email and SMS, in Chinese and English. Each template renders a
 * subject and a plain-text body; SMS providers render their own registered templates from the template
 * name and `vars`, and `body` is what we record.
 */
export const NOTIFICATION_TEMPLATES = {
  order_paid_freelancer: define({
    sms: true,
    example: { orderNumber: 'JX20261206000001', amountFen: 600000, serviceTitle: '0001' },
    render: (p: { orderNumber: string; amountFen: number; serviceTitle: string }, lang) => {
      const vars = {
        orderNumber: p.orderNumber,
        amount: formatFen(p.amountFen),
        serviceTitle: p.serviceTitle,
      };
      return lang === 'zh'
        ? {
            vars,
            subject: `【匠心】新订单 ${vars.orderNumber} 已付款，请及时接单`,
            body: `您好！客户已为订单 ${vars.orderNumber}（${vars.serviceTitle}）支付 ${vars.amount}，款项由平台托管。\n请登录匠心尽快确认接单，超时未接单订单将自动取消并退款。`,
          }
        : {
            vars,
            subject: `[Jiangxin] New order ${vars.orderNumber} is paid: please accept it`,
            body: `Hello! The client has paid ${vars.amount} for order ${vars.orderNumber} (${vars.serviceTitle}); the platform holds the money in escrow.\nSign in to Jiangxin and accept the order soon: an order not accepted in time is cancelled and refunded automatically.`,
          };
    },
  }),
  order_delivered_client: define({
    sms: true,
    example: { orderNumber: 'JX20261206000001', serviceTitle: '0001' },
    render: (p: { orderNumber: string; serviceTitle: string }, lang) => {
      const vars = { orderNumber: p.orderNumber, serviceTitle: p.serviceTitle };
      return lang === 'zh'
        ? {
            vars,
            subject: `【匠心】订单 ${vars.orderNumber} 已交付，请验收`,
            body: `您好！服务商已交付订单 ${vars.orderNumber}（${vars.serviceTitle}）。\n请登录匠心查看交付内容并确认验收或申请修改；逾期未处理，订单将自动确认完成。`,
          }
        : {
            vars,
            subject: `[Jiangxin] Order ${vars.orderNumber} is delivered: please review it`,
            body: `Hello! The freelancer has delivered order ${vars.orderNumber} (${vars.serviceTitle}).\nSign in to Jiangxin to see the delivery, then accept it or ask for a revision; if you do neither in time, the order is completed automatically.`,
          };
    },
  }),
  order_completed_freelancer: define({
    sms: false,
    example: { orderNumber: 'JX20261206000001', earnedFen: 540000 },
    render: (p: { orderNumber: string; earnedFen: number }, lang) => {
      const vars = { orderNumber: p.orderNumber, earned: formatFen(p.earnedFen) };
      return lang === 'zh'
        ? {
            vars,
            subject: `【匠心】订单 ${vars.orderNumber} 已完成，款项已入账`,
            body: `您好！订单 ${vars.orderNumber} 已完成，${vars.earned} 已转入您的匠心钱包（已扣除平台服务费）。\n感谢您的优质服务！`,
          }
        : {
            vars,
            subject: `[Jiangxin] Order ${vars.orderNumber} is complete: you have been paid`,
            body: `Hello! Order ${vars.orderNumber} is complete and ${vars.earned} has gone into your Jiangxin wallet (after the platform fee).\nThank you for your good work!`,
          };
    },
  }),
  order_completed_client: define({
    sms: false,
    example: { orderNumber: 'JX20261206000001' },
    render: (p: { orderNumber: string }, lang) => {
      const vars = { orderNumber: p.orderNumber };
      return lang === 'zh'
        ? {
            vars,
            subject: `【匠心】订单 ${vars.orderNumber} 已完成，欢迎评价`,
            body: `您好！订单 ${vars.orderNumber} 已完成。\n欢迎登录匠心为本次服务留下评价，帮助更多用户做出选择。`,
          }
        : {
            vars,
            subject: `[Jiangxin] Order ${vars.orderNumber} is complete: tell others how it went`,
            body: `Hello! Order ${vars.orderNumber} is complete.\nSign in to Jiangxin and review the service to help other people choose.`,
          };
    },
  }),
  order_cancelled: define({
    sms: false,
    // `reason` is what the person who cancelled typed (empty when the system cancelled): shown as written.
    example: { orderNumber: 'JX20261206000001', refunded: true, reason: '0001' },
    render: (p: { orderNumber: string; refunded: boolean; reason: string }, lang) => {
      const vars = { orderNumber: p.orderNumber, reason: p.reason };
      return lang === 'zh'
        ? {
            vars,
            subject: `【匠心】订单 ${vars.orderNumber} 已取消`,
            body: `您好！订单 ${vars.orderNumber} 已取消。${vars.reason ? `\n原因：${vars.reason}` : ''}${
              p.refunded ? '\n已支付的款项将原路退回，请留意到账通知。' : ''
            }`,
          }
        : {
            vars,
            subject: `[Jiangxin] Order ${vars.orderNumber} is cancelled`,
            body: `Hello! Order ${vars.orderNumber} is cancelled.${vars.reason ? `\nReason: ${vars.reason}` : ''}${
              p.refunded ? '\nWhat you paid goes back the way it came; watch for the refund notice.' : ''
            }`,
          };
    },
  }),
  service_published: define({
    sms: false,
    example: { title: '0001' },
    render: (p: { title: string }, lang) => {
      const vars = { title: p.title };
      return lang === 'zh'
        ? {
            vars,
            subject: `【匠心】您的服务「${vars.title}」已通过审核`,
            body: `您好！您的服务「${vars.title}」已通过审核并上架，客户现在可以搜索和下单了。`,
          }
        : {
            vars,
            subject: `[Jiangxin] Your listing "${vars.title}" is approved`,
            body: `Hello! Your listing "${vars.title}" passed review and is live: clients can now find and order it.`,
          };
    },
  }),
  service_rejected: define({
    sms: false,
    example: { title: '0001' },
    render: (p: { title: string }, lang) => {
      const vars = { title: p.title };
      return lang === 'zh'
        ? {
            vars,
            subject: `【匠心】您的服务「${vars.title}」未通过审核`,
            body: `您好！很遗憾，您的服务「${vars.title}」未通过审核。\n请登录匠心查看审核意见，修改后可重新提交。`,
          }
        : {
            vars,
            subject: `[Jiangxin] Your listing "${vars.title}" was not approved`,
            body: `Hello! We are sorry: your listing "${vars.title}" did not pass review.\nSign in to Jiangxin to read the reviewer's comments; you can change it and submit it again.`,
          };
    },
  }),
  dispute_resolved: define({
    sms: true,
    example: { orderNumber: 'JX20261206000001', refundFen: 200000, releaseFen: 400000 },
    render: (p: { orderNumber: string; refundFen: number; releaseFen: number }, lang) => {
      const vars = {
        orderNumber: p.orderNumber,
        refund: formatFen(p.refundFen),
        release: formatFen(p.releaseFen),
      };
      return lang === 'zh'
        ? {
            vars,
            subject: `【匠心】订单 ${vars.orderNumber} 的纠纷已处理`,
            body: `您好！平台已对订单 ${vars.orderNumber} 的纠纷作出裁决：退款给客户 ${vars.refund}，支付给服务商 ${vars.release}。\n详情请登录匠心查看。`,
          }
        : {
            vars,
            subject: `[Jiangxin] The dispute over order ${vars.orderNumber} is settled`,
            body: `Hello! The platform has decided the dispute over order ${vars.orderNumber}: ${vars.refund} refunded to the client, ${vars.release} paid to the freelancer.\nSign in to Jiangxin for the details.`,
          };
    },
  }),
  payout_paid: define({
    sms: true,
    example: { amountFen: 600000, channel: 'alipay' as WithdrawalChannel },
    render: (p: { amountFen: number; channel: WithdrawalChannel }, lang) => {
      const vars = { amount: formatFen(p.amountFen), account: channelWords(p.channel, lang) };
      return lang === 'zh'
        ? {
            vars,
            subject: `【匠心】提现 ${vars.amount} 已到账`,
            body: `您好！您申请的提现 ${vars.amount} 已转入您的${vars.account}账户，请注意查收。`,
          }
        : {
            vars,
            subject: `[Jiangxin] Your withdrawal of ${vars.amount} has arrived`,
            body: `Hello! The ${vars.amount} you withdrew has been sent to your ${vars.account} account.`,
          };
    },
  }),
  payout_failed: define({
    sms: true,
    // No reason: the gateway's answer (`FAIL: PAYEE_NOT_EXIST …`) is a diagnostic for finance, kept on the
    // payout and its case, not words for the user; what the user can do is check their account.
    example: { amountFen: 600000 },
    render: (p: { amountFen: number }, lang) => {
      const vars = { amount: formatFen(p.amountFen) };
      return lang === 'zh'
        ? {
            vars,
            subject: `【匠心】提现 ${vars.amount} 未成功`,
            body: `您好！您申请的提现 ${vars.amount} 未能转入您的收款账户，款项已退回您的匠心钱包。\n请核对收款账户信息后重新申请；如有疑问，请联系客服。`,
          }
        : {
            vars,
            subject: `[Jiangxin] Your withdrawal of ${vars.amount} did not go through`,
            body: `Hello! The withdrawal of ${vars.amount} you asked for could not be paid into your receiving account; the money is back in your Jiangxin wallet.\nCheck your account details and apply again, or contact support if you have questions.`,
          };
    },
  }),
  payout_rejected: define({
    sms: false,
    example: { amountFen: 600000, reason: '0001' },
    render: (p: { amountFen: number; reason: string }, lang) => {
      const vars = { amount: formatFen(p.amountFen), reason: p.reason };
      return lang === 'zh'
        ? {
            vars,
            subject: `【匠心】提现 ${vars.amount} 未通过审核`,
            body: `您好！您申请的提现 ${vars.amount} 未通过审核${vars.reason ? `（${vars.reason}）` : ''}，款项已退回您的匠心钱包。`,
          }
        : {
            vars,
            subject: `[Jiangxin] Your withdrawal of ${vars.amount} was not approved`,
            body: `Hello! The withdrawal of ${vars.amount} you asked for was not approved${vars.reason ? ` (${vars.reason})` : ''}; the money is back in your Jiangxin wallet.`,
          };
    },
  }),
  sanction_applied: define({
    sms: true,
    // `reason` is a report reason code (REPORT_REASON_LABELS); `endsAt` an ISO time, null for no end.
    example: {
      kind: 'suspend' as SanctionKind,
      reason: 'contact_info',
      endsAt: '2026-12-09T07:30:00.000Z' as string | null,
    },
    render: (p: { kind: SanctionKind; reason: string; endsAt: string | null }, lang) => {
      const vars = {
        sanction: SANCTION_KIND_LABELS[p.kind][lang],
        reason: reasonWords(p.reason, lang),
        endsAt: p.endsAt ? formatChinaTime(p.endsAt, lang) : '',
      };
      return lang === 'zh'
        ? {
            vars,
            subject: `【匠心】账号处理通知：${vars.sanction}`,
            body: `您好！因${vars.reason}，平台对您的账号作出处理：${vars.sanction}${
              vars.endsAt ? `，至 ${vars.endsAt}解除` : ''
            }。如有异议，请通过“联系客服”提出申诉。`,
          }
        : {
            vars,
            subject: `[Jiangxin] Action on your account: ${vars.sanction}`,
            body: `Hello! For ${vars.reason}, the platform has taken this action on your account: ${vars.sanction}${
              vars.endsAt ? `, until ${vars.endsAt}` : ''
            }. If you disagree, appeal through "Contact support".`,
          };
    },
  }),
} as const;

/** A withdrawal channel in words; a channel no table knows reads as "your receiving account". */
function channelWords(channel: string, lang: NoticeLang): string {
  const label = WITHDRAWAL_CHANNEL_LABELS[channel as WithdrawalChannel];
  if (label) return label[lang];
  return lang === 'zh' ? '收款' : 'receiving';
}

export type NotificationTemplate = keyof typeof NOTIFICATION_TEMPLATES;
export type TemplateParams<T extends NotificationTemplate> = (typeof NOTIFICATION_TEMPLATES)[T]['example'];

/** Renders one template for one language (the outbox and the strings test call this). */
export function renderNotice<T extends NotificationTemplate>(
  template: T,
  params: TemplateParams<T>,
  lang: NoticeLang,
): RenderedNotice {
  const def = NOTIFICATION_TEMPLATES[template] as unknown as NoticeTemplate<TemplateParams<T>>;
  return def.render(params, lang);
}
