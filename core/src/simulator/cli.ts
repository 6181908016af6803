import { parseArgs } from 'node:util';
import { ACTIONS, DEFAULT_MIX } from './actors';
import { parseMix, type SimulateOptions, simulate } from './runner';

/**
 * `npm run simulate -- [flags]`: live marketplace traffic against a running core (see README). Prints a
 * running tally every 10 s and a summary at the end; Ctrl-C stops it cleanly after the current action.
 */
const USAGE = `Usage: npm run simulate -- [options]

  --url <url>            core base URL (default http://127.0.0.1:3000, the port of npm start)
  --sandbox-url <url>    sandbox gateway (default: learnt from the first pay URL; npm start uses :3100)
  --rate <n>             actions per second (default 2; 0 = as fast as possible)
  --steps <n>            stop after n steps
  --duration <time>      stop after a duration: 90, 90s, 5m, 1h (seconds when no unit)
  --seed <n>             random seed (same seed, same decisions)
  --mix <k=w,…>          action weights, e.g. order=20,withdraw=0 (actions: ${ACTIONS.join(', ')})
  --clients <n>          simulated clients (default 8)
  --freelancers <n>      simulated freelancers (default 6)
  --no-demo              do not sign in demo users; sign up new ones
  --password <pw>        demo users' password (default jiangxin-demo)
  --leak-share <0..1>    share of listings with contact leaks (default 0.08)
  --prohibited-share <0..1>  share of listings with prohibited words (default 0.04)
  --dispute-share <0..1> share of orders disputed (default 0.03)
  --pay-fail-share <0..1>  share of first payment attempts that fail (default 0.08)
  --help

Default mix: ${Object.entries(DEFAULT_MIX)
  .map(([k, v]) => `${k}=${v}`)
  .join(',')}`;

function parseDuration(s: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(s.trim());
  if (!m) throw new Error(`bad --duration "${s}" (try 90s, 5m, 1h)`);
  const n = Number(m[1]);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(m[2] ?? 's') as 'ms' | 's' | 'm' | 'h'];
  return n * unit;
}

function num(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} must be a non-negative number, got "${v}"`);
  return n;
}

function share(name: string, v: string | undefined): number | undefined {
  const n = num(name, v);
  if (n !== undefined && n > 1) throw new Error(`--${name} must be between 0 and 1, got "${v}"`);
  return n;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      url: { type: 'string', default: 'http://127.0.0.1:3000' },
      'sandbox-url': { type: 'string' },
      rate: { type: 'string' },
      steps: { type: 'string' },
      duration: { type: 'string' },
      seed: { type: 'string' },
      mix: { type: 'string' },
      clients: { type: 'string' },
      freelancers: { type: 'string' },
      'no-demo': { type: 'boolean', default: false },
      password: { type: 'string' },
      'leak-share': { type: 'string' },
      'prohibited-share': { type: 'string' },
      'dispute-share': { type: 'string' },
      'pay-fail-share': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const shares: SimulateOptions['shares'] = {};
  const leak = share('leak-share', values['leak-share']);
  if (leak !== undefined) shares.contactLeak = leak;
  const prohibited = share('prohibited-share', values['prohibited-share']);
  if (prohibited !== undefined) shares.prohibited = prohibited;
  const dispute = share('dispute-share', values['dispute-share']);
  if (dispute !== undefined) shares.dispute = dispute;
  const payFail = share('pay-fail-share', values['pay-fail-share']);
  if (payFail !== undefined) shares.paymentFailure = payFail;

  const controller = new AbortController();
  let interrupted = 0;
  process.on('SIGINT', () => {
    interrupted += 1;
    if (interrupted > 1) process.exit(130);
    console.log('\nSIGINT: finishing the current action… (Ctrl-C again to quit at once)');
    controller.abort();
  });
  process.on('SIGTERM', () => controller.abort());

  const steps = num('steps', values.steps);
  const seed = num('seed', values.seed);
  const rate = num('rate', values.rate);
  const clients = num('clients', values.clients);
  const freelancers = num('freelancers', values.freelancers);
  const opts: SimulateOptions = {
    url: values.url!,
    sandboxUrl: values['sandbox-url'],
    steps: steps === undefined ? undefined : Math.floor(steps),
    durationMs: values.duration ? parseDuration(values.duration) : undefined,
    ...(seed !== undefined ? { seed: Math.floor(seed) } : {}),
    ...(rate !== undefined ? { rate } : {}),
    ...(clients !== undefined ? { clients: Math.floor(clients) } : {}),
    ...(freelancers !== undefined ? { freelancers: Math.floor(freelancers) } : {}),
    ...(values.mix ? { mix: parseMix(values.mix) } : {}),
    ...(values.password ? { demoPassword: values.password } : {}),
    demoUsers: !values['no-demo'],
    shares,
    signal: controller.signal,
    report: (text) => console.log(text),
  };
  console.log(
    `Simulating marketplace traffic against ${opts.url} at ${rate ?? 2} actions/s` +
      `${opts.steps !== undefined ? `, ${opts.steps} steps` : ''}${opts.durationMs !== undefined ? `, for ${values.duration}` : ''}` +
      ' — Ctrl-C stops.',
  );
  const probe = await fetch(new URL('/api/v1/categories', opts.url), {
    signal: AbortSignal.timeout(5000),
  }).catch((err: Error) => err);
  if (probe instanceof Error) {
    console.error(`Cannot reach the core at ${opts.url} (${probe.message}). Start it with npm start.`);
    return 2;
  }
  const stats = await simulate(opts);
  if (stats.stoppedBy === 'no_population') {
    console.error('Nobody could sign in or sign up: is this a Jiangxin core? (see API errors above)');
    return 1;
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: Error) => {
    console.error(err.message);
    console.error(USAGE);
    process.exit(2);
  },
);
