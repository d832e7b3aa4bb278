// A batch of maps' bpf_map_info (native/src/map_info_batch.h), packed one after another. Views
// into the batch, no copies.

/*
 * header   +0 u32 record count   +4 u32 more (1: stopped at its limit; ask again after the last id)
 * record   +0 u32 id   +4 u32 info bytes, then the info; padded to 8 bytes
 */
const HEADER = 8;
const RECORD_HEADER = 8;

export interface MapBatchRecord {
  id: number;
  info: Uint8Array;
}

export interface MapBatch {
  records: MapBatchRecord[];
  /** Maps may follow the last record's id: read the next batch after it. */
  more: boolean;
}

/** The records of one batch; throws on a batch whose lengths run past its end. */
export function decodeMapBatch(bytes: Uint8Array): MapBatch {
  if (bytes.byteLength < HEADER) throw new Error(`map batch: ${bytes.byteLength} bytes, need at least ${HEADER}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const plain = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const count = view.getUint32(0, true);
  const records: MapBatchRecord[] = [];
  let at = HEADER;
  for (let i = 0; i < count; i++) {
    if (at + RECORD_HEADER > bytes.byteLength) throw new Error(`map batch: record ${i} of ${count} runs past the end`);
    const info = at + RECORD_HEADER;
    const end = info + view.getUint32(at + 4, true);
    if (end > bytes.byteLength) throw new Error(`map batch: record ${i} of ${count} runs past the end`);
    records.push({ id: view.getUint32(at, true), info: plain.subarray(info, end) });
    at = (end + 7) & ~7;
  }
  return { records, more: view.getUint32(4, true) === 1 };
}
