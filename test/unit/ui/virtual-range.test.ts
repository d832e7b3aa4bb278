// The virtual list's arithmetic: small lists scroll their true height; a list taller than
// MAX_SPACER scrolls a capped spacer that stands for it, and every row, the last one too,
// can be scrolled to and shown whole.
import { describe, expect, it } from 'vitest';
import { listOffset, MAX_SPACER, OVERSCAN, scrollTopFor, scrollTopToShow, virtualLayout, visibleRange } from '../../../renderer/src/lib/ui/virtual-range.js';

const ROW = 26;
const HEIGHT = 520;
const ROWS = 2_000_000;

/** Where `row` is drawn relative to the viewport's top, px; the row must be rendered. */
function shownAt(row: number, scrollTop: number, count: number): number {
  const layout = virtualLayout(scrollTop, HEIGHT, ROW, count);
  expect(row).toBeGreaterThanOrEqual(layout.first);
  expect(row).toBeLessThan(layout.last);
  return layout.top + (row - layout.first) * ROW - scrollTop;
}

describe('a list that fits in its spacer', () => {
  it('scrolls its true height: offset is the scroll position, rows drawn at row × height', () => {
    for (const top of [0, 13, 260.5, 1000 * ROW - HEIGHT]) {
      const layout = virtualLayout(top, HEIGHT, ROW, 1000);
      expect(layout).toEqual({ spacer: 1000 * ROW, offset: top, ...visibleRange(top, HEIGHT, ROW, 1000), top: layout.first * ROW });
      expect(listOffset(top, HEIGHT, ROW, 1000)).toBe(top);
      expect(scrollTopFor(top, HEIGHT, ROW, 1000)).toBe(top);
    }
    expect(virtualLayout(0, 500, ROW, 3)).toEqual({ spacer: 78, offset: 0, first: 0, last: 3, top: 0 });
  });

  it('brings a focused row into view by the least scroll, as before', () => {
    expect(scrollTopToShow(5, 0, HEIGHT, ROW, 1000)).toBeUndefined();
    expect(scrollTopToShow(100, 0, HEIGHT, ROW, 1000)).toBe(101 * ROW - HEIGHT);
    expect(scrollTopToShow(10, 100 * ROW, HEIGHT, ROW, 1000)).toBe(10 * ROW);
    expect(scrollTopToShow(999, 0, HEIGHT, ROW, 1000)).toBe(1000 * ROW - HEIGHT);
  });

  it('is not scaled up to exactly MAX_SPACER px, and is one row more', () => {
    const fits = Math.floor(MAX_SPACER / ROW);
    expect(virtualLayout(0, HEIGHT, ROW, fits).spacer).toBe(fits * ROW);
    expect(listOffset(1000, HEIGHT, ROW, fits)).toBe(1000);
    expect(virtualLayout(0, HEIGHT, ROW, fits + 1).spacer).toBe(MAX_SPACER);
    expect(listOffset(1000, HEIGHT, ROW, fits + 1)).toBeGreaterThan(1000);
  });
});

describe('a list taller than its spacer', () => {
  const end = MAX_SPACER - HEIGHT;

  it('caps the spacer and starts with the first row at the top', () => {
    const layout = virtualLayout(0, HEIGHT, ROW, ROWS);
    expect(layout).toMatchObject({ spacer: MAX_SPACER, offset: 0, first: 0, top: 0 });
    expect(shownAt(0, 0, ROWS)).toBe(0);
  });

  it('ends with the last row at the bottom of the viewport and of the spacer', () => {
    const layout = virtualLayout(end, HEIGHT, ROW, ROWS);
    expect(layout.offset).toBe(ROWS * ROW - HEIGHT);
    expect(layout.last).toBe(ROWS);
    expect(shownAt(ROWS - 1, end, ROWS)).toBe(HEIGHT - ROW);
    expect(layout.top + (layout.last - layout.first) * ROW).toBe(MAX_SPACER);
    // Past the end (a stale scroll position) still shows the end.
    expect(virtualLayout(end + 50, HEIGHT, ROW, ROWS).offset).toBe(ROWS * ROW - HEIGHT);
  });

  it('maps the middle of the scroll range to the middle of the list, rows a row apart', () => {
    const layout = virtualLayout(end / 2, HEIGHT, ROW, ROWS);
    expect(layout.offset).toBeCloseTo((ROWS * ROW - HEIGHT) / 2, 3);
    const atTop = Math.floor(layout.offset / ROW);
    expect(atTop).toBeGreaterThan(999_000);
    expect(atTop).toBeLessThan(1_001_000);
    expect(shownAt(atTop, end / 2, ROWS)).toBeCloseTo(atTop * ROW - layout.offset, 3);
    expect(shownAt(atTop + 3, end / 2, ROWS) - shownAt(atTop, end / 2, ROWS)).toBeCloseTo(3 * ROW, 6);
  });

  it('renders as many rows at the top, the middle and the end', () => {
    const sizes = [0, 1, end / 3, end / 2, end - 1, end].map((top) => {
      const { first, last } = virtualLayout(top, HEIGHT, ROW, ROWS);
      return last - first;
    });
    expect(Math.max(...sizes)).toBeLessThanOrEqual(HEIGHT / ROW + 2 * OVERSCAN + 1);
    expect(Math.min(...sizes)).toBeGreaterThanOrEqual(HEIGHT / ROW + OVERSCAN);
  });

  it('scrolls to any focused row, the last one included, and shows it whole', () => {
    for (const from of [0, end / 2, end]) {
      for (const row of [0, 1, 12_345, 999_999, 1_500_001, ROWS - 2, ROWS - 1]) {
        const top = scrollTopToShow(row, from, HEIGHT, ROW, ROWS) ?? from;
        expect(Number.isInteger(top) || top === from).toBe(true);
        expect(top).toBeGreaterThanOrEqual(0);
        expect(top).toBeLessThanOrEqual(end);
        const at = shownAt(row, top, ROWS);
        expect(at).toBeGreaterThanOrEqual(0);
        expect(at + ROW).toBeLessThanOrEqual(HEIGHT + 1e-6);
        // Shown now, so asking again scrolls no more.
        expect(scrollTopToShow(row, top, HEIGHT, ROW, ROWS)).toBeUndefined();
      }
    }
    expect(scrollTopToShow(ROWS - 1, 0, HEIGHT, ROW, ROWS)).toBe(end);
    expect(scrollTopToShow(0, end, HEIGHT, ROW, ROWS)).toBe(0);
  });

  it('finds the scroll position for a list offset and back', () => {
    for (const offset of [0, 26, 26_000_013, ROWS * ROW - HEIGHT]) {
      expect(listOffset(scrollTopFor(offset, HEIGHT, ROW, ROWS), HEIGHT, ROW, ROWS)).toBeCloseTo(offset, 3);
    }
    expect(scrollTopFor(ROWS * ROW * 2, HEIGHT, ROW, ROWS)).toBe(end);
  });

  it('reaches the end of a 1.3 M-instruction listing of 20 px lines', () => {
    const lines = 1_700_000;
    const top = MAX_SPACER - 600;
    const layout = virtualLayout(top, 600, 20, lines);
    expect(layout.last).toBe(lines);
    expect(layout.top + (lines - 1 - layout.first) * 20 - top).toBe(580);
  });
});
