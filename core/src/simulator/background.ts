import { type SimStats, simulate } from './runner';

/**
 * The gentle background traffic of `npm start`: on unless SIMULATE=0 (or false/off/no), at SIMULATE_RATE
 * actions per second (default 0.5), against the core just started. Reports a tally once a minute.
 */
export function startBackgroundSimulation(opts: {
  url: string;
  sandboxUrl: string;
  demoPassword: string;
  env?: NodeJS.ProcessEnv;
  log?: (line: string) => void;
}): { rate: number; stop(): Promise<SimStats | null> } | null {
  const env = opts.env ?? process.env;
  const flag = (env['SIMULATE'] ?? '1').trim().toLowerCase();
  if (['0', 'false', 'off', 'no'].includes(flag)) return null;
  const parsed = Number(env['SIMULATE_RATE'] ?? '0.5');
  const rate = Number.isFinite(parsed) && parsed > 0 ? parsed : 0.5;
  const log = opts.log ?? ((line: string) => console.log(line));
  const controller = new AbortController();
  const run = simulate({
    url: opts.url,
    sandboxUrl: opts.sandboxUrl,
    rate,
    demoPassword: opts.demoPassword,
    // Sign-ups are rate limited per address; a trickle keeps room for the humans.
    mix: { signup: 0.3 },
    signal: controller.signal,
    reportEveryMs: 60_000,
    report: (text) =>
      log(text.startsWith('[simulate') ? text : `[simulate] ${text.replaceAll('\n', '\n  ')}`),
  }).catch((err: Error) => {
    log(`[simulate] stopped: ${err.message}`);
    return null;
  });
  return {
    rate,
    async stop() {
      controller.abort();
      return run;
    },
  };
}
