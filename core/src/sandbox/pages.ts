import { fenToYuan } from '@jiangxin/shared/money';
import type { SandboxTrade } from './store';

/** Escapes text for HTML element and attribute content. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function layout(title: string, accent: string, body: string): string {
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
body{font-family:system-ui,"Noto Sans CJK SC","PingFang SC",sans-serif;margin:0;background:#f5f5f5;color:#222}
header{background:${accent};color:#fff;padding:12px 24px;font-size:18px}
main{max-width:720px;margin:24px auto;background:#fff;padding:24px;border-radius:8px}
.amount{font-size:32px;font-weight:600;margin:12px 0}
.muted{color:#555;font-size:13px}
button{font-size:16px;padding:10px 24px;border-radius:4px;border:1px solid #888;background:#fff;cursor:pointer;margin-right:12px}
button.primary{background:${accent};border-color:${accent};color:#fff}
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:6px;text-align:left;font-size:14px}
form{display:inline}
</style></head>
<body><header>${escapeHtml(title)} <span class="muted" style="color:#eee">Sandbox — 仅供测试，不会产生真实扣款 / test only, no real money</span></header>
<main>${body}</main></body></html>`;
}

const STATUS_ZH: Record<SandboxTrade['status'], string> = {
  pending: '待支付 / awaiting payment',
  succeeded: '支付成功 / paid',
  failed: '支付失败 / failed',
  closed: '已关闭 / closed',
};

function payButtons(t: SandboxTrade): string {
  if (t.status !== 'pending') return `<p>${escapeHtml(STATUS_ZH[t.status])}</p>`;
  const base = `/sandbox/payments/${encodeURIComponent(t.outTradeNo)}`;
  const q = `?provider=${t.provider}`;
  return `<form method="post" action="${base}/succeed${q}"><button class="primary" type="submit">确认支付 / Pay</button></form>
<form method="post" action="${base}/fail${q}"><button type="submit">模拟支付失败 / Simulate failure</button></form>`;
}

function tradeSummary(t: SandboxTrade): string {
  return `<p>${escapeHtml(t.subject)}</p>
<div class="amount">¥${fenToYuan(t.amountFen)}</div>
<p class="muted">商户订单号 / out_trade_no: ${escapeHtml(t.outTradeNo)}<br>
${t.provider === 'alipay' ? '支付宝交易号 / trade_no' : '微信支付订单号 / transaction_id'}: ${escapeHtml(t.providerTradeNo)}</p>`;
}

/** Alipay's cashier (what `alipay.trade.page.pay` opens in the browser). */
export function alipayCashierPage(t: SandboxTrade): string {
  return layout('支付宝沙箱收银台', '#1262c7', `${tradeSummary(t)}${payButtons(t)}`);
}

/** The page a WeChat Native code_url leads to (in reality the buyer scans it in WeChat). */
export function wechatCashierPage(t: SandboxTrade): string {
  return layout('微信支付沙箱', '#067a3c', `${tradeSummary(t)}${payButtons(t)}`);
}

/** Shown after a pay-page button; links back to the merchant's return_url when one was given. */
export function resultPage(t: SandboxTrade): string {
  const back =
    t.returnUrl && /^https?:\/\//.test(t.returnUrl)
      ? `<p><a href="${escapeHtml(t.returnUrl)}">返回商户 / Back to the merchant</a></p>`
      : '';
  const title = t.provider === 'alipay' ? '支付宝沙箱收银台' : '微信支付沙箱';
  return layout(
    title,
    t.provider === 'alipay' ? '#1262c7' : '#067a3c',
    `${tradeSummary(t)}<p><strong>${escapeHtml(STATUS_ZH[t.status])}</strong></p>
<p class="muted">异步通知已发送到商户 notify_url / the async notification was sent to the merchant's notify_url.</p>${back}`,
  );
}

/** A gateway error page (bad signature, bad parameters), in the providers' style: code plus zh message. */
export function errorPage(code: string, subCode: string, message: string): string {
  return layout(
    '支付宝沙箱收银台',
    '#b42318',
    `<h2>错误 / Error</h2>
<p>错误代码 / code: <code>${escapeHtml(code)}</code> <code>${escapeHtml(subCode)}</code></p><p>${escapeHtml(message)}</p>`,
  );
}

/** The sandbox home: recent trades, newest first, with links to their pay pages. */
export function indexPage(trades: SandboxTrade[], payLink: (t: SandboxTrade) => string): string {
  const rows = trades
    .map(
      (
        t,
      ) => `<tr><td>${t.provider === 'alipay' ? '支付宝' : '微信支付'}</td><td>${escapeHtml(t.outTradeNo)}</td>
<td>${escapeHtml(t.subject)}</td><td>¥${fenToYuan(t.amountFen)}</td><td>${escapeHtml(STATUS_ZH[t.status])}</td>
<td><a href="${escapeHtml(payLink(t))}">收银台 / pay page</a></td></tr>`,
    )
    .join('\n');
  return layout(
    '支付沙箱网关 / Payment sandbox',
    '#333',
    `<h2>最近交易 / Recent trades</h2>
${trades.length === 0 ? '<p>暂无交易 / No trades yet.</p>' : `<table><thead><tr><th>渠道 / Provider</th><th>商户订单号</th><th>商品 / Subject</th><th>金额 / Amount</th><th>状态 / Status</th><th></th></tr></thead><tbody>${rows}</tbody></table>`}
<p class="muted">对账单 / Statement: <code>GET /sandbox/statement?date=YYYY-MM-DD</code></p>`,
  );
}
