import type { Env } from './config';

/**
 * A business delay (a deadline, an SLA, a retry) in real milliseconds under `TIME_SCALE`: 60 makes a
 * 24-hour acceptance deadline pass in 24 minutes, so the simulator and demos see timeouts, SLA breaches
 * and auto-completion happen. Every deadline the core computes goes through here.
 */
export function scaledMs(env: Pick<Env, 'TIME_SCALE'>, ms: number): number {
  return Math.max(1, Math.round(ms / env.TIME_SCALE));
}
