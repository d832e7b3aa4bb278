// A real Prometheus server (Debian's package) for tests: its own config and data directory
// in a temp dir, a free loopback port, scraping the targets given every second.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './sshd.js';

export interface ScrapeTarget {
  job: string;
  /** `host:port` */
  target: string;
}

/** One series of a query's answer: `value` for an instant vector, `values` for a range. */
export interface PromSample {
  metric: Record<string, string>;
  value?: [number, string];
  values?: Array<[number, string]>;
}

export interface PromTarget {
  labels: Record<string, string>;
  health: string;
  lastError: string;
  lastScrape: string;
}

export interface TestPrometheus {
  url: string;
  configFile: string;
  /** An instant query through the HTTP API. */
  query(expr: string): Promise<PromSample[]>;
  targets(): Promise<PromTarget[]>;
  stop(): Promise<void>;
}

/** Why Prometheus cannot run here; with CI=true that is an error. */
export function prometheusProblem(): string | undefined {
  const problem = spawnSync('prometheus', ['--version']).error ? 'prometheus is not installed (Debian package prometheus)' : undefined;
  if (problem && process.env.CI === 'true') throw new Error(problem);
  return problem;
}

async function api<T>(url: string): Promise<T> {
  const response = await fetch(url);
  const body = (await response.json()) as { status: string; data: T; error?: string };
  if (body.status !== 'success') throw new Error(`prometheus ${url}: ${body.error ?? response.status}`);
  return body.data;
}

export async function startPrometheus(targets: readonly ScrapeTarget[]): Promise<TestPrometheus> {
  const dir = mkdtempSync(join(tmpdir(), 'bpfscope-prometheus-'));
  const port = await freePort();
  const configFile = join(dir, 'prometheus.yml');
  const jobs = targets.map((t) => `  - job_name: ${t.job}\n    static_configs:\n      - targets: ['${t.target}']\n`).join('');
  writeFileSync(configFile, `global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\nscrape_configs:\n${jobs}`);
  const child = spawn('prometheus', [`--config.file=${configFile}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  child.stderr.on('data', (chunk: Buffer) => (log += chunk.toString()));
  const url = `http://127.0.0.1:${port}`;
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`prometheus exited (${child.exitCode}):\n${log}`);
    const ready = await fetch(`${url}/-/ready`).then((r) => r.ok, () => false);
    if (ready) break;
    if (i === 300) {
      await stop();
      throw new Error(`prometheus not ready within 30 s:\n${log}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    url,
    configFile,
    query: async (expr) => (await api<{ result: PromSample[] }>(`${url}/api/v1/query?query=${encodeURIComponent(expr)}`)).result,
    targets: async () => (await api<{ activeTargets: PromTarget[] }>(`${url}/api/v1/targets`)).activeTargets,
    stop,
  };
}
