// A whole line chart with its data, as the chart worker puts it together from its two halves
// (lineChart once, lineRows per update): what the tests inspect.
import type { EChartsOption } from 'echarts';
import { lineChart, lineRows, timeRows, type TimeSeries } from '../../../renderer/src/lib/charts/chart-options.js';
import { readPalette } from '../../../renderer/src/lib/theme/palette.js';

export function lineOptions(series: TimeSeries[], unit: string, windowMs: number, nowMs: number, hidden: ReadonlySet<string> = new Set()): EChartsOption {
  const names = series.map((s) => s.name);
  return { ...lineChart(names, unit, readPalette(), hidden), ...lineRows(names, timeRows(series, nowMs, windowMs), nowMs - windowMs, nowMs) };
}
