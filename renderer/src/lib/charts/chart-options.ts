// ECharts options as pure functions of the data, so they can be tested without a DOM.
import type { EChartsOption, LineSeriesOption } from 'echarts';
import type { ChartPalette } from '../theme/palette.js';

export interface TimeSeries {
  name: string;
  /** [time ms, value] points, oldest first. */
  points: Array<[number, number]>;
}

/** The index of the first point at or after `from` (points in time order). */
function firstFrom(points: Array<[number, number]>, from: number): number {
  let lo = 0;
  let hi = points.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (points[mid]![0] < from) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Keeps the points inside the time window ending at `nowMs`. */
export function windowed(points: Array<[number, number]>, nowMs: number, windowMs: number): Array<[number, number]> {
  const lo = firstFrom(points, nowMs - windowMs);
  return lo === 0 ? points : points.slice(lo);
}

/** The colour of the series at `index`: the theme's, the same as its HTML legend's swatch (seriesVar). */
export function seriesColor(palette: ChartPalette, index: number): string {
  return palette.series[index % palette.series.length]!;
}

/** `rgb(r, g, b)` as the same colour at `alpha` (0..1). */
export function withAlpha(color: string, alpha: number): string {
  const [r = 0, g = 0, b = 0] = color.match(/[\d.]+/g)?.map(Number) ?? [];
  return `rgba(${r}, ${g}, ${b}, ${alpha})`;
}

/** An ECharts theme of the palette: text, axes, grid lines, tooltip and zoom slider in the
 * page's colours, on a transparent background (the panel behind shows through). */
export function chartTheme(palette: ChartPalette): Record<string, unknown> {
  const axis = {
    axisLine: { lineStyle: { color: palette.axis } },
    axisTick: { lineStyle: { color: palette.axis } },
    axisLabel: { color: palette.muted },
    splitLine: { lineStyle: { color: palette.grid } },
    nameTextStyle: { color: palette.muted },
  };
  return {
    color: palette.series,
    backgroundColor: 'transparent',
    textStyle: { color: palette.text },
    categoryAxis: axis,
    valueAxis: axis,
    timeAxis: axis,
    tooltip: { backgroundColor: palette.surface, borderColor: palette.border, textStyle: { color: palette.text } },
    dataZoom: {
      borderColor: palette.border,
      backgroundColor: 'transparent',
      fillerColor: withAlpha(palette.accent, 0.15),
      handleStyle: { color: palette.surface, borderColor: palette.axis },
      moveHandleStyle: { color: palette.axis },
      textStyle: { color: palette.muted },
    },
  };
}

/** One row per time [t, v of series 0, v of series 1, …] (NaN where a series has no point
 * then), flat, for one dataset shared by every line: ECharts then builds one data store per
 * update instead of one per series, and copies a typed array in one go where it deep-clones
 * plain arrays (with 50 series, most of an update's time either way). */
export function timeRows(series: TimeSeries[], nowMs: number, windowMs: number): Float64Array {
  const width = series.length + 1;
  const starts = series.map((s) => firstFrom(s.points, nowMs - windowMs));
  const times = series.reduce<Float64Array>((union, s, i) => mergeTimes(union, s.points, starts[i]!), new Float64Array(0));
  const out = new Float64Array(times.length * width).fill(NaN);
  times.forEach((t, row) => (out[row * width] = t));
  series.forEach(({ points }, i) => {
    // Both in time order: one walk down the rows per series, no lookups.
    let row = 0;
    for (let p = starts[i]!; p < points.length; p++) {
      const [t, v] = points[p]!;
      while (times[row]! < t) row++;
      out[row * width + i + 1] = v;
    }
  });
  return out;
}

/** The sorted distinct times of `union` and of `points` from `start`, by one merge walk: the
 * lines of a chart are mostly sampled at the same instants, so this costs a pass per series
 * where collecting every time in a set and sorting it took most of an update. */
function mergeTimes(union: Float64Array, points: Array<[number, number]>, start: number): Float64Array {
  if (points.length - start === union.length && union.every((t, i) => t === points[start + i]![0])) return union;
  const out = new Float64Array(union.length + points.length - start);
  let n = 0;
  let u = 0;
  let p = start;
  while (u < union.length || p < points.length) {
    const a = u < union.length ? union[u]! : Infinity;
    const b = p < points.length ? points[p]![0] : Infinity;
    const t = a <= b ? a : b;
    if (a === t) u++;
    if (b === t) p++;
    if (n === 0 || out[n - 1] !== t) out[n++] = t;
  }
  return n === union.length ? union : out.subarray(0, n);
}

/** The row of `rows` (stride values each, time first, in time order) whose time is nearest `time`. */
export function nearestRow(rows: Float64Array, stride: number, time: number): number {
  const count = Math.floor(rows.length / stride);
  let lo = 0;
  let hi = count - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (rows[mid * stride]! < time) lo = mid + 1;
    else hi = mid;
  }
  if (lo > 0 && Math.abs(rows[(lo - 1) * stride]! - time) <= Math.abs(rows[lo * stride]! - time)) return lo - 1;
  return lo;
}

/** The line a click at height `y` (px) over `time` lands on: the index of the shown line whose
 * value there is drawn nearest `y`, within `maxDistance` px; `yOf` turns a value into px. */
export function pickLine(rows: Float64Array, stride: number, time: number, y: number, yOf: (value: number) => number, hidden: ReadonlySet<number>, maxDistance = 16): number | undefined {
  if (rows.length < stride) return undefined;
  const row = nearestRow(rows, stride, time) * stride;
  let best: number | undefined;
  let bestDistance = maxDistance;
  for (let line = 0; line < stride - 1; line++) {
    const value = rows[row + line + 1]!;
    if (hidden.has(line) || Number.isNaN(value)) continue;
    const distance = Math.abs(yOf(value) - y);
    if (distance <= bestDistance) {
      best = line;
      bestDistance = distance;
    }
  }
  return best;
}

/** A value as the tooltip shows it: at most 2 decimals, thousands grouped. */
export function chartNumber(value: unknown): string {
  return typeof value === 'number' && Number.isFinite(value) ? value.toLocaleString('en', { maximumFractionDigits: 2 }) : '–';
}

/** Lines over a sliding time window, their data aside (lineRows). The legend is HTML beside
 * the chart (LiveChart): the ECharts legend is laid out again on every update. Lines are
 * 1 px: wider strokes cost several times as much to rasterize without a GPU. */
export function lineChart(names: readonly string[], unit: string, palette: ChartPalette, hidden: ReadonlySet<string> = new Set()): EChartsOption {
  return {
    animation: false,
    grid: { left: 56, right: 16, top: 24, bottom: 48 },
    // Largest first and kept inside the chart: with dozens of lines the list is long.
    tooltip: { trigger: 'axis', order: 'valueDesc', confine: true, valueFormatter: (v) => `${chartNumber(v)}${unit ? ` ${unit}` : ''}` },
    // A few labels, none over another: a 5-minute window in a third of the page fits about four.
    xAxis: { type: 'time', splitNumber: 3, axisLabel: { hideOverlap: true } },
    yAxis: { type: 'value', name: unit, scale: true },
    // No filtering of each line's data to the zoomed range on every update (the grid clips),
    // and no shadow of the first line in the slider, drawn again on every update. Its
    // handles are plain rectangles: the default icons are SVG paths parsed on every update.
    dataZoom: [{ type: 'inside', filterMode: 'none' }, { type: 'slider', height: 16, bottom: 4, filterMode: 'none', showDataShadow: false, handleIcon: 'rect', handleSize: '60%', moveHandleIcon: 'rect' }],
    series: names.flatMap((name, i): LineSeriesOption[] => hidden.has(name) ? [] : [{
      id: `line${i}`,
      name,
      type: 'line',
      showSymbol: false,
      connectNulls: true,
      // The axis tooltip does not need pointer events on the lines, nor a hover state.
      silent: true,
      emphasis: { disabled: true },
      // Wider than the chart in pixels, a line keeps the points that shape it.
      sampling: 'lttb',
      color: seriesColor(palette, i),
      lineStyle: { width: 1 },
      encode: { x: 0, y: i + 1 },
    }]),
  };
}

/** The data of a lineChart: its rows (timeRows) over the window from `fromMs` to `toMs`. */
export function lineRows(names: readonly string[], rows: Float64Array, fromMs: number, toMs: number): EChartsOption {
  return {
    xAxis: { type: 'time', min: fromMs, max: toMs },
    // ECharts reads a typed array as a flat source at run time; its types only list arrays.
    dataset: { source: rows as unknown as number[][], dimensions: ['time', ...names.map((name, i) => `${i}:${name}`)] },
  };
}

export interface Bar {
  name: string;
  value: number;
  /** What a click on the bar opens (a program id). */
  id?: number;
}

/** Horizontal bars, largest first, at most `top` of them; each bar's data item keeps its id. */
export function barOptions(items: Bar[], unit: string, top = 10): EChartsOption {
  const sorted = [...items].sort((a, b) => b.value - a.value).slice(0, top).reverse();
  return {
    animation: false,
    grid: { left: 8, right: 32, top: 8, bottom: 24, containLabel: true },
    tooltip: { trigger: 'item', confine: true, valueFormatter: (v) => `${chartNumber(v)}${unit ? ` ${unit}` : ''}` },
    xAxis: { type: 'value', name: unit, splitNumber: 3, axisLabel: { hideOverlap: true } },
    yAxis: { type: 'category', data: sorted.map((i) => i.name), axisLabel: { width: 180, overflow: 'truncate' } },
    series: [{ type: 'bar', cursor: 'pointer', barMaxWidth: 18, itemStyle: { borderRadius: [0, 3, 3, 0] }, data: sorted.map((i) => (i.id === undefined ? { value: i.value } : { value: i.value, id: i.id })) }],
  };
}

/** The id of the bar a chart click names (ECharts hands the clicked item as `data`). */
export function pickedBar(params: { data?: unknown }): number | undefined {
  const data = params.data;
  return data && typeof data === 'object' && 'id' in data && typeof data.id === 'number' ? data.id : undefined;
}
