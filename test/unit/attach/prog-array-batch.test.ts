// Hand-built prog_array batches (native/src/prog_array_batch.h) with the records and slots the
// decoder must find in them, and damaged ones it must refuse.
import { describe, expect, it } from 'vitest';
import { decodeProgArrayBatch } from '../../../main/kernel/attach/index.js';

/** A batch of records as the native walk packs them: info padded to 8, then (index, prog id) pairs. */
function batch(records: Array<{ id: number; info: number[]; slots: Array<[number, number]>; flags?: number }>, header: { walked: number; lastId: number; more: number }): Uint8Array {
  const words: number[] = [records.length, header.walked, header.lastId, header.more];
  for (const r of records) {
    words.push(r.id, r.info.length, r.slots.length, r.flags ?? 0);
    const info = new Uint8Array((r.info.length + 7) & ~7);
    info.set(r.info);
    words.push(...new Uint32Array(info.buffer));
    for (const [index, progId] of r.slots) words.push(index, progId);
  }
  return new Uint8Array(Uint32Array.from(words).buffer);
}

describe('decodeProgArrayBatch', () => {
  const bytes = batch(
    [
      { id: 12, info: [3, 0, 0, 0, 12, 0, 0, 0, 4, 0, 0, 0], slots: [[0, 901], [2, 902], [7, 0]] },
      { id: 15, info: [3, 0, 0, 0, 15, 0, 0, 0], slots: [], flags: 1 },
      { id: 40, info: [3, 0, 0, 0, 40, 0, 0, 0], slots: [] },
    ],
    { walked: 9, lastId: 41, more: 1 },
  );

  it('finds each record\'s id, info bytes and filled slots, and where the next batch starts', () => {
    const decoded = decodeProgArrayBatch(bytes);
    expect(decoded.records.map((r) => ({ id: r.id, info: Array.from(r.info), slots: r.slots }))).toEqual([
      // A slot holding program id 0 is not a tail call.
      { id: 12, info: [3, 0, 0, 0, 12, 0, 0, 0, 4, 0, 0, 0], slots: [{ index: 0, progId: 901 }, { index: 2, progId: 902 }] },
      // Partial: the batch could not read every slot, so it gives none.
      { id: 15, info: [3, 0, 0, 0, 15, 0, 0, 0], slots: null },
      { id: 40, info: [3, 0, 0, 0, 40, 0, 0, 0], slots: [] },
    ]);
    expect({ walked: decoded.walked, lastId: decoded.lastId, more: decoded.more }).toEqual({ walked: 9, lastId: 41, more: true });
  });

  it('reads a batch that sits at an offset of a larger buffer', () => {
    const shifted = new Uint8Array(bytes.byteLength + 3);
    shifted.set(bytes, 3);
    expect(decodeProgArrayBatch(shifted.subarray(3)).records.map((r) => r.slots?.length ?? null)).toEqual([2, null, 0]);
  });

  it('refuses a batch cut short anywhere, and a header too short to read', () => {
    for (const cut of [16, 20, 40, 48, bytes.byteLength - 8, bytes.byteLength - 1]) {
      expect(() => decodeProgArrayBatch(bytes.subarray(0, cut)), `cut at ${cut}`).toThrow(/prog array batch: record \d of 3 runs past the end/);
    }
    expect(() => decodeProgArrayBatch(bytes.subarray(0, 12))).toThrow('prog array batch: 12 bytes, need at least 16');
  });

  it('refuses a record whose slot count runs past the batch', () => {
    const damaged = bytes.slice();
    new DataView(damaged.buffer).setUint32(16 + 8, 0xffff_ffff, true);
    expect(() => decodeProgArrayBatch(damaged)).toThrow(/record 0 of 3 runs past the end/);
  });

  it('reads an empty batch: the walk found no prog_array', () => {
    expect(decodeProgArrayBatch(batch([], { walked: 4, lastId: 30, more: 0 }))).toEqual({ records: [], walked: 4, lastId: 30, more: false });
  });
});
