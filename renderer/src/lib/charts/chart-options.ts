// ECharts options as pure functions of the data, so they can be tested without a DOM.
import type { EChartsOption, LineSeriesOption } from 'echarts';

export interface TimeSeries {
  name: string;
  /** [time ms, value] points, oldest first. */
  points: Array<[number, number]>;
}

/** Keeps the points inside the time window ending at `nowMs`. */
export function windowed(points: Array<[number, number]>, nowMs: number, windowMs: number): Array<[number, number]> {
  const from = nowMs - windowMs;
  let lo = 0;
  let hi = points.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (points[mid]![0] < from) lo = mid + 1;
    else hi = mid;
  }
  return lo === 0 ? points : points.slice(lo);
}

/** The colour of the series at `index`, the same in the chart and in its HTML legend. */
export const SERIES_COLORS = ['#5470c6', '#91cc75', '#fac858', '#ee6666', '#73c0de', '#3ba272', '#fc8452', '#9a60b4', '#ea7ccc'];

export function seriesColor(index: number): string {
  return SERIES_COLORS[index % SERIES_COLORS.length]!;
}

/** One row per time [t, v of series 0, v of series 1, …] (NaN where a series has no point
 * then), flat, for one dataset shared by every line: ECharts then builds one data store per
 * update instead of one per series, and copies a typed array in one go where it deep-clones
 * plain arrays (with 50 series, most of an update's time either way). */
export function timeRows(series: TimeSeries[], nowMs: number, windowMs: number): Float64Array {
  const width = series.length + 1;
  const shown = series.map((s) => windowed(s.points, nowMs, windowMs));
  const distinct = new Set<number>();
  for (const points of shown) for (const [t] of points) distinct.add(t);
  const times = [...distinct].sort((a, b) => a - b);
  const out = new Float64Array(times.length * width).fill(NaN);
  times.forEach((t, row) => (out[row * width] = t));
  shown.forEach((points, i) => {
    // Both in time order: one walk down the rows per series, no lookups.
    let row = 0;
    for (const [t, v] of points) {
      while (times[row]! < t) row++;
      out[row * width + i + 1] = v;
    }
  });
  return out;
}

/** A value as the tooltip shows it: at most 2 decimals, thousands grouped. */
export function chartNumber(value: unknown): string {
  return typeof value === 'number' && Number.isFinite(value) ? value.toLocaleString('en', { maximumFractionDigits: 2 }) : '–';
}

/** Lines over a sliding time window. The legend is HTML beside the chart (LiveChart): the
 * ECharts legend is laid out again on every update. Lines are 1 px: wider strokes cost
 * several times as much to rasterize without a GPU. */
export function lineOptions(series: TimeSeries[], unit: string, windowMs: number, nowMs: number, hidden: ReadonlySet<string> = new Set()): EChartsOption {
  return {
    animation: false,
    grid: { left: 56, right: 16, top: 24, bottom: 48 },
    // Largest first and kept inside the chart: with dozens of lines the list is long.
    tooltip: { trigger: 'axis', order: 'valueDesc', confine: true, valueFormatter: (v) => `${chartNumber(v)}${unit ? ` ${unit}` : ''}` },
    xAxis: { type: 'time', min: nowMs - windowMs, max: nowMs },
    yAxis: { type: 'value', name: unit, scale: true },
    dataZoom: [{ type: 'inside' }, { type: 'slider', height: 16, bottom: 4 }],
    // ECharts reads a typed array as a flat source at run time; its types only list arrays.
    dataset: { source: timeRows(series, nowMs, windowMs) as unknown as number[][], dimensions: ['time', ...series.map((s, i) => `${i}:${s.name}`)] },
    series: series.flatMap((s, i): LineSeriesOption[] => hidden.has(s.name) ? [] : [{
      id: `line${i}`,
      name: s.name,
      type: 'line',
      showSymbol: false,
      connectNulls: true,
      color: seriesColor(i),
      lineStyle: { width: 1 },
      encode: { x: 0, y: i + 1 },
    }]),
  };
}

/** Horizontal bars, largest first, at most `top` of them. */
export function barOptions(items: Array<{ name: string; value: number }>, unit: string, top = 10): EChartsOption {
  const sorted = [...items].sort((a, b) => b.value - a.value).slice(0, top).reverse();
  return {
    animation: false,
    grid: { left: 140, right: 24, top: 8, bottom: 24 },
    xAxis: { type: 'value', name: unit },
    yAxis: { type: 'category', data: sorted.map((i) => i.name) },
    series: [{ type: 'bar', data: sorted.map((i) => i.value) }],
  };
}
