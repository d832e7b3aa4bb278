// The programs/maps table as mounted in the page: filter and sort state, the rows
// a 1,000-row table puts in the DOM, and the virtual rows under it.
/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
import { flushSync, mount, unmount } from 'svelte';
import { afterEach, describe, expect, it } from 'vitest';
import type { ProgramSummary } from '../../../main/api/records.js';
import { PROGRAM_COLUMNS, type ProgramRow } from '../../../renderer/src/lib/objects/columns.js';
import DataTable from '../../../renderer/src/lib/objects/DataTable.svelte';
import { TableState } from '../../../renderer/src/lib/objects/table-state.svelte.js';
import VirtualRows from '../../../renderer/src/lib/ui/VirtualRows.svelte';
import { MAX_SPACER } from '../../../renderer/src/lib/ui/virtual-range.js';
import { createRawSnippet } from 'svelte';

const TYPES = ['kprobe', 'tracepoint', 'socket_filter'];

function programs(n: number): ProgramRow[] {
  return Array.from({ length: n }, (_, i) => ({
    id: i + 1,
    type: TYPES[i % 3]!,
    name: `prog_${String(i).padStart(4, '0')}`,
    tag: 'deadbeef',
    pids: i % 2 ? [{ pid: 100 + i, comm: 'agent' }] : [],
    live: { eventsPerSec: i % 10, avgRunNs: 1000 - i, cpuPercent: i / 1000 },
  }) as ProgramSummary as ProgramRow);
}

let mounted: Record<string, unknown> | undefined;
afterEach(() => {
  if (mounted) unmount(mounted);
  mounted = undefined;
  document.body.innerHTML = '';
});

describe('TableState', () => {
  it('filters by every word and sorts by a live column both ways', () => {
    const table = new TableState<ProgramRow>(PROGRAM_COLUMNS);
    table.rows = programs(30);
    table.filter = 'kprobe agent';
    expect(table.view.every((p) => p.type === 'kprobe' && (p.pids ?? []).length === 1)).toBe(true);
    expect(table.view).toHaveLength(5);
    table.filter = '';
    table.sort('Avg ns');
    expect(table.view[0]!.live!.avgRunNs).toBe(971);
    table.sort('Avg ns');
    expect(table.view[0]!.live!.avgRunNs).toBe(1000);
    table.move(100);
    expect(table.selected).toBe(29);
    table.move(-100);
    expect(table.selected).toBe(0);
  });
});

describe('facets and sparklines', () => {
  it('filters by type and owner selects, offers each distinct value, and draws a sparkline per row', () => {
    const table = new TableState<ProgramRow>(PROGRAM_COLUMNS);
    table.rows = programs(30).map((p): ProgramRow => ({ ...p, history: [0, p.id, 2 * p.id] }) as ProgramRow);
    expect(table.facetValues.get('Type')).toEqual(['kprobe', 'socket_filter', 'tracepoint']);
    expect(table.facetValues.get('Owners')).toEqual(['agent']);
    table.facets.Type = 'tracepoint';
    table.facets.Owners = 'agent';
    expect(table.view.map((p) => p.id)).toEqual([2, 8, 14, 20, 26]);
    table.facets.Owners = '';
    expect(table.view).toHaveLength(10);
    mounted = mount(DataTable, { target: document.body, props: { table, label: 'Programs', href: () => '#', onopen: () => {} } });
    flushSync();
    const spark = document.querySelector('[data-id="2"] svg[data-spark]')!;
    expect(spark.getAttribute('data-spark')).toBe('3');
    expect(spark.querySelector('polyline')!.getAttribute('points')).toBe('0.0,17.5 40.0,9.0 80.0,0.5');
  });
});

describe('DataTable', () => {
  it('renders 1,000 programs as a grid of a few dozen rows, re-sorted on a header click', () => {
    const table = new TableState<ProgramRow>(PROGRAM_COLUMNS);
    table.rows = programs(1000);
    const opened: number[] = [];
    mounted = mount(DataTable, {
      target: document.body,
      props: { table, label: 'Programs', href: (p: ProgramRow) => `#/local/programs/${p.id}`, onopen: (p: ProgramRow) => opened.push(p.id) },
    });
    flushSync();
    const grid = document.querySelector('[role=grid]')!;
    expect(grid.getAttribute('aria-label')).toBe('Programs');
    expect(grid.getAttribute('aria-rowcount')).toBe('1000');
    const rows = document.querySelectorAll('[data-id]');
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.length).toBeLessThan(60);
    expect(rows[0]!.querySelectorAll('[role=gridcell]')[2]!.textContent).toBe('prog_0000');
    // The name cell is the row's link; a click anywhere else in the row opens it too.
    expect(rows[0]!.querySelector('a')!.getAttribute('href')).toBe('#/local/programs/1');
    (rows[0]!.querySelector('[role=gridcell]') as HTMLElement).click();
    expect(opened).toEqual([1]);

    const header = [...document.querySelectorAll('.head button')].find((b) => b.textContent?.startsWith('ID'))!;
    (header as HTMLButtonElement).click();
    (header as HTMLButtonElement).click();
    flushSync();
    expect(header.textContent).toContain('▾');
    expect(document.querySelector('[data-id]')!.getAttribute('data-id')).toBe('1000');

    table.filter = 'prog_0042';
    flushSync();
    expect([...document.querySelectorAll('[data-id]')].map((r) => r.getAttribute('data-id'))).toEqual(['43']);
  });
});

describe('VirtualRows', () => {
  it('keeps the DOM size constant from the top to the end of a million rows', () => {
    const row = createRawSnippet((index: () => number) => ({ render: () => `<span class="r">row ${index()}</span>` }));
    mounted = mount(VirtualRows, { target: document.body, props: { count: 1_000_000, label: 'Entries', row } });
    flushSync();
    const viewport = document.querySelector<HTMLDivElement>('[role=grid]')!;
    const sizes: number[] = [];
    for (const top of [0, 26 * 10_000, MAX_SPACER * 0.9]) {
      viewport.scrollTop = top;
      viewport.dispatchEvent(new Event('scroll'));
      flushSync();
      sizes.push(document.querySelectorAll('.r').length);
    }
    expect(sizes[1]).toBe(sizes[2]);
    expect(sizes[1]).toBeLessThan(60);
    expect(document.querySelector('.r')!.textContent).toBe(`row ${900_000 - 8}`);
  });
});
