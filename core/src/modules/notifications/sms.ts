/**
 * An SMS provider (Aliyun SMS, Tencent Cloud SMS, …) behind one call. `template` names a template
 * registered with the provider: `verification_code`, or a notification template (notifications/templates.ts).
 */
export interface SmsSender {
  send(phone: string, template: string, params: Record<string, string>): Promise<void>;
}

export interface SentSms {
  phone: string;
  template: string;
  params: Record<string, string>;
  at: Date;
}

/**
 * The development/sandbox sender: keeps messages in memory (the demo prints codes to the log).
 * Production configures a real provider that implements SmsSender.
 */
export class MemorySmsSender implements SmsSender {
  readonly sent: SentSms[] = [];
  constructor(private readonly onSend?: (m: SentSms) => void) {}
  async send(phone: string, template: string, params: Record<string, string>): Promise<void> {
    const m = { phone, template, params, at: new Date() };
    this.sent.push(m);
    if (this.sent.length > 1000) this.sent.shift();
    this.onSend?.(m);
  }
  /** The latest code sent to `phone` (tests and the demo use it). */
  lastCode(phone: string): string | undefined {
    return this.sent.findLast((m) => m.phone === phone && m.template === 'verification_code')?.params['code'];
  }
}
