// The line chart's rows: one per distinct time inside the window, merged from lines that
// start at different times, sampled at the same or at different instants.
import { describe, expect, it } from 'vitest';
import { timeRows } from '../../../renderer/src/lib/charts/chart-options.js';
import { lineOptions } from './line-options.js';

describe('line chart rows', () => {
  it('merges the times of lines cut at the window start, a row per distinct time', () => {
    const a: Array<[number, number]> = [[1000, 1], [2000, 2], [3000, 3]];
    const b: Array<[number, number]> = [[500, 9], [2500, 5]];
    const c: Array<[number, number]> = [[2000, 7], [3000, 8]];
    expect([...timeRows([{ name: 'a', points: a }, { name: 'b', points: b }, { name: 'c', points: c }], 3000, 1500)])
      .toEqual([2000, 2, NaN, 7, 2500, NaN, 5, NaN, 3000, 3, NaN, 8]);
  });

  it('shares the rows of lines sampled at the same instants', () => {
    const times = Array.from({ length: 400 }, (_, i) => 1000 * (i + 1));
    const series = Array.from({ length: 50 }, (_, s) => ({ name: `p${s}`, points: times.map((t): [number, number] => [t, t + s]) }));
    const rows = timeRows(series, 400_000, 300_000);
    // 100,000 .. 400,000 ms inclusive: 301 rows of the time and 50 values.
    expect(rows).toHaveLength(301 * 51);
    expect([...rows.subarray(0, 3)]).toEqual([100_000, 100_000, 100_001]);
    expect(rows[300 * 51 + 50]).toBe(400_049);
  });

  it('draws lines without hover states, sampled to the chart width, and no per-update zoom filtering', () => {
    const options = lineOptions([{ name: 'a', points: [[1000, 1]] }], '', 10_000, 1000) as {
      series: Array<{ silent: boolean; sampling: string; emphasis: { disabled: boolean } }>;
      dataZoom: Array<{ filterMode: string }>;
    };
    expect(options.series[0]).toMatchObject({ silent: true, sampling: 'lttb', emphasis: { disabled: true } });
    expect(options.dataZoom.map((z) => z.filterMode)).toEqual(['none', 'none']);
  });
});
