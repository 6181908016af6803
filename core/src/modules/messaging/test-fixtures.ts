import { io, type Socket } from 'socket.io-client';
import { insertPublishedService, orderThroughCommands } from '../../test/factories/catalog';
import type { TestApp } from '../../test/harness';

/**
 * An order between two users, in progress, for the files and messaging suites: a published listing of
 * the freelancer's, then the order placed, paid and accepted through the real commands.
 */
export async function insertOrder(
  t: TestApp,
  parties: { clientId: number; freelancerId: number },
): Promise<{ orderId: number; serviceId: number }> {
  const { serviceId } = await insertPublishedService(t, parties.freelancerId);
  const order = await orderThroughCommands(t, {
    serviceId,
    clientId: parties.clientId,
    status: 'in_progress',
  });
  return { orderId: order.id, serviceId };
}

/** A socket of `token` on the test app that records every event envelope it receives, in order. */
export function connectEvents(url: string, auth: { token: string; lastSeq?: number }) {
  const received: { seq: number; type: string; payload: Record<string, unknown> }[] = [];
  const socket: Socket = io(url, { auth, transports: ['websocket'], reconnection: false, forceNew: true });
  socket.on('event', (e) => received.push(e));
  const connected = new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  return { socket, received, connected };
}
