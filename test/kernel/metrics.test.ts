// `bpfscope metrics` against the loaded fixtures: its text passes promtool, its values are
// bpftool's, and Debian's Prometheus scrapes it and reports a fixture program's run count
// as the kernel counted it (bpftool's run_cnt before and after the scrape bound it).
import { readdirSync, readlinkSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bpfscope, bpftoolJson } from '../helpers/cli.js';
import { startBpfscope, type BpfscopeProcess } from '../helpers/bpfscope-process.js';
import { dashboardQueries } from '../helpers/dashboard.js';
import { parseExposition, sampleOf, type Sample } from '../helpers/exposition.js';
import { FILLED_ENTRIES, startFixtures, type LoadedFixtures } from '../helpers/fixtures.js';
import { ensureKernelEnv } from '../helpers/kernel-env.js';
import { prometheusProblem, startPrometheus, type TestPrometheus } from '../helpers/prometheus.js';

const skip = ensureKernelEnv() ?? prometheusProblem();
const METRICS_URL = /metrics at (http:\/\/\S+)/;

interface BpftoolProg {
  id: number;
  name?: string;
  tag: string;
  run_cnt?: number;
  verified_insns?: number;
  bytes_xlated: number;
  bytes_memlock: number;
}
interface BpftoolMap {
  id: number;
  max_entries: number;
  bytes_memlock: number;
}

async function scrape(url: string, accept?: string): Promise<string> {
  const response = await fetch(url, accept ? { headers: { accept } } : {});
  expect(response.status).toBe(200);
  return response.text();
}

function statsHeld(pid: number): boolean {
  return readdirSync(`/proc/${pid}/fd`).some((fd) => {
    try {
      return readlinkSync(`/proc/${pid}/fd/${fd}`) === 'anon_inode:bpf-stats';
    } catch {
      return false;
    }
  });
}

describe.skipIf(skip !== undefined)(`bpfscope metrics${skip ? ` (skipped: ${skip})` : ''}`, { timeout: 180_000 }, () => {
  let fixtures: LoadedFixtures;
  let exporter: BpfscopeProcess;
  let url: string;
  let prometheus: TestPrometheus;

  beforeAll(async () => {
    fixtures = await startFixtures({ only: ['maps'] });
    await fixtures.trigger('getpid', 10);
    exporter = await startBpfscope(['metrics', '--listen', '127.0.0.1:0', '--map-field', 'hash_map:counter', '--map-field', 'getpid_counts:calls'], { ready: METRICS_URL });
    url = exporter.ready[1]!;
    prometheus = await startPrometheus([{ job: 'bpfscope', target: new URL(url).host }]);
  });

  afterAll(async () => {
    await prometheus?.stop();
    await exporter?.stop();
    await fixtures?.stop();
  });

  it('passes promtool check metrics', async () => {
    const check = spawnSync('promtool', ['check', 'metrics'], { input: await scrape(url), encoding: 'utf8' });
    expect(check.stdout + check.stderr).toBe('');
    expect(check.status).toBe(0);
  });

  it("exports every program and map as bpftool shows them", async () => {
    const before = await bpftoolJson<BpftoolProg[]>(['prog', 'show']);
    const samples = parseExposition(await scrape(url));
    const after = new Set((await bpftoolJson<BpftoolProg[]>(['prog', 'show'])).map((p) => p.id));
    const local = { host: 'local' };
    for (const p of before.filter((p) => after.has(p.id))) {
      const id = { ...local, id: String(p.id) };
      const info = samples.find((s) => s.name === 'bpf_program_info' && s.labels.id === String(p.id));
      expect(info?.labels, `prog ${p.id}`).toMatchObject({ ...id, tag: p.tag, name: p.name ?? '' });
      expect(sampleOf(samples, 'bpf_program_xlated_bytes', id)).toBe(p.bytes_xlated);
      expect(sampleOf(samples, 'bpf_program_memlock_bytes', id)).toBe(p.bytes_memlock);
      if (p.verified_insns !== undefined) expect(sampleOf(samples, 'bpf_program_verified_insns', id)).toBe(p.verified_insns);
    }
    for (const f of fixtures.report.maps) {
      const [peer] = await bpftoolJson<BpftoolMap[]>(['map', 'show', 'id', String(f.id)]).then((m) => (Array.isArray(m) ? m : [m]));
      const id = { ...local, id: String(f.id), name: f.name };
      expect(sampleOf(samples, 'bpf_map_max_entries', id), f.name).toBe(peer!.max_entries);
      expect(sampleOf(samples, 'bpf_map_memlock_bytes', id), f.name).toBe(peer!.bytes_memlock);
    }
  });

  it('counts the entries of hash maps (as bpftool dumps them) and gives arrays their max_entries', async () => {
    const samples = parseExposition(await scrape(url));
    for (const name of ['hash_map', 'percpu_hash', 'lru_hash', 'lpm_trie', 'array_map', 'percpu_array']) {
      const map = fixtures.map(name);
      const dumped = await bpftoolJson<unknown[]>(['map', 'dump', 'id', String(map.id)]);
      expect(sampleOf(samples, 'bpf_map_entries', { id: String(map.id) }), name).toBe(dumped.length);
    }
    expect(sampleOf(samples, 'bpf_map_entries', { id: String(fixtures.map('hash_map').id) })).toBe(FILLED_ENTRIES);
    // A ring buffer has no entries; its fill is exported instead.
    const ring = { id: String(fixtures.map('ring').id) };
    expect(sampleOf(samples, 'bpf_map_entries', ring)).toBeUndefined();
    expect(sampleOf(samples, 'bpf_ringbuf_size_bytes', ring)).toBe(fixtures.map('ring').max_entries);
    expect(sampleOf(samples, 'bpf_ringbuf_fill_ratio', ring)).toBeGreaterThanOrEqual(0);
  });

  it('exports the chosen BTF fields of every key', async () => {
    await fixtures.trigger('getpid', 25);
    const samples = parseExposition(await scrape(url));
    const fields = (name: string): Sample[] => samples.filter((s) => s.name === 'bpf_map_field_value' && s.labels.name === name && s.labels.id === String(fixtures.map(name).id));
    const counters = fields('hash_map');
    expect(counters).toHaveLength(FILLED_ENTRIES);
    for (const s of counters) expect(s.value, `key ${s.labels.key}`).toBe(Number(s.labels.key) * 1000);
    const dump = await bpftoolJson<Array<{ formatted: { key: number; value: { calls: number } } }>>(['map', 'dump', 'id', String(fixtures.map('getpid_counts').id)]);
    const [calls] = fields('getpid_counts');
    expect(calls?.labels).toMatchObject({ field: 'calls', key: String(fixtures.report.target_tgid) });
    expect(calls?.value).toBe(dump.find((e) => e.formatted.key === fixtures.report.target_tgid)?.formatted.value.calls);
    expect(calls?.value).toBeGreaterThanOrEqual(35);
  });

  it('holds run statistics on while it runs', async () => {
    expect(statsHeld(exporter.pid)).toBe(true);
    expect(sampleOf(parseExposition(await scrape(url)), 'bpf_run_stats_enabled', { host: 'local' })).toBe(1);
  });

  it('is scraped by Prometheus in OpenMetrics, which records the kernel run count of a fixture program', async () => {
    for (let i = 0; ; i++) {
      const [target] = await prometheus.targets();
      if (target?.health === 'up') {
        expect(target.lastError).toBe('');
        break;
      }
      if (i === 200) throw new Error(`prometheus never scraped the exporter: ${JSON.stringify(target)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(await scrape(url, 'application/openmetrics-text; version=1.0.0')).toMatch(/\n# EOF\n$/);
    const prog = fixtures.program('count_getpid');
    await fixtures.trigger('getpid', 5000);
    const [{ run_cnt: kernelBefore = 0 }] = await bpftoolJson<BpftoolProg[]>(['prog', 'show', 'id', String(prog.id)]).then((p) => (Array.isArray(p) ? p : [p]));
    const triggeredAt = Date.now() / 1000;
    // A sample scraped after the count was read: its value lies between the kernel's count then and now.
    let scraped: [number, string] | undefined;
    for (let i = 0; !scraped; i++) {
      const [series] = await prometheus.query(`bpf_program_run_count_total{job="bpfscope",host="local",id="${prog.id}"}[30s]`);
      scraped = series?.values?.find(([t]) => t > triggeredAt);
      if (i === 200) throw new Error('prometheus scraped no sample after the trigger');
      if (!scraped) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const [{ run_cnt: kernelAfter = 0 }] = await bpftoolJson<BpftoolProg[]>(['prog', 'show', 'id', String(prog.id)]).then((p) => (Array.isArray(p) ? p : [p]));
    expect(kernelBefore).toBeGreaterThanOrEqual(5000);
    expect(Number(scraped[1])).toBeGreaterThanOrEqual(kernelBefore);
    expect(Number(scraped[1])).toBeLessThanOrEqual(kernelAfter);
    const [runTime] = await prometheus.query(`bpf_program_run_time_seconds_total{id="${prog.id}"}`);
    expect(Number(runTime?.value?.[1])).toBeGreaterThan(0);
  });

  it("answers every query of the Grafana dashboard in docs/ through Prometheus", async () => {
    const answered = new Map<string, number>();
    for (const { panel, expr } of dashboardQueries('5s')) {
      const result = await prometheus.query(expr);
      answered.set(panel, (answered.get(panel) ?? 0) + result.length);
    }
    for (const panel of ['Hosts up', 'Programs', 'Maps', 'BPF memory (memlock)', 'Run statistics on', 'CPU by program (top 10)', 'Runs per second (top 10)', 'Map fill (top 10)', 'Ring buffer fill', 'Loaded programs', 'Chosen map fields (--map-field)']) {
      expect(answered.get(panel), panel).toBeGreaterThan(0);
    }
  });

  it('refuses a --map-field naming no field of the map, listing the fields it has', async () => {
    const result = await bpfscope(['metrics', '--listen', '127.0.0.1:0', '--map-field', 'getpid_counts:count']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`--map-field getpid_counts:count: map getpid_counts (id ${fixtures.map('getpid_counts').id}) has no numeric field 'count'; its numeric fields: calls, last_ns`);
  });

  it('refuses a bad --listen, a file host and a malformed --map-field', async () => {
    expect(await bpfscope(['metrics', '--listen', '9435'])).toMatchObject({ code: 2, stderr: expect.stringContaining('expected ADDR:PORT') });
    expect(await bpfscope(['metrics', '--host', 'snapshot:/nonexistent'])).toMatchObject({ code: 2, stderr: expect.stringContaining('is a file, not a running host') });
    expect(await bpfscope(['metrics', '--map-field', 'nofield'])).toMatchObject({ code: 2, stderr: expect.stringContaining('expected MAP:FIELD') });
  });

  it('stops on SIGTERM and gives run statistics back', async () => {
    const pid = exporter.pid;
    expect(await exporter.stop()).toBe(0);
    expect(() => readdirSync(`/proc/${pid}/fd`)).toThrow();
  });
});

describe.skipIf(skip !== undefined)(`bpfscope serve --metrics-listen${skip ? ` (skipped: ${skip})` : ''}`, { timeout: 120_000 }, () => {
  let fixtures: LoadedFixtures;
  let serve: BpfscopeProcess;

  beforeAll(async () => {
    fixtures = await startFixtures({ only: ['maps'] });
    serve = await startBpfscope(['serve', '--port', '0', '--metrics-listen', '127.0.0.1:0'], { ready: METRICS_URL });
  });

  afterAll(async () => {
    await serve?.stop();
    await fixtures?.stop();
  });

  it("serves the dashboard's live hosts on its own listener, without the dashboard's token", async () => {
    const url = serve.ready[1]!;
    expect(serve.output()).toMatch(/serving the dashboard at http:\/\/127\.0\.0\.1:\d+\/\?token=/);
    const text = await scrape(url);
    expect(spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' }).status).toBe(0);
    const samples = parseExposition(text);
    expect(sampleOf(samples, 'bpfscope_host_up', { host: 'local' })).toBe(1);
    const prog = fixtures.program('count_getpid');
    expect(sampleOf(samples, 'bpf_program_info', { host: 'local', id: String(prog.id), name: 'count_getpid' })).toBe(1);
    expect(statsHeld(serve.pid)).toBe(true);
    // A rebinding page names another host; the loopback listener refuses it.
    const { port } = new URL(url);
    const status = await new Promise<number | undefined>((resolve, reject) => {
      request({ host: '127.0.0.1', port, path: '/metrics', headers: { host: `attacker.example:${port}` } }, (res) => {
        res.resume();
        resolve(res.statusCode);
      })
        .on('error', reject)
        .end();
    });
    expect(status).toBe(403);
  });

  it('refuses a bad --metrics-listen before serving', async () => {
    expect(await bpfscope(['serve', '--port', '0', '--metrics-listen', 'nope'])).toMatchObject({ code: 2, stderr: expect.stringContaining('--metrics-listen') });
  });
});
