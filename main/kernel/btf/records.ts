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
  /** Word index of each type id's record; id 0 (void) has an all-zero record. */
  readonly start: Uint32Array;
  /** The string table, indexed by string offset (a split BTF's base strings first). */
  readonly strings: Uint8Array;
  /** Valid type ids are 0 … typeCount-1. */
  readonly typeCount: number;
}

/** The records of `btf` and of its bases, one id space, copied into host byte order. */
export function btfRecords(btf: Btf): BtfRecords {
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
    const offsets = b.offsets;
    const first = b.firstId;
    const typeStart = b.typeStart;
    const base = at - (typeStart >>> 2);
    for (let i = 0, n = offsets.length; i < n; i++) start[first + i] = base + (offsets[i]! >>> 2);
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
