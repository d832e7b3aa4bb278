// A BTF's type records as host-order 32-bit words indexed by type id, beside its string
// table as bytes: what the C and raw printers walk, field by field, without decoding types
// into objects or names into strings (vmlinux has 125 k types; decoding them all costs more
// than printing them).
//
//  record of type id at w = start[id]:
//  words[w]    name_off
//  words[w+1]  info (31: kind_flag, 28..24: kind, 15..0: vlen)
//  words[w+2]  size or type
//  words[w+3…] kind data (members: name_off, type, offset; params: name_off, type; …)

import type { Btf } from './btf.js';

/** Base BTF under base BTF … deeper than this is not a BTF anyone makes. */
const MAX_BASE_CHAIN = 8;

export interface BtfRecords {
  readonly words: Uint32Array;
  /** Word index of each type id's record; id 0 (void) has an all-zero record (not necessarily at 0). */
  readonly start: Uint32Array;
  /** The string table, indexed by string offset (a split BTF's base strings first). */
  readonly strings: Uint8Array;
  /** Valid type ids are 0 … typeCount-1. */
  readonly typeCount: number;
}

/** Sets start[id] of each type of `b`: the word index of its record, b's first record being at word `at`. */
function fillStarts(start: Uint32Array, b: Btf, at: number): void {
  const offsets = b.offsets;
  const first = b.firstId;
  const typeStart = b.typeStart;
  for (let i = 0, n = offsets.length; i < n; i++) start[first + i] = at + ((offsets[i]! - typeStart) >>> 2);
}

/** Bytes of a type record: name_off, info, size or type. */
const RECORD_BYTES = 12;

/**
 * The records of a BTF without a base, read where they lie: its words in host order are a view
 * of its bytes, and a record of zeros after the blob (the zero tail its producer left, see
 * parseBtf) is void's. Undefined where either is missing. vmlinux's 3.5 MB of records copied
 * were ~10 ms of page faults on a VM where one costs ~11 us.
 */
function recordsInPlace(btf: Btf): BtfRecords | undefined {
  const { bytes, words } = btf;
  if (btf.base || words.buffer !== bytes.buffer) return undefined;
  const end = bytes.byteOffset + bytes.byteLength;
  const voidAt = (end + 3) & ~3;
  if (voidAt + RECORD_BYTES > end + btf.zeroTail || voidAt + RECORD_BYTES > bytes.buffer.byteLength) return undefined;
  const first = words.byteOffset;
  const all = new Uint32Array(bytes.buffer, first, (voidAt + RECORD_BYTES - first) >>> 2);
  const voidWord = (voidAt - first) >>> 2;
  const start = new Uint32Array(btf.typeCount);
  start[0] = voidWord;
  fillStarts(start, btf, 0);
  return { words: all, start, strings: bytes.subarray(btf.strStart, btf.strEnd), typeCount: btf.typeCount };
}

/** The records of `btf` and of its bases, one id space, in host byte order: in place where they can be, else copied. */
export function btfRecords(btf: Btf): BtfRecords {
  const inPlace = recordsInPlace(btf);
  if (inPlace) return inPlace;
  const chain: Btf[] = [];
  for (let b: Btf | undefined = btf; b; b = b.base) {
    if (chain.length >= MAX_BASE_CHAIN) throw new Error(`split btf: more than ${MAX_BASE_CHAIN} levels of base`);
    chain.unshift(b);
  }
  let wordCount = 3;
  let stringLen = 0;
  for (const b of chain) {
    wordCount += (b.typeEnd - b.typeStart) >>> 2;
    stringLen += b.strEnd - b.strStart;
  }
  const words = new Uint32Array(wordCount);
  const start = new Uint32Array(btf.typeCount);
  let at = 3;
  for (const b of chain) {
    words.set(b.words, at);
    fillStarts(start, b, at);
    at += b.words.length;
  }
  let strings: Uint8Array;
  if (chain.length === 1) {
    strings = btf.bytes.subarray(btf.strStart, btf.strEnd);
  } else {
    strings = new Uint8Array(stringLen);
    let off = 0;
    for (const b of chain) {
      strings.set(b.bytes.subarray(b.strStart, b.strEnd), off);
      off += b.strEnd - b.strStart;
    }
  }
  return { words, start, strings, typeCount: btf.typeCount };
}
