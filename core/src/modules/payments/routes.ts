import { paymentProviderSchema } from '@jiangxin/shared/api/orders';
import { z } from 'zod';
import type { AppContext } from '../../platform/context';
import type { HttpServer } from '../../platform/http/server';
import { handlePaymentNotification } from './commands';

/**
 * Gateway async notifications. Unauthenticated by design: trust comes from the signature, which the
 * adapter verifies against the gateway's public key before anything else is read.
 */
export async function registerPaymentsRoutes(
  app: HttpServer,
  ctx: AppContext,
  metrics?: { notification(provider: string, outcome: 'accepted' | 'rejected' | 'error'): void },
): Promise<void> {
  app.post(
    '/payments/:provider/notify',
    {
      schema: {
        operationId: 'receivePaymentNotification',
        tags: ['payments'],
        summary: '支付异步通知 Gateway payment notification (Alipay form / WeChat Pay v3 JSON)',
        params: z.object({ provider: paymentProviderSchema }),
      },
    },
    async (req, reply) => {
      const provider = req.params.provider;
      const ack = await handlePaymentNotification(ctx, provider, {
        headers: req.headers,
        rawBody: req.rawBody ?? '',
      }).catch((err: unknown) => {
        // The gateway retries what we fail to answer; a run of these is an alert (deploy/prometheus).
        metrics?.notification(provider, 'error');
        throw err;
      });
      metrics?.notification(provider, ack.accepted ? 'accepted' : 'rejected');
      reply.status(ack.status).type(ack.contentType);
      return ack.body;
    },
  );
}
