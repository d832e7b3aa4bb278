// `bpfscope top` rendering and option parsing, without a kernel.
import { describe, expect, it } from 'vitest';
import { parseTopInterval, parseTopSort, renderTopTable, sortPrograms } from '../../../main/cli/top.js';
import { estimateStatsCost } from '../../../main/kernel/live/index.js';
import type { ProgramSample, ProgramStats } from '../../../main/live/program-sampler.js';

function prog(id: number, name: string, eventsPerSec: number, avgRunNs: number, cpuPercent: number): ProgramStats {
  return {
    id, type: 'xdp', name, tag: '00', eventsPerSec, avgRunNs, cpuPercent, recursionMisses: 0, runCnt: 0, runTimeNs: 0,
    recursionMissesTotal: 0, owners: id === 1 ? [{ pid: 901, comm: 'cilium-agent' }] : [],
  };
}

const programs = [prog(1, 'xdp_lb', 1000, 50, 0.5), prog(2, '', 5000, 10, 0.25), prog(3, 'alpha', 10, 900, 0.5)];

describe('top', () => {
  it('sorts by cpu, events, avg or name, ties by id', () => {
    expect(sortPrograms(programs, 'cpu').map((p) => p.id)).toEqual([1, 3, 2]);
    expect(sortPrograms(programs, 'events').map((p) => p.id)).toEqual([2, 1, 3]);
    expect(sortPrograms(programs, 'avg').map((p) => p.id)).toEqual([3, 1, 2]);
    expect(sortPrograms(programs, 'name').map((p) => p.id)).toEqual([2, 3, 1]);
  });

  it('renders a bpftop-like table; unnamed programs are listed as -', () => {
    const status = { on: true, heldByUs: true, leases: 1, sysctl: false, holders: [{ pid: 7, comm: 'bpftop', fd: 3, self: false }] };
    const sample: ProgramSample = {
      timeMs: 0, intervalMs: 1000, onlineCpus: 2, programs, appeared: [], vanished: [], truncated: false, walkMs: 1,
      totals: { programs: 3, eventsPerSec: 6010, cpuPercent: 1.25, statsCost: estimateStatsCost(6010, 2) }, stats: status,
    };
    expect(renderTopTable('local', sample, 'events', status)).toBe(
      [
        'bpfscope top — local — 3 programs, 2 CPUs, every 1.00 s, sorted by events',
        `total 6010 events/s, 1.250% CPU — ${sample.totals.statsCost.text} (also held by bpftop(7))`,
        '',
        'ID  TYPE  NAME    EVENTS/S  AVG NS  CPU %  OWNERS',
        ' 2  xdp   -           5000      10  0.250',
        ' 1  xdp   xdp_lb      1000      50  0.500  cilium-agent(901)',
        ' 3  xdp   alpha         10     900  0.500',
        '',
      ].join('\n'),
    );
    expect(renderTopTable('local', sample, 'cpu', undefined, 6)).toMatch(/OWNERS\n 1 .*\n… 2 more\n$/);
  });

  it('parses --interval in seconds (0.25 – 60) and --sort', () => {
    expect(parseTopInterval(undefined)).toBe(1000);
    expect(parseTopInterval('0.25')).toBe(250);
    expect(parseTopInterval('60')).toBe(60_000);
    for (const bad of ['0.2', '61', 'x', '-1', true]) expect(() => parseTopInterval(bad)).toThrow(/--interval/);
    expect(parseTopSort(undefined)).toBe('cpu');
    expect(parseTopSort('avg')).toBe('avg');
    expect(() => parseTopSort('size')).toThrow(/one of cpu, events, avg, name/);
  });
});
