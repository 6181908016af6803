import { paymentProviderSchema } from '@jiangxin/shared/api/orders';
import { z } from 'zod';
import type { AppContext } from '../../platform/context';
import type { HttpServer } from '../../platform/http/server';
import { handlePaymentNotification } from './commands';

/**
 * Gateway async notifications. Unauthenticated by design: trust comes from the signature, which the
 * adapter verifies against the gateway's public key before anything else is read.
 */
export async function registerPaymentsRoutes(app: HttpServer, ctx: AppContext): Promise<void> {
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
      const ack = await handlePaymentNotification(ctx, req.params.provider, {
        headers: req.headers,
        rawBody: req.rawBody ?? '',
      });
      reply.status(ack.status).type(ack.contentType);
      return ack.body;
    },
  );
}
