// What the page sends the chart worker (chart-worker.ts), which draws a line chart on the
// page's canvas off the main thread.
import type { ChartPalette } from '../theme/palette.js';

/** The pointer events the chart reacts to (tooltip, zoom by wheel and drag, slider), as
 * zrender's handler names them, at canvas coordinates. */
export interface PointerMessage {
  kind: 'pointer';
  type: 'mousemove' | 'mousedown' | 'mouseup' | 'mousewheel' | 'mouseout';
  x: number;
  y: number;
  /** Wheel steps, positive away from the user (zoom in). */
  delta: number;
  ctrlKey: boolean;
  shiftKey: boolean;
  altKey: boolean;
  metaKey: boolean;
}

export type ChartMessage =
  | { kind: 'init'; canvas: OffscreenCanvas; width: number; height: number; pixelRatio: number; palette: ChartPalette }
  | { kind: 'size'; width: number; height: number }
  /** The theme changed: the chart is drawn again in these colours. */
  | { kind: 'theme'; palette: ChartPalette }
  /** The lines: their names, unit and which are hidden. */
  | { kind: 'lines'; names: string[]; unit: string; hidden: string[] }
  /** Their data: timeRows of the lines, the buffer transferred. */
  | { kind: 'rows'; rows: Float64Array; fromMs: number; toMs: number }
  | PointerMessage
  /** A click at canvas coordinates: the worker answers with the line there, if any. */
  | { kind: 'pick'; x: number; y: number };

/** What the worker sends back: the index (in the lines' names) of the line a click picked. */
export interface PickedMessage {
  kind: 'picked';
  line: number;
}
