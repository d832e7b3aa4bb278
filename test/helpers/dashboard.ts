// The queries of the Grafana dashboard in docs/, with its variables given values Prometheus
// accepts, for checking them against promtool and a real Prometheus.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const DASHBOARD_FILE = fileURLToPath(new URL('../../docs/grafana-dashboard.json', import.meta.url));
export const SCRAPE_CONFIG_FILE = fileURLToPath(new URL('../../docs/prometheus.yml', import.meta.url));

export interface DashboardPanel {
  type: string;
  title: string;
  targets?: Array<{ expr: string }>;
}

export interface DashboardQuery {
  panel: string;
  expr: string;
}

export function readDashboard(): { panels: DashboardPanel[]; templating: { list: Array<{ name: string; query: unknown }> } } {
  return JSON.parse(readFileSync(DASHBOARD_FILE, 'utf8')) as ReturnType<typeof readDashboard>;
}

/** Every panel query, `$host` as every host and `$__rate_interval` as `rateInterval`. */
export function dashboardQueries(rateInterval = '1m'): DashboardQuery[] {
  return readDashboard().panels.flatMap((p) =>
    (p.targets ?? []).map((t) => ({ panel: p.title, expr: t.expr.replaceAll('$host', '.*').replaceAll('$__rate_interval', rateInterval) })),
  );
}
