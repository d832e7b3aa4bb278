// A batch of programs as a listing reads them (native/src/prog_info_batch.h): each program's
// bpf_prog_info, map ids and fdinfo text, packed one after another. Views into the batch, no copies.

/*
 * header   +0 u32 record count   +4 u32 more (1: stopped at its limit; ask again after the last id)
 * record   +0 u32 id   +4 u32 info bytes   +8 u32 map id bytes   +12 u32 fdinfo bytes,
 *          then the info, the map ids (u32 each), the fdinfo text; padded to 8 bytes
 */
const HEADER = 8;
const RECORD_HEADER = 16;

export interface ProgBatchRecord {
  id: number;
  info: Uint8Array;
  mapIds: Uint8Array;
  fdinfo: string;
}

export interface ProgBatch {
  records: ProgBatchRecord[];
  /** Programs may follow the last record's id: read the next batch after it. */
  more: boolean;
}

const latin1 = new TextDecoder('latin1');

/** The records of one batch; throws on a batch whose lengths run past its end. */
export function decodeProgBatch(bytes: Uint8Array): ProgBatch {
  if (bytes.byteLength < HEADER) throw new Error(`program batch: ${bytes.byteLength} bytes, need at least ${HEADER}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // Plain Uint8Array views: a Node Buffer's subarray is a Buffer, slower to make (three per program).
  const plain = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const count = view.getUint32(0, true);
  const records: ProgBatchRecord[] = [];
  let at = HEADER;
  for (let i = 0; i < count; i++) {
    if (at + RECORD_HEADER > bytes.byteLength) throw new Error(`program batch: record ${i} of ${count} runs past the end`);
    const infoLen = view.getUint32(at + 4, true);
    const mapIdsLen = view.getUint32(at + 8, true);
    const fdinfoLen = view.getUint32(at + 12, true);
    const info = at + RECORD_HEADER;
    const mapIds = info + infoLen;
    const fdinfo = mapIds + mapIdsLen;
    const end = fdinfo + fdinfoLen;
    if (end > bytes.byteLength) throw new Error(`program batch: record ${i} of ${count} runs past the end`);
    records.push({
      id: view.getUint32(at, true),
      info: plain.subarray(info, mapIds),
      mapIds: plain.subarray(mapIds, fdinfo),
      fdinfo: latin1.decode(plain.subarray(fdinfo, end)),
    });
    at = (end + 7) & ~7;
  }
  return { records, more: view.getUint32(4, true) === 1 };
}
