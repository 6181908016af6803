import { createHmac, randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { aliyunRpcSignature } from '../modules/notifications/aliyun-sms';
import type { SandboxKeys } from './keys';

/**
 * The sandbox's Aliyun SMS endpoint (`POST /sms/`, Dysmsapi `SendSms`), checked the way Aliyun checks:
 * a known AccessKeyId, the RPC signature over every parameter, a timestamp within 15 minutes, a
 * signature nonce used once, the version and action, a mainland mobile number, a JSON TemplateParam.
 * Accepted messages are kept for tests and the demo; `failNext(n)` makes the next n answer a business
 * error, as Aliyun's flow control does.
 */
export interface SandboxSms {
  accessKeyId: string;
  accessKeySecret: string;
  readonly sent: SandboxSmsMessage[];
  /** The next `n` valid requests are refused with `isv.BUSINESS_LIMIT_CONTROL`. */
  failNext(n: number): void;
  /** Requests refused, newest last (code and why), for tests. */
  readonly refused: { code: string; message: string }[];
}

export interface SandboxSmsMessage {
  phone: string;
  signName: string;
  templateCode: string;
  params: Record<string, string>;
  bizId: string;
  at: Date;
}

const PHONE = /^1[3-9]\d{9}$/;

/** The SMS key pair is derived from the sandbox's own key file, so a restarted sandbox keeps it. */
function smsCredentials(keys: SandboxKeys) {
  const secret = createHmac('sha256', keys.alipay.gateway.privateKey)
    .update('sandbox-sms')
    .digest('base64url');
  return { accessKeyId: `LTAI${secret.slice(0, 12)}`, accessKeySecret: secret.slice(12, 42) };
}

export function registerSms(app: FastifyInstance, keys: SandboxKeys): SandboxSms {
  const { accessKeyId, accessKeySecret } = smsCredentials(keys);
  const sent: SandboxSmsMessage[] = [];
  const refused: { code: string; message: string }[] = [];
  const nonces = new Set<string>();
  let failing = 0;

  app.post('/sms/', async (req: FastifyRequest, reply) => {
    const p = (req.body ?? {}) as Record<string, string>;
    const refuse = (status: number, code: string, message: string) => {
      refused.push({ code, message });
      return reply.code(status).send({ Code: code, Message: message, RequestId: randomUUID() });
    };
    if (p['AccessKeyId'] !== accessKeyId)
      return refuse(404, 'InvalidAccessKeyId.NotFound', 'Specified access key is not found.');
    if (!p['Signature'] || aliyunRpcSignature('POST', p, accessKeySecret) !== p['Signature'])
      return refuse(400, 'SignatureDoesNotMatch', 'Specified signature is not matched with our calculation.');
    const at = Date.parse(p['Timestamp'] ?? '');
    if (!Number.isFinite(at) || Math.abs(Date.now() - at) > 15 * 60_000)
      return refuse(400, 'InvalidTimeStamp.Expired', 'Specified time stamp or date value is expired.');
    const nonce = p['SignatureNonce'] ?? '';
    if (!nonce || nonces.has(nonce))
      return refuse(400, 'SignatureNonceUsed', 'Specified signature nonce was used already.');
    nonces.add(nonce);
    if (p['Action'] !== 'SendSms' || p['Version'] !== '2017-05-25')
      return refuse(
        400,
        'InvalidAction',
        `Action ${p['Action']} of version ${p['Version']} is not supported.`,
      );
    if (!PHONE.test(p['PhoneNumbers'] ?? ''))
      return refuse(200, 'isv.MOBILE_NUMBER_ILLEGAL', `Illegal mobile number: ${p['PhoneNumbers']}`);
    if (!/^SMS_\d+$/.test(p['TemplateCode'] ?? ''))
      return refuse(200, 'isv.SMS_TEMPLATE_ILLEGAL', `Illegal template: ${p['TemplateCode']}`);
    let params: Record<string, string>;
    try {
      params = JSON.parse(p['TemplateParam'] ?? '{}') as Record<string, string>;
    } catch {
      return refuse(200, 'isv.INVALID_JSON_PARAM', 'TemplateParam is not JSON.');
    }
    if (failing > 0) {
      failing -= 1;
      return refuse(200, 'isv.BUSINESS_LIMIT_CONTROL', 'Flow control: too many messages to this number.');
    }
    const bizId = `${Date.now()}^${randomUUID().slice(0, 8)}`;
    sent.push({
      phone: p['PhoneNumbers']!,
      signName: p['SignName'] ?? '',
      templateCode: p['TemplateCode']!,
      params,
      bizId,
      at: new Date(),
    });
    if (sent.length > 1000) sent.shift();
    return reply.send({ Code: 'OK', Message: 'OK', BizId: bizId, RequestId: randomUUID() });
  });

  return {
    accessKeyId,
    accessKeySecret,
    sent,
    refused,
    failNext: (n) => {
      failing = n;
    },
  };
}
