// The exposition text of host readings: checked by Prometheus's own promtool (Prometheus
// text) and against the OpenMetrics rules Prometheus parses by (counter families without
// `_total`, samples with it, `# EOF` last); label values escaped whatever they hold.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { METRIC_NAMES, negotiateFormat, renderMetrics } from '../../../main/metrics/exposition.js';
import type { HostReading } from '../../../main/metrics/host-reading.js';

const promtoolMissing = spawnSync('promtool', ['--version']).error ? 'promtool is not installed (Debian package prometheus)' : undefined;
if (promtoolMissing && process.env.CI === 'true') throw new Error(promtoolMissing);

function reading(host: string): HostReading {
  return {
    host,
    up: true,
    readSeconds: 0.012,
    statsEnabled: true,
    programs: [
      { id: 7, type: 'tracepoint', name: 'count_getpid', tag: 'a3bf9665c7dff785', runCnt: 4096, runTimeNs: 1_234_567, recursionMisses: 0, verifiedInsns: 42, xlatedBytes: 160, jitedBytes: 97, memlockBytes: 4096, loadTime: 1_700_000_000, uid: 0 },
      // A kernel too old for run statistics: no counter samples, the rest as usual.
      { id: 8, type: '38', name: '', tag: '0000000000000000' },
    ],
    maps: [
      { id: 3, type: 'hash', name: 'hash_map', maxEntries: 128, entries: 100, memlockBytes: 9000 },
      { id: 4, type: 'ringbuf', name: 'ring', maxEntries: 65536, memlockBytes: 78408, ring: { sizeBytes: 65536, pendingBytes: 16, fill: 16 / 65536, producedBytes: 4096, consumedBytes: 4080 } },
    ],
    fields: [
      { mapId: 3, mapName: 'hash_map', field: 'origin.x', key: '1', value: 1 },
      { mapId: 9, mapName: 'comms', field: 'calls', key: 'say "hi"\\\n', value: 2 },
    ],
    problems: [],
    notes: [],
  };
}

const down: HostReading = { host: 'user@box', up: false, error: 'no answer', readSeconds: 8, programs: [], maps: [], fields: [], problems: [], notes: [] };

describe('metrics exposition', () => {
  it.skipIf(promtoolMissing)(`passes promtool check metrics${promtoolMissing ? ` (skipped: ${promtoolMissing})` : ''}`, async () => {
    const text = await renderMetrics([reading('local'), reading('box'), down], 'prometheus');
    const check = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect(check.stdout + check.stderr).toBe('');
    expect(check.status).toBe(0);
  });

  it('exports each program, map and field with host, id, name and type labels', async () => {
    const text = await renderMetrics([reading('local')], 'prometheus');
    expect(text).toContain('bpf_program_run_count_total{host="local",id="7",name="count_getpid",type="tracepoint"} 4096\n');
    expect(text).toContain('bpf_program_run_time_seconds_total{host="local",id="7",name="count_getpid",type="tracepoint"} 0.001234567\n');
    expect(text).toContain('bpf_program_info{tag="a3bf9665c7dff785",uid="0",host="local",id="7",name="count_getpid",type="tracepoint"} 1\n');
    expect(text).toContain('bpf_program_verified_insns{host="local",id="7",name="count_getpid",type="tracepoint"} 42\n');
    expect(text).not.toMatch(/bpf_program_run_count_total\{[^}]*id="8"/);
    expect(text).toContain('bpf_map_entries{host="local",id="3",name="hash_map",type="hash"} 100\n');
    expect(text).not.toMatch(/bpf_map_entries\{[^}]*id="4"/);
    expect(text).toContain('bpf_ringbuf_fill_ratio{host="local",id="4",name="ring",type="ringbuf"} 0.000244140625\n');
    expect(text).toContain('bpf_ringbuf_produced_bytes_total{host="local",id="4",name="ring",type="ringbuf"} 4096\n');
    expect(text).toContain('bpf_map_field_value{host="local",id="3",name="hash_map",field="origin.x",key="1"} 1\n');
    expect(text).toContain('bpf_map_field_value{host="local",id="9",name="comms",field="calls",key="say \\"hi\\"\\\\\\n"} 2\n');
    expect(text).toContain('bpf_run_stats_enabled{host="local"} 1\n');
  });

  it('says which hosts are down and exports nothing else for them', async () => {
    const text = await renderMetrics([reading('local'), down], 'prometheus');
    expect(text).toContain('bpfscope_host_up{host="local"} 1\n');
    expect(text).toContain('bpfscope_host_up{host="user@box"} 0\n');
    expect(text.split('\n').filter((l) => l.includes('host="user@box"')).map((l) => l.split('{')[0])).toEqual(['bpfscope_host_up', 'bpfscope_host_read_seconds']);
  });

  it('writes OpenMetrics: counter families without _total, samples with it, # EOF last', async () => {
    const text = await renderMetrics([reading('local')], 'openmetrics');
    expect(text).toContain('# TYPE bpf_program_run_count counter\n');
    expect(text).toContain('\nbpf_program_run_count_total{host="local",id="7",name="count_getpid",type="tracepoint"} 4096\n');
    expect(text).toContain('# TYPE bpf_ringbuf_consumed_bytes counter\n');
    expect(text.endsWith('\n# EOF\n')).toBe(true);
    expect(text.match(/# EOF/g)).toHaveLength(1);
    expect(text).not.toMatch(/_total_total/);
  });

  it('declares every family, samples or not, under the names it lists', async () => {
    const text = await renderMetrics([], 'prometheus');
    const declared = [...text.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]);
    expect(declared).toEqual([...METRIC_NAMES]);
    for (const name of METRIC_NAMES) expect(name).toMatch(/^[a-z_]+$/);
  });

  it('speaks OpenMetrics to whoever accepts it', () => {
    expect(negotiateFormat('application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1')).toBe('openmetrics');
    expect(negotiateFormat('text/plain')).toBe('prometheus');
    expect(negotiateFormat(undefined)).toBe('prometheus');
  });
});
