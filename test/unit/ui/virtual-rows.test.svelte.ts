// VirtualRows over more rows than a browser's element height allows: the spacer is capped,
// the end of the scroll range shows the last row, focus reaches it, and a count that grows
// under the reader keeps the row at the top. jsdom has no layout (the viewport is 0 px
// high): test/e2e/virtual-rows.spec.ts does the same in Chromium.
/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
import { createRawSnippet, flushSync, mount, unmount } from 'svelte';
import { afterEach, describe, expect, it } from 'vitest';
import VirtualRows from '../../../renderer/src/lib/ui/VirtualRows.svelte';
import { MAX_SPACER } from '../../../renderer/src/lib/ui/virtual-range.js';

const ROWS = 2_000_000;
const row = createRawSnippet((index: () => number) => ({ render: () => `<span class="r">row ${index()}</span>` }));

let mounted: Record<string, unknown> | undefined;
afterEach(() => {
  if (mounted) unmount(mounted);
  mounted = undefined;
  document.body.innerHTML = '';
});

const grid = (): HTMLDivElement => document.querySelector<HTMLDivElement>('[role=grid]')!;
const indexes = (): number[] => [...document.querySelectorAll('[role=row]')].map((r) => Number(r.getAttribute('aria-rowindex')));

function scrollTo(top: number): void {
  grid().scrollTop = top;
  grid().dispatchEvent(new Event('scroll'));
  flushSync();
}

describe('VirtualRows over 2,000,000 rows', () => {
  it('caps the spacer and shows row 2,000,000 at the end of the scroll range, with a constant DOM', () => {
    mounted = mount(VirtualRows, { target: document.body, props: { count: ROWS, label: 'Entries', row } });
    flushSync();
    const spacer = grid().firstElementChild as HTMLElement;
    expect(spacer.style.height).toBe(`${MAX_SPACER}px`);
    expect(grid().getAttribute('aria-rowcount')).toBe(String(ROWS));
    expect(indexes()[0]).toBe(1);
    const sizes: number[] = [];
    scrollTo(MAX_SPACER / 2);
    sizes.push(indexes().length);
    expect(indexes()[0]).toBeGreaterThan(ROWS / 2 - 20);
    expect(indexes()[0]).toBeLessThan(ROWS / 2);
    scrollTo(MAX_SPACER * 0.75);
    sizes.push(indexes().length);
    expect(new Set(sizes).size).toBe(1);
    expect(sizes[0]).toBeLessThan(60);
    scrollTo(MAX_SPACER - grid().clientHeight);
    expect(indexes().at(-1)).toBe(ROWS);
    expect(indexes().length).toBeLessThanOrEqual(sizes[0]!);
    expect(document.querySelector(`[aria-rowindex="${ROWS}"]`)!.textContent).toBe(`row ${ROWS - 1}`);
  });

  it('scrolls to a focused last row, then back to the first', () => {
    const props = $state({ count: ROWS, label: 'Entries', row, focus: undefined as number | undefined });
    mounted = mount(VirtualRows, { target: document.body, props });
    flushSync();
    props.focus = ROWS - 1;
    flushSync();
    expect(grid().scrollTop).toBe(MAX_SPACER - grid().clientHeight);
    scrollTo(grid().scrollTop);
    expect(indexes()).toContain(ROWS);
    props.focus = 0;
    flushSync();
    expect(grid().scrollTop).toBe(0);
  });

  it('keeps the row at the top when the count grows (a map still being read)', () => {
    const props = $state({ count: 1_500_000, label: 'Entries', row });
    mounted = mount(VirtualRows, { target: document.body, props });
    flushSync();
    scrollTo(MAX_SPACER / 2);
    const before = indexes()[0];
    props.count = ROWS;
    flushSync();
    expect(indexes()[0]).toBe(before);
    expect(grid().scrollTop).toBeLessThan(MAX_SPACER / 2);
  });

  it('keeps where the reader scrolled to when the count grows in the same moment', () => {
    const props = $state({ count: 1_500_000, label: 'Entries', row });
    mounted = mount(VirtualRows, { target: document.body, props });
    flushSync();
    scrollTo(MAX_SPACER / 2);
    grid().scrollTop = MAX_SPACER * 0.9;
    grid().dispatchEvent(new Event('scroll'));
    props.count = ROWS;
    flushSync();
    expect(grid().scrollTop).toBe(MAX_SPACER * 0.9);
    expect(indexes()[0]).toBeGreaterThan(ROWS * 0.85);
  });
});
