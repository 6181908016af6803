import net from 'node:net';

/**
 * A TCP relay a test owns, put in front of a server (the core, PostgreSQL, Redis) so the test can cut
 * the network to it while the server itself stays up for everyone else, and restore it.
 *
 * - `down()`: every open connection is dropped and new ones are refused (the server was stopped, or a
 *   firewall rejects): clients see ECONNRESET / ECONNREFUSED at once.
 * - `stall()`: a partition. Open connections stay open but nothing crosses them; new connections are
 *   accepted and then hear nothing. Clients only find out through their own timeouts.
 * - `up()`: accepts and forwards again on the same port; stalled connections carry on where they stopped.
 */
export interface NetworkLink {
  /** `http://127.0.0.1:<port>` (a base URL for HTTP targets). */
  url: string;
  host: string;
  port: number;
  /** The target's URL with its host and port replaced by the link's (`postgres://user@127.0.0.1:<port>/db`). */
  via(targetUrl: string): string;
  down(): Promise<void>;
  stall(): Promise<void>;
  up(): Promise<void>;
  close(): Promise<void>;
}

interface Pair {
  client: net.Socket;
  upstream: net.Socket | null;
}

/** Starts a relay on a free 127.0.0.1 port to the host and port of `targetUrl`. */
export async function startLink(targetUrl: string): Promise<NetworkLink> {
  const target = new URL(targetUrl);
  const targetPort = Number(target.port);
  const pairs = new Set<Pair>();
  let server: net.Server | null = null;
  let port = 0;
  let stalled = false;

  const drop = (pair: Pair) => {
    pair.client.destroy();
    pair.upstream?.destroy();
    pairs.delete(pair);
  };
  const join = (pair: Pair) => {
    const upstream = pair.upstream ?? net.connect(targetPort, target.hostname);
    if (!pair.upstream) {
      pair.upstream = upstream;
      upstream.on('error', () => drop(pair)).on('close', () => drop(pair));
    }
    pair.client.pipe(upstream);
    upstream.pipe(pair.client);
  };
  const hold = (pair: Pair) => {
    pair.client.unpipe();
    pair.client.pause();
    pair.upstream?.unpipe();
    pair.upstream?.pause();
  };

  const listen = () =>
    new Promise<void>((resolve, reject) => {
      const s = net.createServer((client) => {
        const pair: Pair = { client, upstream: null };
        pairs.add(pair);
        client.on('error', () => drop(pair)).on('close', () => drop(pair));
        if (stalled) client.pause();
        else join(pair);
      });
      s.once('error', reject);
      s.listen(port, '127.0.0.1', () => {
        port = (s.address() as net.AddressInfo).port;
        server = s;
        resolve();
      });
    });
  const down = async () => {
    stalled = false;
    const s = server;
    server = null;
    for (const pair of pairs) drop(pair);
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
  };
  await listen();
  return {
    url: `http://127.0.0.1:${port}`,
    host: '127.0.0.1',
    port,
    via(url: string) {
      const u = new URL(url);
      u.hostname = '127.0.0.1';
      u.port = String(port);
      return u.toString();
    },
    down,
    async stall() {
      if (!server) await listen();
      stalled = true;
      for (const pair of pairs) hold(pair);
    },
    async up() {
      if (stalled) {
        stalled = false;
        for (const pair of pairs) join(pair);
      }
      if (!server) await listen();
    },
    close: down,
  };
}
