/**
 * The baseline beside `GET /api/v1/ops/cases`: a raw Fastify hello-world in its own process (forked by
 * run.ts like the core), so both are measured the same way on the same machine in the same run.
 */
import Fastify from 'fastify';

const app = Fastify({ logger: false });
app.get('/', async () => ({ hello: 'world' }));
const url = await app.listen({ host: '127.0.0.1', port: 0 });
process.send?.({ type: 'ready', url });
process.on('message', (m: { cmd?: string }) => {
  if (m.cmd === 'close') void app.close().finally(() => process.exit(0));
});
process.on('disconnect', () => process.exit(0));
