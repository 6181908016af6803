import { createHmac, randomUUID } from 'node:crypto';
import type { SmsSender } from './sms';

/**
 * Aliyun SMS (短信服务, Dysmsapi 2017-05-25) `SendSms` over its RPC API, signed as Aliyun documents its
 * RPC signature v1: the parameters sorted by name, each name and value percent-encoded (RFC 3986), joined
 * into a canonical query; the string to sign is `METHOD&%2F&<encoded canonical query>`; the signature is
 * base64(HMAC-SHA1(AccessKeySecret + "&", string to sign)). No SDK: the request is one form POST, and
 * the sandbox gateway (sandbox/sms.ts) verifies the same signature.
 */

/** RFC 3986 percent-encoding, as Aliyun's RPC signature requires (`~` kept, space as %20, `*` encoded). */
export function aliyunEncode(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/** The RPC signature of `params` (without `Signature`) for `method`. */
export function aliyunRpcSignature(
  method: 'GET' | 'POST',
  params: Record<string, string>,
  secret: string,
): string {
  const canonical = Object.keys(params)
    .filter((k) => k !== 'Signature')
    .sort()
    .map((k) => `${aliyunEncode(k)}=${aliyunEncode(params[k]!)}`)
    .join('&');
  const toSign = `${method}&${aliyunEncode('/')}&${aliyunEncode(canonical)}`;
  return createHmac('sha1', `${secret}&`).update(toSign).digest('base64');
}

/** Aliyun's answer to SendSms. `Code` is `OK` on success, else an error code such as `isv.BUSINESS_LIMIT_CONTROL`. */
interface SendSmsAnswer {
  Code?: string;
  Message?: string;
  BizId?: string;
  RequestId?: string;
}

export interface AliyunSmsConfig {
  /** `https://dysmsapi.aliyuncs.com/`, or the sandbox's `/sms/`. */
  endpoint: string;
  accessKeyId: string;
  accessKeySecret: string;
  /** The approved signature (签名), e.g. 匠心. */
  signName: string;
  /** Our template names → the template codes approved in the Aliyun console (`verification_code` → `SMS_…`). */
  templates: Readonly<Record<string, string>>;
  regionId?: string;
  timeoutMs?: number;
}

/** Parses `name=SMS_123,other=SMS_456` (ALIYUN_SMS_TEMPLATES); refuses anything else, naming the part. */
export function parseSmsTemplates(raw: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of raw
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const m = /^([a-z_]+)=(SMS_\d+)$/.exec(part);
    if (!m) throw new Error(`ALIYUN_SMS_TEMPLATES: "${part}" is not name=SMS_<digits>`);
    out[m[1]!] = m[2]!;
  }
  return out;
}

export class AliyunSmsSender implements SmsSender {
  constructor(
    private readonly config: AliyunSmsConfig,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async send(phone: string, template: string, params: Record<string, string>): Promise<void> {
    const templateCode = this.config.templates[template];
    if (!templateCode)
      throw new Error(`SMS template "${template}" has no Aliyun template code (ALIYUN_SMS_TEMPLATES)`);
    const request: Record<string, string> = {
      AccessKeyId: this.config.accessKeyId,
      Action: 'SendSms',
      Format: 'JSON',
      RegionId: this.config.regionId ?? 'cn-hangzhou',
      SignatureMethod: 'HMAC-SHA1',
      SignatureNonce: randomUUID(),
      SignatureVersion: '1.0',
      Timestamp: this.now()
        .toISOString()
        .replace(/\.\d{3}Z$/, 'Z'),
      Version: '2017-05-25',
      PhoneNumbers: phone,
      SignName: this.config.signName,
      TemplateCode: templateCode,
      TemplateParam: JSON.stringify(params),
    };
    request['Signature'] = aliyunRpcSignature('POST', request, this.config.accessKeySecret);
    const body = Object.entries(request)
      .map(([k, v]) => `${aliyunEncode(k)}=${aliyunEncode(v)}`)
      .join('&');
    let res: Response;
    try {
      res = await fetch(this.config.endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body,
        signal: AbortSignal.timeout(this.config.timeoutMs ?? 10_000),
      });
    } catch (err) {
      throw new Error(`Aliyun SMS unreachable: ${(err as Error).message}`);
    }
    let answer: SendSmsAnswer;
    try {
      answer = (await res.json()) as SendSmsAnswer;
    } catch {
      throw new Error(`Aliyun SMS answered HTTP ${res.status} without JSON`);
    }
    if (answer.Code !== 'OK')
      throw new Error(
        `Aliyun SMS refused (${answer.Code ?? `HTTP ${res.status}`}): ${answer.Message ?? ''}`.trim(),
      );
  }
}

/**
 * The Aliyun sender the configuration names, or null when no access key is set (the runtime then uses the
 * development sender). An access key without its secret or templates is a configuration error.
 */
export function aliyunSmsFromEnv(env: {
  ALIYUN_SMS_ENDPOINT: string;
  ALIYUN_SMS_ACCESS_KEY_ID?: string | undefined;
  ALIYUN_SMS_ACCESS_KEY_SECRET?: string | undefined;
  ALIYUN_SMS_SIGN_NAME: string;
  ALIYUN_SMS_TEMPLATES?: string | undefined;
}): AliyunSmsSender | null {
  if (!env.ALIYUN_SMS_ACCESS_KEY_ID) return null;
  if (!env.ALIYUN_SMS_ACCESS_KEY_SECRET)
    throw new Error('ALIYUN_SMS_ACCESS_KEY_ID is set but ALIYUN_SMS_ACCESS_KEY_SECRET is not');
  const templates = parseSmsTemplates(env.ALIYUN_SMS_TEMPLATES ?? '');
  if (!templates['verification_code'])
    throw new Error(
      'ALIYUN_SMS_TEMPLATES must name the verification_code template (verification_code=SMS_…)',
    );
  return new AliyunSmsSender({
    endpoint: env.ALIYUN_SMS_ENDPOINT,
    accessKeyId: env.ALIYUN_SMS_ACCESS_KEY_ID,
    accessKeySecret: env.ALIYUN_SMS_ACCESS_KEY_SECRET,
    signName: env.ALIYUN_SMS_SIGN_NAME,
    templates,
  });
}
