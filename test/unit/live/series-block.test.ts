// SeriesBlock: many series on one clock, in slots; rows wrap, slots restart and grow.
import { describe, expect, it } from 'vitest';
import { SeriesBlock } from '../../../main/live/series-block.js';

function fill(block: SeriesBlock<'a' | 'b'>, timeMs: number, values: Record<number, number>): void {
  block.beginRow(timeMs);
  for (const [slot, v] of Object.entries(values)) {
    block.set(Number(slot), 0, v);
    block.set(Number(slot), 1, -v);
  }
}

describe('SeriesBlock', () => {
  it('keeps the newest rows of every slot in order, from the row after its start', () => {
    const block = new SeriesBlock(['a', 'b'] as const, 3);
    block.reserve(2);
    block.start(0);
    fill(block, 1, { 0: 10 });
    block.start(1);
    for (let t = 2; t <= 4; t++) fill(block, t, { 0: t * 10, 1: t });
    expect(block.series(0)).toEqual({ timeMs: [2, 3, 4], a: [20, 30, 40], b: [-20, -30, -40] });
    expect(block.series(1, 3)).toEqual({ timeMs: [3, 4], a: [3, 4], b: [-3, -4] });
    expect(block.series(1, 5)).toEqual({ timeMs: [], a: [], b: [] });
  });

  it('has no series for a slot without points, and forgets a restarted slot', () => {
    const block = new SeriesBlock(['a', 'b'] as const, 4);
    block.reserve(1);
    expect(block.series(0)).toBeUndefined();
    expect(block.series(7)).toBeUndefined();
    block.start(0);
    fill(block, 1, { 0: 1 });
    block.start(0);
    expect(block.series(0)).toBeUndefined();
    fill(block, 2, { 0: 2 });
    expect(block.series(0)).toEqual({ timeMs: [2], a: [2], b: [-2] });
  });

  it('grows its slots without losing points, also in the middle of a row', () => {
    const block = new SeriesBlock(['a', 'b'] as const, 2);
    block.reserve(1);
    block.start(0);
    for (let t = 1; t <= 3; t++) fill(block, t, { 0: t });
    block.beginRow(4);
    block.reserve(5);
    block.start(4);
    block.set(0, 0, 4);
    block.set(0, 1, -4);
    fill(block, 5, { 0: 5, 4: 50 });
    expect(block.slots).toBe(5);
    expect(block.series(0)).toEqual({ timeMs: [4, 5], a: [4, 5], b: [-4, -5] });
    expect(block.series(4)).toEqual({ timeMs: [5], a: [50], b: [-50] });
    expect(block.byteLength).toBe(2 * 8 + 5 * 8 + 2 * 2 * 5 * 4);
    expect(() => new SeriesBlock(['a'], 0)).toThrow(RangeError);
  });
});
