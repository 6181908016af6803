import path from 'node:path';
import { loadEnv } from '../platform/config';
import { startSandbox } from '../sandbox/index';
import { seedIfEmpty } from '../seed/seed';
import { startBackgroundSimulation } from '../simulator/background';
import { closeOnSignals, createRuntime } from './runtime';

/**
 * `npm start`: the whole product on its embedded defaults — PGlite under ./data, the sandbox gateway
 * playing Alipay and WeChat Pay with its own keys, and demo data on first start.
 */
const env = loadEnv();
const sandbox = await startSandbox({
  host: env.HOST,
  port: env.SANDBOX_PORT,
  timeScale: env.SANDBOX_TIME_SCALE,
  keyFile: path.join(env.DATA_DIR, 'sandbox-keys.json'),
});
const runtime = await createRuntime(env, { sandbox: sandbox.credentials });
const seeded = await seedIfEmpty(runtime.ctx, {
  seed: env.SEED,
  scale: env.SEED_SCALE,
  demoPassword: env.DEMO_PASSWORD,
});
const url = await runtime.app.start();

const line = '─'.repeat(64);
console.log(`
${line}
  匠心 Jiangxin core is running (database: ${runtime.db.kind === 'pglite' ? `embedded PGlite in ${env.DATA_DIR}` : 'PostgreSQL'})

  API          ${url}/api/v1
  API docs     ${url}/docs        (OpenAPI: ${url}/openapi.json)
  Sandbox pay  ${sandbox.url}/    (plays Alipay + WeChat Pay)
  Live events  ${url}/socket.io   (socket.io, auth.token = access token)

  ${seeded ? `Demo data created (seed ${env.SEED}, scale ${env.SEED_SCALE}).` : 'Existing data kept (delete the data folder to re-seed).'}
  Demo staff: admin, moderator, finance1, finance2, support — password: ${env.DEMO_PASSWORD}
  Demo users: see README (client001… / freelancer001…, same password)
${line}
`);
// ── simulator hook (core/src/simulator): gentle live traffic; SIMULATE=0 turns it off, SIMULATE_RATE=<actions/s>
const simulation = startBackgroundSimulation({
  url,
  sandboxUrl: sandbox.url,
  demoPassword: env.DEMO_PASSWORD,
});
if (simulation)
  console.log(`  Simulated users are active (${simulation.rate} actions/s; SIMULATE=0 turns them off).\n`);
// ── end simulator hook
closeOnSignals(async () => {
  await simulation?.stop(); // simulator hook
  await runtime.close();
  await sandbox.close();
});
