// Which rows a fixed-height virtual list renders: the visible ones plus a margin.
export const OVERSCAN = 8;

export function visibleRange(scrollTop: number, height: number, rowHeight: number, count: number): { first: number; last: number } {
  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - OVERSCAN);
  const last = Math.min(count, Math.ceil((scrollTop + height) / rowHeight) + OVERSCAN);
  return { first, last: Math.max(first, last) };
}
