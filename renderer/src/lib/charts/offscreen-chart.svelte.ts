// The line chart attachment: a canvas whose drawing is handed to a worker (chart-worker.ts).
// The page sends it the lines when they change, the rows on each update (their buffer
// transferred, not copied), its size and theme, and the pointer events for the tooltip and
// zoom; the main thread's part of an update is building the rows.
import type { Attachment } from 'svelte/attachments';
import { theme } from '../theme/theme.svelte.js';
import type { ChartMessage, PickedMessage, PointerMessage } from './chart-messages.js';

export interface LinesShape {
  names: string[];
  unit: string;
  hidden: ReadonlySet<string>;
}

export interface RowsUpdate {
  rows: Float64Array;
  fromMs: number;
  toMs: number;
}

const POINTER_TYPES: Record<string, PointerMessage['type']> = {
  pointermove: 'mousemove', pointerdown: 'mousedown', pointerup: 'mouseup', pointerleave: 'mouseout', wheel: 'mousewheel',
};

/** A press and release this close (px) are a click, not a drag (zoom, slider). */
const CLICK_SLOP = 4;

/** `onpick`: a click on a line, with that line's name. */
export function offscreenLineChart(lines: () => LinesShape, rows: () => RowsUpdate, onpick?: (name: string) => void): Attachment<HTMLDivElement> {
  return (element) => {
    const worker = new Worker(new URL('./chart-worker.ts', import.meta.url), { type: 'module', name: 'chart' });
    const post = (m: ChartMessage, transfer: Transferable[] = []): void => worker.postMessage(m, transfer);
    const canvas = Object.assign(document.createElement('canvas'), { style: 'display:block;width:100%;height:100%' });
    element.append(canvas);
    const offscreen = canvas.transferControlToOffscreen();
    let palette = theme.palette;
    post({ kind: 'init', canvas: offscreen, width: element.clientWidth, height: element.clientHeight, pixelRatio: devicePixelRatio, palette }, [offscreen]);
    $effect(() => {
      if (theme.palette === palette) return;
      palette = theme.palette;
      post({ kind: 'theme', palette });
    });
    const observer = new ResizeObserver(() => post({ kind: 'size', width: element.clientWidth, height: element.clientHeight }));
    observer.observe(element);

    let names: string[] = [];
    let down = { x: NaN, y: NaN };
    worker.onmessage = ({ data }: MessageEvent<PickedMessage>) => {
      const name = names[data.line];
      if (name !== undefined) onpick?.(name);
    };
    const onPointer = (event: PointerEvent | WheelEvent): void => {
      if (event.type === 'wheel') event.preventDefault();
      if (event.type === 'pointerdown') {
        canvas.setPointerCapture((event as PointerEvent).pointerId);
        down = { x: event.offsetX, y: event.offsetY };
      }
      if (event.type === 'pointerup' && onpick && Math.hypot(event.offsetX - down.x, event.offsetY - down.y) <= CLICK_SLOP) {
        post({ kind: 'pick', x: event.offsetX, y: event.offsetY });
      }
      post({
        kind: 'pointer', type: POINTER_TYPES[event.type]!, x: event.offsetX, y: event.offsetY,
        delta: event instanceof WheelEvent ? -Math.sign(event.deltaY || event.deltaX) : 0,
        ctrlKey: event.ctrlKey, shiftKey: event.shiftKey, altKey: event.altKey, metaKey: event.metaKey,
      });
    };
    for (const type of Object.keys(POINTER_TYPES)) canvas.addEventListener(type, onPointer as EventListener, { passive: type !== 'wheel' });

    $effect(() => {
      const shape = lines();
      names = shape.names;
      post({ kind: 'lines', names: shape.names, unit: shape.unit, hidden: [...shape.hidden] });
    });
    $effect(() => {
      const update = rows();
      post({ kind: 'rows', ...update }, [update.rows.buffer]);
    });
    return () => {
      observer.disconnect();
      worker.terminate();
      canvas.remove();
    };
  };
}
