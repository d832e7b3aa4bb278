// The Grafana dashboard and the Prometheus scrape example in docs/: the JSON parses, every
// query is PromQL that promtool accepts and names only metrics the endpoint exports, and the
// scrape configuration passes promtool check config.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { METRIC_NAMES } from '../../../main/metrics/exposition.js';
import { dashboardQueries, readDashboard, SCRAPE_CONFIG_FILE } from '../../helpers/dashboard.js';

const promtoolMissing = spawnSync('promtool', ['--version']).error ? 'promtool is not installed (Debian package prometheus)' : undefined;
if (promtoolMissing && process.env.CI === 'true') throw new Error(promtoolMissing);

/** Metric names in a query: identifiers of ours (functions and label names are not). */
function metricsIn(expr: string): string[] {
  return [...expr.replace(/\{[^}]*\}/g, '').matchAll(/\b(bpf_[a-z_]+|bpfscope_[a-z_]+)\b/g)].map((m) => m[1]!);
}

describe('docs/grafana-dashboard.json', () => {
  it('has panels with queries and a host variable fed by bpfscope_host_up', () => {
    const dashboard = readDashboard();
    expect(dashboard.panels.filter((p) => p.type !== 'row').every((p) => (p.targets ?? []).length > 0)).toBe(true);
    const host = dashboard.templating.list.find((v) => v.name === 'host');
    expect(JSON.stringify(host?.query)).toContain('label_values(bpfscope_host_up, host)');
  });

  it('queries only metrics bpfscope exports, and every one of them', () => {
    const used = new Set(dashboardQueries().flatMap((q) => metricsIn(q.expr)));
    for (const name of used) expect(METRIC_NAMES, `${name} in the dashboard`).toContain(name);
    expect([...used].sort()).toEqual([...METRIC_NAMES].sort());
  });

  it.skipIf(promtoolMissing)(`has queries promtool parses${promtoolMissing ? ` (skipped: ${promtoolMissing})` : ''}`, () => {
    const dir = mkdtempSync(join(tmpdir(), 'bpfscope-dashboard-'));
    const rules = dashboardQueries().map((q, i) => `      - record: dashboard:query_${i}\n        expr: ${JSON.stringify(q.expr)}\n`);
    writeFileSync(join(dir, 'rules.yml'), `groups:\n  - name: dashboard\n    rules:\n${rules.join('')}`);
    const check = spawnSync('promtool', ['check', 'rules', join(dir, 'rules.yml')], { encoding: 'utf8' });
    rmSync(dir, { recursive: true, force: true });
    expect(check.status, check.stdout + check.stderr).toBe(0);
    expect(check.stdout).toContain(`SUCCESS: ${rules.length} rules found`);
  });
});

describe('docs/prometheus.yml', () => {
  it.skipIf(promtoolMissing)(`passes promtool check config${promtoolMissing ? ` (skipped: ${promtoolMissing})` : ''}`, () => {
    const check = spawnSync('promtool', ['check', 'config', SCRAPE_CONFIG_FILE], { encoding: 'utf8' });
    expect(check.status, check.stdout + check.stderr).toBe(0);
  });
});
