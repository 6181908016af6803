// `npm start`: the whole product on its embedded defaults — the core (PGlite under core/data, the sandbox
// payment gateway, demo data on first start, simulated users) and the desktop operations console.
// Where the Electron binary is not installed (its download host unreachable at `npm install`), the core
// keeps running and the message points to `npm run start:web`, the same console in the browser.
import { findElectronBinary, MISSING_BINARY_MESSAGE, startDesktop } from '../electron/main/launch';
import { startCoreProcess } from '../electron/web-host/core-process';
import { superviseCore } from '../electron/web-host/core-supervisor';
import { ensureRendererBuilt } from '../electron/web-host/renderer-build';

const port = Number(process.env['PORT'] || 3000);
// The core under a supervisor (as in `npm run start:web`): when it exits, the desktop console stays open
// and works offline (its engine runs inside the app), and the core is started again with backoff.
const core = await superviseCore({
  start: (signal) => startCoreProcess({ port, onLine: (line) => console.log(line), signal }),
  log: (line) => console.log(`[supervisor 守护] ${line}`),
});
let stopping = false;
const stop = async (code: number) => {
  if (stopping) return;
  stopping = true;
  await core.stop();
  process.exit(code);
};
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void stop(0));

if (!findElectronBinary()) {
  console.log(
    `\n${MISSING_BINARY_MESSAGE}\n\n核心服务继续运行（Ctrl+C 退出）。 The core keeps running (Ctrl+C quits).\n`,
  );
} else {
  await ensureRendererBuilt((line) => console.log(line));
  process.env['JX_CORE_URL'] = `http://127.0.0.1:${port}`;
  // Quitting the desktop console ends the session: the core goes with it.
  await stop(await startDesktop());
}
