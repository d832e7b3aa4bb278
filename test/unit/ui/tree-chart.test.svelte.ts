// The value tree as mounted, the map pager's bounded page cache and live overlay, and
// the chart option builders fed by the program series stream.
/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
import { flushSync, mount, unmount } from 'svelte';
import { afterEach, describe, expect, it } from 'vitest';
import type { BpfscopeApi } from '../../../main/api/contract.js';
import type { MapRow, TreeNode } from '../../../main/api/view-records.js';
import { lineOptions } from './line-options.js';
import { MapPager, PAGE_ROWS } from '../../../renderer/src/lib/maps/map-pager.svelte.js';
import ValueTree from '../../../renderer/src/lib/maps/ValueTree.svelte';
import { perCpuTree } from '../../../renderer/src/lib/maps/per-cpu.js';
import { defaultChartField, fieldPoints, MapWatchState } from '../../../renderer/src/lib/maps/map-watch.svelte.js';
import { appendColumns, emptyPoints } from '../../../renderer/src/lib/charts/series-columns.js';
import { PROGRAM_FIELDS } from '../../../renderer/src/lib/program/program-series.svelte.js';

const leaf = (name: string, value: number): TreeNode => ({ name, type: '__u64', display: String(value), value });
const struct = (name: string, ...children: TreeNode[]): TreeNode => ({ name, type: 'struct s', display: '{…}', children });

let mounted: Record<string, unknown> | undefined;
afterEach(() => {
  if (mounted) unmount(mounted);
  mounted = undefined;
  document.body.innerHTML = '';
});

describe('ValueTree', () => {
  it('opens two levels, shows leaves with their type, and folds on click', () => {
    const node = struct('value', leaf('calls', 3), struct('inner', struct('deep', leaf('x', 1))));
    mounted = mount(ValueTree, { target: document.body, props: { node } });
    flushSync();
    const items = () => [...document.querySelectorAll('[role=treeitem]')].map((e) => e.querySelector('.name')!.textContent);
    expect(items()).toEqual(['value', 'calls', 'inner', 'deep']);
    expect(document.body.textContent).toContain('__u64');
    const deep = document.querySelectorAll('[role=treeitem]')[3]!;
    expect(deep.getAttribute('aria-expanded')).toBe('false');
    expect(deep.textContent).toContain('{…}');
    (deep as HTMLElement).click();
    flushSync();
    expect(items()).toEqual(['value', 'calls', 'inner', 'deep', 'x']);
    (document.querySelector('[role=treeitem]') as HTMLElement).click();
    flushSync();
    expect(items()).toEqual(['value']);
    // The keyboard: right opens, left closes.
    const root = document.querySelector('[role=treeitem]')!;
    root.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowRight', bubbles: true }));
    flushSync();
    expect(items()).toEqual(['value', 'calls', 'inner', 'deep']);
    root.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowLeft', bubbles: true }));
    flushSync();
    expect(items()).toEqual(['value']);
  });

  it('flashes a value that changes while shown, not on its first draw', () => {
    const props = $state({ node: struct('value', leaf('calls', 3), leaf('other', 1)) });
    mounted = mount(ValueTree, { target: document.body, props });
    flushSync();
    const flashing = () => [...document.querySelectorAll('[data-value].flash')].map((e) => e.textContent);
    expect(flashing()).toEqual([]);
    props.node = struct('value', leaf('calls', 4), leaf('other', 1));
    flushSync();
    expect(flashing()).toEqual(['4']);
  });

  it('offers the per-CPU fields of numbers a choice of sum, per CPU and max', () => {
    const chosen: Array<[string, string | undefined]> = [];
    const node = perCpuTree([struct('value', leaf('pkts', 1)), struct('value', leaf('pkts', 2))]);
    mounted = mount(ValueTree, { target: document.body, props: { node, onmode: (path: string, mode: string | undefined) => chosen.push([path, mode]) } });
    flushSync();
    expect(document.querySelector('[data-cpu-mode]')?.textContent).toBe('sum over 2 CPUs');
    const select = document.querySelector<HTMLSelectElement>('select[aria-label="Combine the CPUs of pkts"]')!;
    select.value = 'max';
    select.dispatchEvent(new Event('change', { bubbles: true }));
    expect(chosen).toEqual([['pkts', 'max']]);
  });
});

/** A host map view of `count` rows: the key and value are the row index. */
function fakeApi(count: number, reads: number[]): BpfscopeApi {
  const row = (i: number): MapRow => ({ keyHex: i.toString(16).padStart(8, '0'), key: leaf('key', i), values: [struct('value', leaf('n', i))] });
  const info = { view: 'v1', mapId: 7, count, complete: true, gone: false, keyType: 'u32', valueType: 'struct s', cpus: 2, perCpu: false };
  return {
    openMapView: async () => info,
    readMapView: async ({ offset, limit }: { offset: number; limit: number }) => {
      reads.push(offset);
      return { ...info, offset, rows: Array.from({ length: Math.min(limit, count - offset) }, (_, k) => row(offset + k)) };
    },
    closeMapView: async () => ({}),
  } as unknown as BpfscopeApi;
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('MapPager', () => {
  it('pages a million rows around what is on screen and keeps a bounded cache', async () => {
    const reads: number[] = [];
    const pager = new MapPager(fakeApi(1_000_000, reads), 'local', 7);
    await settle();
    expect(pager.info?.count).toBe(1_000_000);
    expect(pager.row(0)?.keyHex).toBe('00000000');
    expect(reads).toEqual([0]);
    for (let first = 0; first < 60 * PAGE_ROWS; first += PAGE_ROWS) pager.want(first, first + 40);
    await settle();
    expect(pager.pages.size).toBeLessThanOrEqual(20);
    expect(pager.row(59 * PAGE_ROWS + 3)?.key.value).toBe(59 * PAGE_ROWS + 3);
    expect(pager.row(0)).toBeUndefined();
    pager.close();
  });

  it('overlays changed, added and removed entries from the live watch', async () => {
    const pager = new MapPager(fakeApi(10, []), 'local', 7);
    await settle();
    const changed: MapRow = { keyHex: '00000001', key: leaf('key', 1), values: [struct('value', leaf('n', 99))] };
    const added: MapRow = { keyHex: '000000ff', key: leaf('key', 255), values: [] };
    pager.apply({ kind: 'tick', timeMs: 1, entries: 10, changed: [changed], added: [added], removed: ['00000002'], sums: [] } as never);
    expect(pager.row(1)?.values?.[0]?.children?.[0]?.value).toBe(99);
    expect(pager.markOf(pager.row(1)!)).toBe('changed');
    expect(pager.markOf(pager.row(2)!)).toBe('removed');
    expect(pager.added.map((r) => r.keyHex)).toEqual(['000000ff']);
    // An entry is followed by its key: the watch's version first, else its page's; removed, none.
    expect(pager.rowByKey('00000001')?.values?.[0]?.children?.[0]?.value).toBe(99);
    expect(pager.rowByKey('00000003')?.key.value).toBe(3);
    expect(pager.rowByKey('00000002')).toBeUndefined();
  });

  it('reads the rows on screen again after missed updates, without the old marks', async () => {
    const reads: number[] = [];
    const pager = new MapPager(fakeApi(1000, reads), 'local', 7);
    await settle();
    pager.want(400, 440);
    await settle();
    pager.apply({ kind: 'tick', timeMs: 1, entries: 10, changed: [], added: [], removed: ['00000190'], sums: [] } as never);
    pager.reload();
    await settle();
    expect(reads).toEqual([0, 400, 400]);
    expect(pager.markOf(pager.row(400)!)).toBeUndefined();
  });
});

describe('program series into chart options', () => {
  it('appends columnar points per field, bounded, and draws one windowed line per series', () => {
    let points = emptyPoints(PROGRAM_FIELDS);
    points = appendColumns(PROGRAM_FIELDS, points, { timeMs: [1000, 2000], eventsPerSec: [5, 6], avgRunNs: [80, 81], cpuPercent: [0.1, 0.2] });
    points = appendColumns(PROGRAM_FIELDS, points, { timeMs: [3000], eventsPerSec: [7] });
    expect(points.eventsPerSec).toEqual([[1000, 5], [2000, 6], [3000, 7]]);
    expect(points.cpuPercent.at(-1)).toEqual([3000, 0]);
    expect(appendColumns(PROGRAM_FIELDS, points, undefined)).toBe(points);
    for (let t = 4; t < 4000; t++) points = appendColumns(PROGRAM_FIELDS, points, { timeMs: [t * 1000], eventsPerSec: [t] });
    expect(points.eventsPerSec).toHaveLength(3600);

    const series = Array.from({ length: 50 }, (_, i) => ({ name: `p${i}`, points: points.eventsPerSec }));
    const options = lineOptions(series, '/s', 60_000, 3_999_000) as { dataset: { source: Float64Array }; series: Array<{ name: string; type: string }>; animation: boolean };
    expect(options.animation).toBe(false);
    expect(options.series).toHaveLength(50);
    expect(options.series[49]!.name).toBe('p49');
    // 61 points in the minute, one row each: the time and the 50 values.
    expect(options.dataset.source).toBeInstanceOf(Float64Array);
    expect(options.dataset.source).toHaveLength(61 * 51);
  });
});

describe('map watch pins', () => {
  it('keeps sums and pinned keys per tick and charts a field of one key or of all', () => {
    const watch = new MapWatchState();
    watch.pin('01000000', '1');
    watch.pin('01000000', '1');
    expect(watch.keys).toEqual(['01000000']);
    const tick = (timeMs: number, sum: number, one: number) =>
      ({ kind: 'tick', timeMs, entries: 2, changed: [], added: [], removed: [], sums: [{ path: 'calls', value: sum, rate: sum / 10 }], selected: [{ keyHex: '01000000', fields: [{ path: 'calls', value: one }] }] }) as never;
    watch.apply(tick(1000, 10, 3));
    watch.apply(tick(2000, 20, 4));
    expect(watch.entries).toBe(2);
    expect(fieldPoints(watch.ticks, null, 'calls', false)).toEqual([[1000, 10], [2000, 20]]);
    expect(fieldPoints(watch.ticks, null, 'calls', true)).toEqual([[1000, 1], [2000, 2]]);
    expect(fieldPoints(watch.ticks, '01000000', 'calls', false)).toEqual([[1000, 3], [2000, 4]]);
    watch.unpin('01000000');
    expect(watch.keys).toEqual([]);
  });

  it('charts the first field that moves, not an id that stays put, else the first', () => {
    const tick = (timeMs: number, proto: number, packets: number, bytes: number) =>
      ({ timeMs, keys: {}, sums: [{ path: 'proto', value: proto }, { path: 'packets', value: packets }, { path: 'bytes', value: bytes }] });
    expect(defaultChartField([])).toBeUndefined();
    expect(defaultChartField([tick(1000, 17, 5, 500)])).toBe('proto');
    expect(defaultChartField([tick(1000, 17, 5, 500), tick(2000, 17, 5, 500)])).toBe('proto');
    expect(defaultChartField([tick(1000, 17, 5, 500), tick(2000, 17, 5, 900)])).toBe('bytes');
    expect(defaultChartField([tick(1000, 17, 5, 500), tick(2000, 17, 6, 900), tick(3000, 17, 6, 900)])).toBe('packets');
  });
});
