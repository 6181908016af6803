import { loadEnv } from '../platform/config';
import { closeOnSignals, createRuntime } from './runtime';

/**
 * `npm run -w core start`: the core service alone, as a deployment runs it — no sandbox gateway and no
 * demo data. Payment keys must be configured (README lists the variables); a configuration problem
 * stops the process with one message naming what is missing.
 */
try {
  const env = loadEnv();
  const runtime = await createRuntime(env);
  const url = await runtime.app.start();
  runtime.ctx.log.info({ url, database: runtime.db.kind }, 'Jiangxin core listening');
  closeOnSignals(runtime.close);
} catch (err) {
  console.error(`Jiangxin core did not start: ${(err as Error).message}`);
  process.exit(1);
}
