// The line chart's rows: one per distinct time inside the window, merged from lines that
// start at different times, sampled at the same or at different instants.
import { describe, expect, it } from 'vitest';
import { barOptions, nearestRow, pickedBar, pickLine, timeRows } from '../../../renderer/src/lib/charts/chart-options.js';
import { busiest } from '../../../renderer/src/lib/overview/top-lines.svelte.js';
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

describe('picking a line by a click', () => {
  // Two lines over three times: a rises 10, 20, 30; b stays at 25 but has no point at 2000.
  const rows = new Float64Array([1000, 10, 25, 2000, 20, NaN, 3000, 30, 25]);
  const yOf = (value: number): number => 100 - value;

  it('finds the row nearest the clicked time', () => {
    expect([0, 1400, 1600, 2600, 9000].map((t) => nearestRow(rows, 3, t))).toEqual([0, 0, 1, 2, 2]);
  });

  it('takes the shown line drawn nearest the click, within reach', () => {
    expect(pickLine(rows, 3, 3000, 100 - 29, yOf, new Set())).toBe(0);
    expect(pickLine(rows, 3, 3000, 100 - 26, yOf, new Set())).toBe(1);
    expect(pickLine(rows, 3, 3000, 100 - 26, yOf, new Set([1]))).toBe(0);
    // b has no point at 2000: a is the only candidate there.
    expect(pickLine(rows, 3, 2000, 100 - 25, yOf, new Set())).toBe(0);
    expect(pickLine(rows, 3, 3000, 0, yOf, new Set())).toBeUndefined();
    expect(pickLine(new Float64Array(0), 3, 0, 0, yOf, new Set())).toBeUndefined();
  });

  it('follows the busiest programs by CPU, busiest first', () => {
    expect(busiest([{ id: 1, name: 'a', cpuPercent: 0.1 }, { id: 2, name: 'b', cpuPercent: 0.3 }, { id: 3, name: 'c', cpuPercent: 0.2 }], 2)).toEqual([2, 3]);
  });

  it('keeps each bar\'s program id on its data item, and reads it back from a click', () => {
    const options = barOptions([{ name: 'a', value: 1, id: 7 }, { name: 'b', value: 2, id: 9 }], '%') as { series: Array<{ data: Array<{ id: number }> }> };
    expect(options.series[0]!.data.map((d) => d.id)).toEqual([7, 9]);
    expect(pickedBar({ data: options.series[0]!.data[1] })).toBe(9);
    expect(pickedBar({ data: 3 })).toBeUndefined();
  });
});
