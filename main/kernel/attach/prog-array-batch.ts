// Every prog_array's tail-call slots in one batch (native/src/prog_array_batch.h): the maps
// walked after an id, a record for each prog_array with u32 keys and values. Views into the
// batch for the info, no copies.
import type { ProgArraySlot } from './prog-array.js';

/*
 * header  +0 u32 record count   +4 u32 maps walked   +8 u32 id of the last map walked
 *         +12 u32 more (1: stopped at its limit; ask again after the last map walked)
 * record  +0 u32 map id   +4 u32 info bytes   +8 u32 slot count   +12 u32 flags
 *         +16 info, padded to 8 bytes, then slot count x (u32 index, u32 prog id)
 */
const HEADER = 16;
const RECORD_HEADER = 16;
const SLOT = 8;
/** flags: the slots were not all read; the record holds none, read the map another way. */
const PARTIAL = 1;

export interface ProgArrayRecord {
  id: number;
  info: Uint8Array;
  /** The filled slots in index order; null when the batch could not read them all. */
  slots: ProgArraySlot[] | null;
}

export interface ProgArrayBatch {
  records: ProgArrayRecord[];
  /** Maps walked, prog_arrays or not. */
  walked: number;
  /** The last map walked: the next batch starts after it. */
  lastId: number;
  /** Maps may follow lastId. */
  more: boolean;
}

/** The records of one batch; throws on a batch whose lengths run past its end. */
export function decodeProgArrayBatch(bytes: Uint8Array): ProgArrayBatch {
  if (bytes.byteLength < HEADER) throw new Error(`prog array batch: ${bytes.byteLength} bytes, need at least ${HEADER}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const plain = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const count = view.getUint32(0, true);
  const records: ProgArrayRecord[] = [];
  let at = HEADER;
  for (let i = 0; i < count; i++) {
    const pastEnd = () => new Error(`prog array batch: record ${i} of ${count} runs past the end`);
    if (at + RECORD_HEADER > bytes.byteLength) throw pastEnd();
    const id = view.getUint32(at, true);
    const infoEnd = at + RECORD_HEADER + view.getUint32(at + 4, true);
    const slotCount = view.getUint32(at + 8, true);
    const slotsAt = (infoEnd + 7) & ~7;
    const end = slotsAt + slotCount * SLOT;
    if (end > bytes.byteLength) throw pastEnd();
    let slots: ProgArraySlot[] | null = null;
    if (!(view.getUint32(at + 12, true) & PARTIAL)) {
      slots = [];
      for (let s = slotsAt; s < end; s += SLOT) {
        const progId = view.getUint32(s + 4, true);
        if (progId) slots.push({ index: view.getUint32(s, true), progId });
      }
    }
    records.push({ id, info: plain.subarray(at + RECORD_HEADER, infoEnd), slots });
    at = end;
  }
  return { records, walked: view.getUint32(4, true), lastId: view.getUint32(8, true), more: view.getUint32(12, true) === 1 };
}
