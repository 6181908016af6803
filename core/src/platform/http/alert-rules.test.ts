import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { CASE_KIND_LABELS, CASE_KINDS } from '@jiangxin/shared/ops/cases';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backend, startTestApp, type TestApp } from '../../test/harness';

/**
 * deploy/prometheus for real: Debian's promtool checks the rules and the example configuration and runs
 * the rules' unit tests (alerts.test.yml: every alert firing once and staying quiet once on synthetic
 * series). Then the rules are held to the core: every metric they read is one the core exports.
 */
const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../deploy/prometheus');
const promtool = process.env['PROMTOOL'] ?? '/usr/bin/promtool';
const run = promisify(execFile);
/** Label names the rules group by (`by (job_name)`), which the name pattern below also matches. */
const LABELS = new Set(['job_name', 'status', 'provider', 'kind', 'le', 'route', 'instance', 'limit']);
// promtool works on files alone: once is enough, in the PGlite project.
const skip =
  backend !== 'pglite'
    ? 'runs in the pglite project only'
    : !fs.existsSync(promtool)
      ? `promtool is not installed at ${promtool} (Debian package prometheus; .ci/run installs it)`
      : null;

describe.skipIf(skip !== null)(`deploy/prometheus alert rules${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('pass promtool check rules, check config and their unit tests', async () => {
    const check = await run(promtool, ['check', 'rules', 'alerts.yml'], { cwd: dir });
    expect(check.stdout).toMatch(/SUCCESS: 20 rules found/);
    const config = await run(promtool, ['check', 'config', 'prometheus.yml'], { cwd: dir });
    expect(config.stdout).toMatch(/is valid prometheus config file syntax/);
    // A failing unit test exits non-zero, which rejects with promtool's report in the message.
    const unit = await run(promtool, ['test', 'rules', 'alerts.test.yml'], { cwd: dir });
    expect(unit.stdout).toMatch(/SUCCESS/);
  }, 60_000);

  it('every alert is unit-tested firing and quiet, and has its runbook entry', () => {
    const rules = fs.readFileSync(path.join(dir, 'alerts.yml'), 'utf8');
    const tests = fs.readFileSync(path.join(dir, 'alerts.test.yml'), 'utf8');
    const readme = fs.readFileSync(path.join(dir, 'README.md'), 'utf8');
    const alerts = [...rules.matchAll(/^\s+- alert: (\w+)$/gm)].map((m) => m[1]!);
    expect(alerts).toHaveLength(20);
    for (const alert of alerts) {
      const cases = [...tests.matchAll(new RegExp(`alertname: ${alert}\\n\\s+exp_alerts:(.*)`, 'g'))];
      expect(
        cases.some((c) => c[1]!.trim() === '[]'),
        `${alert} is never tested quiet`,
      ).toBe(true);
      expect(
        cases.some((c) => c[1]!.trim() === ''),
        `${alert} is never tested firing`,
      ).toBe(true);
      expect(readme, `${alert} has no runbook entry`).toMatch(new RegExp(`^#### ${alert}$`, 'm'));
    }
  });

  it('read only metrics the core exports, and name every case kind in Chinese', async () => {
    const text = await (await fetch(`${t.url}/metrics`)).text();
    const exported = new Set([...text.matchAll(/^# TYPE (\w+) /gm)].map((m) => m[1]!));
    const rules = fs.readFileSync(path.join(dir, 'alerts.yml'), 'utf8');
    const exprs = [...rules.matchAll(/expr: ([^\n]*(?:\n {10,}[^\n]*)*)/g)].map((m) => m[1]!).join('\n');
    const used = new Set(
      [...exprs.matchAll(/\b([a-z][a-z0-9_]*)(?=\{|\s*\)|\s*(?:==|>|<))/g)]
        .map((m) => m[1]!.replace(/_(bucket|count|sum)$/, ''))
        .filter((name) => !LABELS.has(name)),
    );
    // Prometheus's own series, and the replica's, which are exported only when DATABASE_READ_URL is set.
    const notFromCore = new Set(['up', 'db_replica_lag_seconds', 'db_replica_up']);
    const missing = [...used].filter((name) => !exported.has(name) && !notFromCore.has(name));
    expect(used.size).toBeGreaterThan(10);
    expect(missing).toEqual([]);
    // The SLA alert maps each queue's kind to its Chinese name, as the console shows it.
    for (const kind of CASE_KINDS)
      expect(rules).toContain(`eq $labels.kind "${kind}" }}${CASE_KIND_LABELS[kind].zh}`);
  });
});
