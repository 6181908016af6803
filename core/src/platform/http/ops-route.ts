import { OPS_ROUTES, type OpsRouteDef, type OpsRouteName } from '@jiangxin/shared/ops/routes';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import type { Staff } from './auth';
import type { HttpServer } from './server';

declare module 'fastify' {
  interface FastifyRequest {
    /** The calling member of staff on an ops route, set by the ops guard after its permission check. */
    staff: Staff | null;
  }
}

type Routes = typeof OPS_ROUTES;
type Out<D, K extends string> = D extends { [P in K]: infer S extends z.ZodType } ? z.output<S> : undefined;

/**
 * What an ops handler receives: the request with its params, query and body validated against the
 * route's declaration, and `staff` — the caller, already checked against the route's permission by the
 * guard (see ops-guard.ts). A handler never restates the permission; finer rules (a kind of case, an
 * action's own permission) are its own.
 */
export type OpsRequest<N extends OpsRouteName> = Omit<FastifyRequest, 'params' | 'query' | 'body'> & {
  params: Out<Routes[N], 'params'>;
  query: Out<Routes[N], 'query'>;
  body: Out<Routes[N], 'body'>;
  staff: Staff;
};
export type OpsHandler<N extends OpsRouteName> = (
  req: OpsRequest<N>,
  reply: FastifyReply,
) => Promise<z.input<Routes[N]['response']>>;

const security = [{ bearer: [] }];

/**
 * Registers the handler of the ops route declared as `name` in shared/ops/routes.ts: method, path,
 * schemas, success status and API-document entry (with `name` as its operationId) all come from the
 * declaration, so the core, the console's client and the document cannot disagree.
 */
export function opsRoute<N extends OpsRouteName>(app: HttpServer, name: N, handler: OpsHandler<N>): void {
  const d: OpsRouteDef = OPS_ROUTES[name];
  app.route({
    method: d.method,
    url: d.path,
    schema: {
      operationId: name,
      tags: [d.tag],
      security,
      summary: d.summary,
      ...(d.description ? { description: d.description } : {}),
      ...(d.params ? { params: d.params } : {}),
      ...(d.query ? { querystring: d.query } : {}),
      ...(d.body ? { body: d.body } : {}),
      response: { [d.status ?? 200]: d.response },
      ...(d.problems ? { 'x-problems': d.problems } : {}),
    },
    handler: async (req, reply) => {
      const answer = await handler(req as unknown as OpsRequest<N>, reply);
      if (d.status) reply.status(d.status);
      return answer;
    },
  });
}
