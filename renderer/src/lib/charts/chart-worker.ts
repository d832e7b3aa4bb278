// Draws one line chart (chart-options.ts) on an OffscreenCanvas in a worker: with dozens of
// lines, ECharts' work on each update (merging the data, laying out the axes, building and
// stroking the paths) took several times a frame's budget on the page's main thread.
/// <reference lib="webworker" />
import type { ECharts } from 'echarts/core';
import { echarts } from './echarts-parts.js';
import { chartTheme, lineChart, lineRows, pickLine } from './chart-options.js';
import type { ChartPalette } from '../theme/palette.js';
import type { ChartMessage, PickedMessage, PointerMessage } from './chart-messages.js';

// ECharts measures text on a canvas it creates; a worker has no document to create it in.
echarts.setPlatformAPI({ createCanvas: () => new OffscreenCanvas(1, 1) as unknown as HTMLCanvasElement });

let canvas: OffscreenCanvas | undefined;
let size = { width: 0, height: 0, pixelRatio: 1 };
let chart: ECharts | undefined;
let palette: ChartPalette | undefined;
let lines: Extract<ChartMessage, { kind: 'lines' }> | undefined;
let rows: Extract<ChartMessage, { kind: 'rows' }> | undefined;

function showLines(): void {
  // Series replaced, not merged by index: a hidden line leaves the chart.
  if (lines && palette) chart?.setOption(lineChart(lines.names, lines.unit, palette, new Set(lines.hidden)), { replaceMerge: ['series'], lazyUpdate: true, silent: true });
}

function showRows(): void {
  if (lines && rows) chart?.setOption(lineRows(lines.names, rows.rows, rows.fromMs, rows.toMs), { lazyUpdate: true, silent: true });
}

/** A chart on the canvas in the theme's colours, showing the lines and rows so far. */
function create(colors: ChartPalette): void {
  palette = colors;
  chart?.dispose();
  chart = echarts.init(canvas as unknown as HTMLCanvasElement, chartTheme(colors), { renderer: 'canvas', width: size.width, height: size.height, devicePixelRatio: size.pixelRatio });
  showLines();
  showRows();
}

function pointer(m: PointerMessage): void {
  // zrender's handler reads these fields of the DOM events it normally normalizes itself.
  chart?.getZr().handler.dispatch(m.type, {
    zrX: m.x, zrY: m.y, zrDelta: m.delta, offsetX: m.x, offsetY: m.y,
    ctrlKey: m.ctrlKey, shiftKey: m.shiftKey, altKey: m.altKey, metaKey: m.metaKey,
    preventDefault: () => {}, stopPropagation: () => {},
  });
}

/** Which line a click at (x, y) is on, told to the page. */
function pick(x: number, y: number): void {
  if (!chart || !lines || !rows) return;
  const grid = { gridIndex: 0 };
  if (!chart.containPixel(grid, [x, y])) return;
  const time = Number(chart.convertFromPixel({ xAxisIndex: 0 }, x));
  const hidden = new Set(lines.names.flatMap((name, i) => (lines!.hidden.includes(name) ? [i] : [])));
  const yOf = (value: number): number => Number(chart!.convertToPixel({ yAxisIndex: 0 }, value));
  const line = pickLine(rows.rows, lines.names.length + 1, time, y, yOf, hidden);
  if (line !== undefined) self.postMessage({ kind: 'picked', line } satisfies PickedMessage);
}

self.onmessage = ({ data: m }: MessageEvent<ChartMessage>) => {
  switch (m.kind) {
    case 'init':
      canvas = m.canvas;
      size = { width: m.width, height: m.height, pixelRatio: m.pixelRatio };
      create(m.palette);
      break;
    case 'size':
      size = { ...size, width: m.width, height: m.height };
      chart?.resize({ width: m.width, height: m.height });
      break;
    case 'theme':
      create(m.palette);
      break;
    case 'lines':
      lines = m;
      showLines();
      break;
    case 'rows':
      rows = m;
      showRows();
      break;
    case 'pointer':
      pointer(m);
      break;
    case 'pick':
      pick(m.x, m.y);
      break;
  }
};
