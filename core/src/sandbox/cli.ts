import path from 'node:path';
import pino from 'pino';
import { loadEnv } from '../platform/config';
import { startSandbox } from './index';

/**
 * Runs the sandbox gateway on its own (`npx tsx core/src/sandbox/cli.ts`): SANDBOX_PORT, SANDBOX_TIME_SCALE,
 * keys persisted in DATA_DIR/sandbox-keys.json so the core's configuration stays valid across restarts.
 */
async function main(): Promise<void> {
  const env = loadEnv();
  const log = pino({ level: env.LOG_LEVEL });
  const sandbox = await startSandbox({
    port: env.SANDBOX_PORT,
    timeScale: env.SANDBOX_TIME_SCALE,
    keyFile: path.join(env.DATA_DIR, 'sandbox-keys.json'),
    log,
  });
  log.info({ url: sandbox.url }, '支付沙箱网关已启动 / payment sandbox listening');
  const stop = () => {
    void sandbox.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
