import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request the receiver got, with the time it arrived (ms since the epoch). */
export interface ReceivedRequest {
  at: number;
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** What the receiver answers. */
export interface ReceiverAnswer {
  status: number;
  body: string;
  contentType?: string;
  headers?: Record<string, string>;
}

/** A tiny HTTP server on 127.0.0.1 standing in for a merchant's notify endpoint (or a broken gateway). */
export interface Receiver {
  url: string;
  received: ReceivedRequest[];
  close(): Promise<void>;
}

/**
 * Starts a receiver; `answer` decides each reply (`index` counts from 0). `answer` may return null to never
 * reply (a hung peer, for timeout tests). For tests of the sandbox and the adapters — real HTTP, no mocks.
 */
export async function startReceiver(
  answer: (req: ReceivedRequest, index: number) => ReceiverAnswer | null | Promise<ReceiverAnswer | null>,
): Promise<Receiver> {
  const received: ReceivedRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r: ReceivedRequest = {
        at: Date.now(),
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      const index = received.length;
      received.push(r);
      void Promise.resolve(answer(r, index)).then(
        (a) => {
          if (!a) return; // hang
          res.writeHead(a.status, {
            ...(a.contentType ? { 'content-type': a.contentType } : {}),
            ...a.headers,
          });
          res.end(a.body);
        },
        (err: Error) => {
          res.writeHead(500);
          res.end(err.message);
        },
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
