import { formatFen } from '@jiangxin/shared/money';

/**
 * What we tell users by email and SMS, in Chinese. Each template renders a subject and a plain-text body;
 * `sms` says whether it is important enough to also go out as a text message (SMS costs money and
 * attention: only money and deadlines). SMS providers render their own registered templates from the
 * template name and params; `body` is what we record.
 */
export const NOTIFICATION_TEMPLATES = {
  order_paid_freelancer: {
    sms: true,
    render: (p: { orderNumber: string; amountFen: number; serviceTitle: string }) => ({
      subject: `【匠心】新订单 ${p.orderNumber} 已付款，请及时接单`,
      body: `您好！客户已为订单 ${p.orderNumber}（${p.serviceTitle}）支付 ${formatFen(p.amountFen)}，款项由平台托管。\n请登录匠心尽快确认接单，超时未接单订单将自动取消并退款。`,
    }),
  },
  order_delivered_client: {
    sms: true,
    render: (p: { orderNumber: string; serviceTitle: string }) => ({
      subject: `【匠心】订单 ${p.orderNumber} 已交付，请验收`,
      body: `您好！服务商已交付订单 ${p.orderNumber}（${p.serviceTitle}）。\n请登录匠心查看交付内容并确认验收或申请修改；逾期未处理，订单将自动确认完成。`,
    }),
  },
  order_completed_freelancer: {
    sms: false,
    render: (p: { orderNumber: string; earnedFen: number }) => ({
      subject: `【匠心】订单 ${p.orderNumber} 已完成，款项已入账`,
      body: `您好！订单 ${p.orderNumber} 已完成，${formatFen(p.earnedFen)} 已转入您的匠心钱包（已扣除平台服务费）。\n感谢您的优质服务！`,
    }),
  },
  order_completed_client: {
    sms: false,
    render: (p: { orderNumber: string }) => ({
      subject: `【匠心】订单 ${p.orderNumber} 已完成，欢迎评价`,
      body: `您好！订单 ${p.orderNumber} 已完成。\n欢迎登录匠心为本次服务留下评价，帮助更多用户做出选择。`,
    }),
  },
  order_cancelled: {
    sms: false,
    render: (p: { orderNumber: string; refunded: boolean; reason: string }) => ({
      subject: `【匠心】订单 ${p.orderNumber} 已取消`,
      body: `您好！订单 ${p.orderNumber} 已取消。${p.reason ? `\n原因：${p.reason}` : ''}${
        p.refunded ? '\n已支付的款项将原路退回，请留意到账通知。' : ''
      }`,
    }),
  },
  service_published: {
    sms: false,
    render: (p: { title: string }) => ({
      subject: `【匠心】您的服务「${p.title}」已通过审核`,
      body: `您好！您的服务「${p.title}」已通过审核并上架，客户现在可以搜索和下单了。`,
    }),
  },
  service_rejected: {
    sms: false,
    render: (p: { title: string }) => ({
      subject: `【匠心】您的服务「${p.title}」未通过审核`,
      body: `您好！很遗憾，您的服务「${p.title}」未通过审核。\n请登录匠心查看审核意见，修改后可重新提交。`,
    }),
  },
  dispute_resolved: {
    sms: true,
    render: (p: { orderNumber: string; refundFen: number; releaseFen: number }) => ({
      subject: `【匠心】订单 ${p.orderNumber} 的纠纷已处理`,
      body: `您好！平台已对订单 ${p.orderNumber} 的纠纷作出裁决：退款给客户 ${formatFen(
        p.refundFen,
      )}，支付给服务商 ${formatFen(p.releaseFen)}。\n详情请登录匠心查看。`,
    }),
  },
  payout_paid: {
    sms: true,
    render: (p: { amountFen: number; channel: string }) => ({
      subject: `【匠心】提现 ${formatFen(p.amountFen)} 已到账`,
      body: `您好！您申请的提现 ${formatFen(p.amountFen)} 已转入您的${p.channel}账户，请注意查收。`,
    }),
  },
  payout_failed: {
    sms: true,
    render: (p: { amountFen: number; reason: string }) => ({
      subject: `【匠心】提现 ${formatFen(p.amountFen)} 未成功`,
      body: `您好！您申请的提现 ${formatFen(p.amountFen)} 未能完成${
        p.reason ? `（${p.reason}）` : ''
      }，款项已退回您的匠心钱包。`,
    }),
  },
  payout_rejected: {
    sms: false,
    render: (p: { amountFen: number; reason: string }) => ({
      subject: `【匠心】提现 ${formatFen(p.amountFen)} 未通过审核`,
      body: `您好！您申请的提现 ${formatFen(p.amountFen)} 未通过审核${
        p.reason ? `（${p.reason}）` : ''
      }，款项已退回您的匠心钱包。`,
    }),
  },
  sanction_applied: {
    sms: true,
    render: (p: { kindLabel: string; reason: string; endsAt: string | null }) => ({
      subject: `【匠心】账号处理通知：${p.kindLabel}`,
      body: `您好！因${p.reason || '违反平台规则'}，平台对您的账号作出处理：${p.kindLabel}${
        p.endsAt ? `，至 ${p.endsAt}（北京时间）解除` : ''
      }。如有异议，请通过“联系客服”提出申诉。`,
    }),
  },
} as const;

export type NotificationTemplate = keyof typeof NOTIFICATION_TEMPLATES;
export type TemplateParams<T extends NotificationTemplate> = Parameters<
  (typeof NOTIFICATION_TEMPLATES)[T]['render']
>[0];

export const CHANNEL_LABELS: Record<string, string> = { alipay: '支付宝', wechat: '微信', bank: '银行卡' };
