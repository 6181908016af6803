import { idParamSchema, pageOf } from '@jiangxin/shared/api/common';
import {
  createOrderBodySchema,
  createOrderResponseSchema,
  deliverBodySchema,
  disputeBodySchema,
  listOrdersQuerySchema,
  orderDetailSchema,
  orderSchema,
  paymentSchema,
  payOrderBodySchema,
  reasonBodySchema,
  revisionBodySchema,
} from '@jiangxin/shared/api/orders';
import { ORDER_TRANSITIONS, type OrderAction } from '@jiangxin/shared/orders';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../../platform/context';
import { requireUser } from '../../platform/http/auth';
import { idempotencyHeadersSchema, runIdempotent } from '../../platform/http/idempotency';
import { AppError } from '../../platform/http/problem';
import type { HttpServer } from '../../platform/http/server';
import { createOrder, retryPayment, type TransitionInput, transitionInTx } from './commands';
import { presentOrder, presentPayment } from './presenters';
import { getOrderForParty, listMyOrders } from './queries';

const tags = ['orders'];
const security = [{ bearer: [] }];
const idempotencyHeaders = idempotencyHeadersSchema;

function idempotencyKey(req: FastifyRequest): string {
  const key = req.headers['idempotency-key'];
  if (typeof key !== 'string' || !key) throw new AppError('idempotency_key_required');
  return key;
}

/** Order routes: create (idempotent), list, detail, pay again, and one route per party action. */
export async function registerOrdersRoutes(app: HttpServer, ctx: AppContext): Promise<void> {
  app.post(
    '/orders',
    {
      schema: {
        operationId: 'createOrder',
        tags,
        security,
        summary: '下单 Place an order (requires Idempotency-Key); returns the order and the payment to make',
        headers: idempotencyHeaders,
        body: createOrderBodySchema,
        response: { 201: createOrderResponseSchema, 200: createOrderResponseSchema },
      },
    },
    async (req, reply) => {
      const { userId } = requireUser(req);
      const { order, payment, replayed } = await createOrder(ctx, userId, req.body, idempotencyKey(req));
      if (replayed) reply.header('idempotent-replayed', 'true');
      return reply
        .status(replayed ? 200 : 201)
        .send({ order: presentOrder(order, 'client'), payment: presentPayment(payment) });
    },
  );

  app.get(
    '/orders',
    {
      schema: {
        operationId: 'listOrders',
        tags,
        security,
        summary: '我的订单 My orders',
        querystring: listOrdersQuerySchema,
        response: { 200: pageOf(orderSchema) },
      },
    },
    async (req) => listMyOrders(ctx.db.fresh, requireUser(req).userId, req.query),
  );

  app.get(
    '/orders/:id',
    {
      schema: {
        operationId: 'getOrder',
        tags,
        security,
        summary: '订单详情 Order detail',
        params: idParamSchema,
        response: { 200: orderDetailSchema },
      },
    },
    async (req) => getOrderForParty(ctx.db.write, req.params.id, requireUser(req).userId),
  );

  app.post(
    '/orders/:id/pay',
    {
      schema: {
        operationId: 'payOrder',
        tags,
        security,
        summary: '重新支付 New payment attempt for an unpaid order',
        params: idParamSchema,
        body: payOrderBodySchema,
        response: { 201: paymentSchema },
      },
    },
    async (req, reply) => {
      const payment = await retryPayment(
        ctx,
        requireUser(req).userId,
        req.params.id,
        req.body.paymentProvider,
      );
      return reply.status(201).send(presentPayment(payment));
    },
  );

  const action = <B extends z.ZodType>(
    path: string,
    act: OrderAction,
    operationId: string,
    body: B,
    toInput: (b: z.infer<B>) => TransitionInput,
  ) => {
    const moneyMoving = ORDER_TRANSITIONS[act].escrow !== 'none';
    app.post(
      `/orders/:id/${path}`,
      {
        schema: {
          operationId,
          tags,
          security,
          summary: `${ORDER_TRANSITIONS[act].label.zh} ${ORDER_TRANSITIONS[act].label.en}${moneyMoving ? ' (moves money: Idempotency-Key required)' : ''}`,
          params: idParamSchema,
          body,
          ...(moneyMoving ? { headers: idempotencyHeaders } : {}),
          response: { 200: orderDetailSchema },
        },
      },
      async (req) => {
        const { userId } = requireUser(req);
        const input = toInput(req.body as z.infer<B>);
        const actor = { kind: 'user' as const, userId };
        if (moneyMoving) {
          const key = idempotencyKey(req);
          await ctx.db.transact((tx) =>
            runIdempotent(
              tx,
              { userId, scope: `orders.${act}`, key, request: { orderId: req.params.id, ...input } },
              async () => {
                await transitionInTx(ctx, tx, req.params.id, actor, act, input);
                return { status: 200, body: { orderId: req.params.id } };
              },
            ),
          );
        } else {
          await ctx.db.transact((tx) => transitionInTx(ctx, tx, req.params.id, actor, act, input));
        }
        return getOrderForParty(ctx.db.write, req.params.id, userId);
      },
    );
  };

  const empty = z.object({}).strict();
  action('accept', 'accept', 'acceptOrder', empty, () => ({}));
  action('decline', 'decline', 'declineOrder', reasonBodySchema, (b) => ({ reason: b.reason }));
  action('deliver', 'deliver', 'deliverOrder', deliverBodySchema, (b) => ({
    message: b.message,
    fileIds: b.fileIds,
  }));
  action('request-revision', 'request_revision', 'requestOrderRevision', revisionBodySchema, (b) => ({
    message: b.message,
  }));
  action('start-revision', 'start_revision', 'startOrderRevision', empty, () => ({}));
  action('complete', 'complete', 'completeOrder', empty, () => ({}));
  action('cancel', 'cancel', 'cancelOrder', reasonBodySchema, (b) => ({ reason: b.reason }));
  action(
    'request-cancellation',
    'request_cancellation',
    'requestOrderCancellation',
    reasonBodySchema,
    (b) => ({ reason: b.reason }),
  );
  action('withdraw-cancellation', 'withdraw_cancellation', 'withdrawOrderCancellation', empty, () => ({}));
  action('agree-cancellation', 'agree_cancellation', 'agreeOrderCancellation', empty, () => ({}));
  action('dispute', 'dispute', 'disputeOrder', disputeBodySchema, (b) => ({
    reason: b.reason,
    fileIds: b.fileIds,
  }));
}
