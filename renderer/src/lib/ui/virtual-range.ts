// Which rows a fixed-height virtual list renders: the visible ones plus a margin.
// A list taller than a browser lets an element be (Chromium caps heights at 2^25 px, about
// 1.3 M rows of 26 px) scrolls a spacer of MAX_SPACER px instead, whose scroll position
// stands for the same fraction of the list; its rows are still drawn at their own height
// around the viewport, so the first and the last row are both one scroll away.
export const OVERSCAN = 8;
/** Well under Chromium's 33,554,432 px and Firefox's 17,895,697 px. */
export const MAX_SPACER = 8_000_000;

export interface VirtualLayout {
  /** Height of the scrolled spacer, px. */
  spacer: number;
  /** The list's position at the viewport's top, in px of true row height. */
  offset: number;
  first: number;
  last: number;
  /** Where row `first` is drawn in the spacer, px. */
  top: number;
}

export function visibleRange(scrollTop: number, height: number, rowHeight: number, count: number): { first: number; last: number } {
  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - OVERSCAN);
  const last = Math.min(count, Math.ceil((scrollTop + height) / rowHeight) + OVERSCAN);
  return { first, last: Math.max(first, last) };
}

/** List px per scrolled px: 1 while the whole list fits in a spacer, more beyond. */
function scale(height: number, rowHeight: number, count: number): number {
  const full = count * rowHeight;
  if (full <= MAX_SPACER) return 1;
  // Maps the scroll range [0, spacer − height] onto the list's [0, full − height], ends to ends.
  return Math.max(0, full - height) / Math.max(1, MAX_SPACER - height);
}

/** The list's position at the viewport's top for a scroll position. */
export function listOffset(scrollTop: number, height: number, rowHeight: number, count: number): number {
  const k = scale(height, rowHeight, count);
  if (k === 1) return scrollTop;
  return Math.min(Math.max(0, scrollTop * k), Math.max(0, count * rowHeight - height));
}

/** The scroll position that puts the list's `offset` at the viewport's top. */
export function scrollTopFor(offset: number, height: number, rowHeight: number, count: number): number {
  const k = scale(height, rowHeight, count);
  if (k === 1) return offset;
  return Math.min(Math.max(0, offset / k), Math.max(0, MAX_SPACER - height));
}

export function virtualLayout(scrollTop: number, height: number, rowHeight: number, count: number): VirtualLayout {
  const offset = listOffset(scrollTop, height, rowHeight, count);
  const { first, last } = visibleRange(offset, height, rowHeight, count);
  const full = count * rowHeight;
  if (full <= MAX_SPACER) return { spacer: full, offset, first, last, top: first * rowHeight };
  return { spacer: MAX_SPACER, offset, first, last, top: scrollTop + first * rowHeight - offset };
}

/** The scroll position that brings `row` fully into view, or undefined when it is already. */
export function scrollTopToShow(row: number, scrollTop: number, height: number, rowHeight: number, count: number): number | undefined {
  const offset = listOffset(scrollTop, height, rowHeight, count);
  const top = row * rowHeight;
  const scaled = scale(height, rowHeight, count) !== 1;
  // Scrolled px are whole, each worth several list px when scaled: round towards the row, never past it.
  if (top < offset) return scaled ? Math.floor(scrollTopFor(top, height, rowHeight, count)) : top;
  if (top + rowHeight <= offset + height) return undefined;
  const bottom = top + rowHeight - height;
  return scaled ? Math.min(Math.ceil(scrollTopFor(bottom, height, rowHeight, count)), MAX_SPACER - height) : bottom;
}
