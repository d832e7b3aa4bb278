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
  let i = 0;
  while (i < points.length && points[i]![0] < from) i++;
  return i === 0 ? points : points.slice(i);
}

/** [t0, v0, t1, v1, …]: setOption deep-clones plain point arrays on every update (most of
 * an update's time with 50 series), while a typed array is copied in one go. */
export function interleaved(points: Array<[number, number]>): Float64Array {
  const out = new Float64Array(points.length * 2);
  for (let i = 0; i < points.length; i++) {
    out[2 * i] = points[i]![0];
    out[2 * i + 1] = points[i]![1];
  }
  return out;
}

export function lineOptions(series: TimeSeries[], unit: string, windowMs: number, nowMs: number): EChartsOption {
  return {
    animation: false,
    grid: { left: 56, right: 16, top: 28, bottom: 48 },
    legend: { type: 'scroll', top: 0 },
    tooltip: { trigger: 'axis' },
    xAxis: { type: 'time', min: nowMs - windowMs, max: nowMs },
    yAxis: { type: 'value', name: unit, scale: true },
    dataZoom: [{ type: 'inside' }, { type: 'slider', height: 16, bottom: 4 }],
    series: series.map((s): LineSeriesOption => ({
      name: s.name,
      type: 'line',
      showSymbol: false,
      dimensions: ['time', 'value'],
      // ECharts reads a typed array as a flat source at run time; its types only list arrays.
      data: interleaved(windowed(s.points, nowMs, windowMs)) as unknown as LineSeriesOption['data'],
    })),
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
