// Pure pieces of the dashboard: deep links, virtual ranges, value trees, chart options, listing lines.
import { describe, expect, it } from 'vitest';
import type { MapRow, TreeNode } from '../../../main/api/view-records.js';
import { formatRoute, parseRoute } from '../../../renderer/src/lib/app/route.js';
import { fieldText } from '../../../renderer/src/lib/program/detail-fields.js';
import { barOptions, chartNumber, seriesColor, timeRows, windowed } from '../../../renderer/src/lib/charts/chart-options.js';
import { readPalette } from '../../../renderer/src/lib/theme/palette.js';
import { lineOptions } from './line-options.js';
import { numericPaths, rowsToCsv, summarize } from '../../../renderer/src/lib/maps/tree.js';
import { listingLines, matchParts } from '../../../renderer/src/lib/program/listing-lines.js';
import { visibleRange } from '../../../renderer/src/lib/ui/virtual-range.js';

const leaf = (name: string, value: number): TreeNode => ({ name, type: '__u64', display: String(value), value });
const struct = (name: string, ...children: TreeNode[]): TreeNode => ({ name, type: 'struct s', display: '', children });

describe('routes', () => {
  it('round-trips hosts, views, ids and queries', () => {
    const route = { host: 'root@box:2222', view: 'maps' as const, id: 42, query: 'pid 7' };
    expect(parseRoute(formatRoute(route), 'local')).toEqual(route);
    expect(parseRoute('', 'local')).toEqual({ host: 'local', view: 'overview' });
    const btf = { host: 'local', view: 'btf' as const, id: 7, btf: 12 };
    expect(formatRoute(btf)).toBe('#/local/btf/7?btf=12');
    expect(parseRoute(formatRoute(btf), 'local')).toEqual(btf);
    expect(parseRoute('#/local/nonsense/-3', 'local')).toEqual({ host: 'local', view: 'overview' });
  });
});

describe('virtual rows', () => {
  it('renders a constant number of rows wherever the list is scrolled', () => {
    const sizes = [0, 26 * 5000, 26 * 999_000].map((top) => {
      const r = visibleRange(top, 520, 26, 1_000_000);
      return r.last - r.first;
    });
    expect(sizes[2]).toBe(sizes[1]);
    expect(sizes[0]).toBeLessThanOrEqual(sizes[1]!);
    expect(visibleRange(0, 500, 26, 3)).toEqual({ first: 0, last: 3 });
  });
});

describe('value trees', () => {
  it('summarizes structs on one line', () => {
    expect(summarize(struct('value', leaf('calls', 3), struct('inner', leaf('x', 1))))).toBe('{calls=3, inner={x=1}}');
  });

  it('exports rows as CSV with dotted columns and lists numeric paths', () => {
    const row: MapRow = { keyHex: '01000000', key: leaf('key', 1), values: [struct('value', leaf('calls', 3), { name: 'comm', type: 'char[16]', display: 'a,b', value: 'a,b' })] };
    expect(rowsToCsv([row])).toBe('key,value.calls,value.comm\n1,3,"a,b"\n');
    expect(numericPaths(row.values![0]!)).toEqual(['calls']);
    const perCpu: MapRow = { ...row, values: [struct('value', leaf('calls', 3)), struct('value', leaf('calls', 4))] };
    expect(rowsToCsv([perCpu])).toBe('key,cpu0.value.calls,cpu1.value.calls\n1,3,4\n');
  });
});

describe('program detail fields', () => {
  it('shows the load time as a local date with how long ago, sizes and counts grouped, flags in hex, frozen as yes or no, the rest as is', () => {
    const loaded = Date.UTC(2026, 10, 26, 4, 58, 18) / 1000;
    const text = fieldText('loaded_at', loaded, loaded * 1000 + 5 * 60_000);
    expect(text).toBe(`${new Date(loaded * 1000).toLocaleString('sv-SE')} (5 min ago)`);
    expect(text).toMatch(/^2026-11-2\d \d\d:\d\d:18 \(5 min ago\)$/);
    expect(fieldText('loaded_at', loaded, loaded * 1000 + 3 * 86_400_000)).toMatch(/\(3 days ago\)$/);
    expect(fieldText('bytes_memlock', 4096)).toBe('4,096 B');
    expect(fieldText('max_entries', 1_000_000)).toBe('1,000,000');
    expect(fieldText('verified_insns', 81905)).toBe('81,905');
    expect(fieldText('flags', 0x80)).toBe('0x80');
    expect(fieldText('frozen', 1)).toBe('yes');
    expect(fieldText('tag', 'a3bf9665c7dff785')).toBe('a3bf9665c7dff785');
  });
});

describe('chart options', () => {
  it('keeps the time window and one line per series', () => {
    const points: Array<[number, number]> = [[1000, 1], [5000, 2], [9000, 3]];
    expect(windowed(points, 10_000, 6000)).toEqual([[5000, 2], [9000, 3]]);
    const options = lineOptions([{ name: 'a', points }], '/s', 6000, 10_000) as { dataset: { source: Float64Array }; series: Array<{ encode: object }>; xAxis: { min: number } };
    expect([...options.dataset.source]).toEqual([5000, 2, 9000, 3]);
    expect(options.series[0]!.encode).toEqual({ x: 0, y: 1 });
    expect(options.xAxis.min).toBe(4000);
  });

  it('shares one row per time between series, NaN where a series has no point, and leaves hidden lines out', () => {
    const a: Array<[number, number]> = [[1000, 1], [3000, 3]];
    const b: Array<[number, number]> = [[2000, 20], [3000, 30]];
    expect([...timeRows([{ name: 'a', points: a }, { name: 'b', points: b }], 3000, 10_000)]).toEqual([1000, 1, NaN, 2000, NaN, 20, 3000, 3, 30]);
    const options = lineOptions([{ name: 'a', points: a }, { name: 'b', points: b }], '', 10_000, 3000, new Set(['a'])) as { series: Array<{ id: string; name: string; color: string; encode: { y: number } }> };
    expect(options.series).toEqual([expect.objectContaining({ id: 'line1', name: 'b', color: seriesColor(readPalette(), 1), encode: { x: 0, y: 2 } })]);
  });

  it('shows tooltip values with at most 2 decimals and a dash for a missing one', () => {
    expect(chartNumber(999.8890158798741)).toBe('999.89');
    expect(chartNumber(1234567)).toBe('1,234,567');
    expect(chartNumber(NaN)).toBe('–');
    expect(chartNumber(undefined)).toBe('–');
  });

  it('puts the largest bar on top, at most `top` bars', () => {
    const options = barOptions([{ name: 'a', value: 1 }, { name: 'b', value: 9 }, { name: 'c', value: 5 }], '%', 2) as { yAxis: { data: string[] } };
    expect(options.yAxis.data).toEqual(['c', 'b']);
  });
});

describe('listing lines', () => {
  it('interleaves function headers and source lines before instructions', () => {
    const lines = listingLines([
      { index: 0, bytes: '', text: '(b7) r0 = 0', funcHeader: 'int f(void * ctx)', source: { file: 'f.c', line: 3, col: 1, text: 'return 0;' } },
      { index: 1, bytes: '', text: '(95) exit' },
    ]);
    expect(lines.map((l) => l.kind)).toEqual(['func', 'source', 'insn', 'insn']);
    expect(lines[3]).toMatchObject({ kind: 'insn', entry: { index: 1 } });
  });
});

describe('find marks', () => {
  it('cuts a line around every occurrence of the query, keeping the line\'s own case', () => {
    expect(matchParts('r0 = r1; R1 += 2', 'r1', false)).toEqual([
      { text: 'r0 = ', match: false }, { text: 'r1', match: true }, { text: '; ', match: false }, { text: 'R1', match: true }, { text: ' += 2', match: false },
    ]);
    expect(matchParts('r0 = r1; R1 += 2', 'R1', true)).toEqual([{ text: 'r0 = r1; ', match: false }, { text: 'R1', match: true }, { text: ' += 2', match: false }]);
    expect(matchParts('call bpf_ktime_get_ns', 'call bpf_ktime_get_ns', false)).toEqual([{ text: 'call bpf_ktime_get_ns', match: true }]);
    expect(matchParts('exit', 'goto', false)).toEqual([{ text: 'exit', match: false }]);
    expect(matchParts('aaa', 'aa', false)).toEqual([{ text: 'aa', match: true }, { text: 'a', match: false }]);
  });
});

