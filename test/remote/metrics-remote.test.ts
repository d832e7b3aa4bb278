// `bpfscope metrics --host` over a real sshd: one endpoint for several hosts, the remote one
// read through the agent (same kernel, so bpftool here is its reference), a host that cannot
// be reached exported as down beside the others.
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBpfscope, type BpfscopeProcess } from '../helpers/bpfscope-process.js';
import { bpftoolJson } from '../helpers/cli.js';
import { parseExposition, sampleOf } from '../helpers/exposition.js';
import { FILLED_ENTRIES, startFixtures, type LoadedFixtures } from '../helpers/fixtures.js';
import { sshHome, startSshd, type TestSshd } from '../helpers/sshd.js';
import { agentTestProblem } from './requirements.js';

const problem = agentTestProblem(true);
const UNREACHABLE = 'nosuchhost.invalid';

describe.skipIf(problem)(`bpfscope metrics --host over loopback sshd${problem ? ` (skipped: ${problem})` : ''}`, { timeout: 180_000 }, () => {
  let sshd: TestSshd;
  let fixtures: LoadedFixtures;
  let exporter: BpfscopeProcess;
  let url: string;

  beforeAll(async () => {
    sshd = await startSshd();
    fixtures = await startFixtures({ only: ['maps'] });
    const home = sshHome(sshd, 'box');
    exporter = await startBpfscope(['metrics', '--listen', '127.0.0.1:0', '--host', `box,${UNREACHABLE}`, '--map-field', 'hash_map[7]:counter'], {
      ready: /metrics at (http:\/\/\S+)/,
      prefix: ['env', '-u', 'SSH_AUTH_SOCK', `HOME=${home}`],
    });
    url = exporter.ready[1]!;
  });

  afterAll(async () => {
    await exporter?.stop();
    await fixtures?.stop();
    await sshd?.stop();
  });

  const scrape = async (): Promise<string> => (await fetch(url)).text();

  it('exports the remote host under its own label, as bpftool sees the same kernel', async () => {
    const hash = { host: 'box', id: String(fixtures.map('hash_map').id) };
    // Hash maps are counted as the per-scrape budget allows, small ones first.
    let text = await scrape();
    for (let i = 0; i < 20 && sampleOf(parseExposition(text), 'bpf_map_entries', hash) === undefined; i++) text = await scrape();
    expect(spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' }).status).toBe(0);
    const samples = parseExposition(text);
    expect(sampleOf(samples, 'bpfscope_host_up', { host: 'box' })).toBe(1);
    const peer = await bpftoolJson<Array<{ id: number; tag: string }>>(['prog', 'show']);
    const exported = new Map(samples.filter((s) => s.name === 'bpf_program_info' && s.labels.host === 'box').map((s) => [Number(s.labels.id), s.labels.tag]));
    for (const p of fixtures.report.programs) {
      expect(exported.get(p.id), p.name).toBe(peer.find((q) => q.id === p.id)?.tag);
    }
    expect(sampleOf(samples, 'bpf_map_entries', hash)).toBe(FILLED_ENTRIES);
    expect(sampleOf(samples, 'bpf_map_field_value', { ...hash, field: 'counter', key: '7' })).toBe(7000);
    // Only the chosen key (other loaders' maps of the same name may be there too).
    expect(samples.filter((s) => s.name === 'bpf_map_field_value' && s.labels.id === hash.id)).toHaveLength(1);
  });

  it('counts runs on the remote host while it runs (stats held by the agent)', async () => {
    const id = { host: 'box', id: String(fixtures.program('count_getpid').id) };
    const before = sampleOf(parseExposition(await scrape()), 'bpf_program_run_count_total', id) ?? 0;
    await fixtures.trigger('getpid', 500);
    const after = sampleOf(parseExposition(await scrape()), 'bpf_program_run_count_total', id) ?? 0;
    expect(after - before).toBeGreaterThanOrEqual(500);
    expect(sampleOf(parseExposition(await scrape()), 'bpf_run_stats_enabled', { host: 'box' })).toBe(1);
  });

  it('exports an unreachable host as down, and nothing else of it', async () => {
    const samples = parseExposition(await scrape());
    expect(sampleOf(samples, 'bpfscope_host_up', { host: UNREACHABLE })).toBe(0);
    expect(samples.filter((s) => s.labels.host === UNREACHABLE).map((s) => s.name).sort()).toEqual(['bpfscope_host_read_seconds', 'bpfscope_host_up']);
    expect(exporter.output()).toContain(`bpfscope: ${UNREACHABLE}: down:`);
  });
});
