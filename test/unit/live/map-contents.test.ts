// What a map watch keeps of a map: entries stored in the pages they came in, replaced ones
// freed, and memory bounded by the map, not by how long it is watched (a one-entry map
// changing every poll grew the page list by a slot per poll, forever).
import { describe, expect, it } from 'vitest';
import { MapContents } from '../../../main/live/map-contents.js';

function page(entries: Array<[number, number]>) {
  const keys = new Uint8Array(entries.length * 4);
  const values = new Uint8Array(entries.length * 8);
  const kv = new DataView(keys.buffer);
  const vv = new DataView(values.buffer);
  entries.forEach(([k, v], i) => {
    kv.setUint32(i * 4, k, true);
    vv.setFloat64(i * 8, v, true);
  });
  return { keys, values, count: entries.length };
}

const valueOf = (contents: MapContents, key: number) => {
  const ref = contents.refOf(key)!;
  return new DataView(contents.value(ref).slice().buffer).getFloat64(0, true);
};

describe('map watch contents', () => {
  it('a small map changing every poll for a long time keeps bounded pages and the latest values', () => {
    const contents = new MapContents(4, 8);
    contents.put(page([[1, 0], [2, 0], [3, 0]]));
    for (let poll = 1; poll <= 100_000; poll++) contents.put(page([[poll % 3 + 1, poll]]));
    expect(contents.size).toBe(3);
    expect(contents.pageSlots).toBeLessThanOrEqual(1025);
    expect([valueOf(contents, 1), valueOf(contents, 2), valueOf(contents, 3)]).toEqual([99_999, 100_000, 99_998]);
  });

  it('deletes and re-adds across compactions', () => {
    const contents = new MapContents(4, 8);
    for (let round = 0; round < 3000; round++) {
      contents.put(page([[round, round]]));
      if (round >= 10) contents.delete(round - 10);
    }
    expect(contents.size).toBe(10);
    expect([...contents.indexed()].map(([key]) => key).sort((a, b) => Number(a) - Number(b))).toEqual(Array.from({ length: 10 }, (_, i) => 2990 + i));
    expect(valueOf(contents, 2995)).toBe(2995);
  });
});
