// The arrays a program's second info pass fills (map ids, ksyms, func/line info, tags).
// Record sizes come from the info struct; a newer kernel may use larger records than we know,
// so records are stepped by the given size and only their known leading fields are read.

import { hex } from './reader.js';

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function recordCount(bytes: Uint8Array, recSize: number, count: number | undefined): number {
  const fit = Math.floor(bytes.byteLength / recSize);
  return count === undefined ? fit : Math.min(fit, count);
}

/** u32 elements (map ids, jited func lens); at most `count`, and no more than fit. */
export function u32Array(bytes: Uint8Array | undefined, count?: number): number[] {
  if (!bytes || bytes.byteLength === 0) return [];
  const v = view(bytes);
  const n = recordCount(bytes, 4, count);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) out[i] = v.getUint32(i * 4, true);
  return out;
}

/** u64 elements (jited ksyms, kprobe_multi addrs, cookies); at most `count`. */
export function u64Array(bytes: Uint8Array | undefined, count?: number): bigint[] {
  if (!bytes) return [];
  const v = view(bytes);
  const n = recordCount(bytes, 8, count);
  const out = new Array<bigint>(n);
  for (let i = 0; i < n; i++) out[i] = v.getBigUint64(i * 8, true);
  return out;
}

/** `struct bpf_func_info`: where a BPF function starts and its BTF FUNC type. */
export interface FuncInfo {
  insnOff: number;
  typeId: number;
}

/** `struct bpf_line_info`: a source line for an instruction; names are BTF string offsets. */
export interface LineInfo {
  insnOff: number;
  fileNameOff: number;
  lineOff: number;
  line: number;
  col: number;
}

function checkRecSize(what: string, recSize: number, min: number): void {
  if (!Number.isInteger(recSize) || recSize < min) {
    throw new Error(`${what}: record size ${recSize}, need at least ${min}`);
  }
}

/** Decodes func_info records of `recSize` bytes (from `func_info_rec_size`). */
export function decodeFuncInfo(bytes: Uint8Array, recSize: number, count?: number): FuncInfo[] {
  checkRecSize('func info', recSize, 8);
  const v = view(bytes);
  const n = recordCount(bytes, recSize, count);
  const out: FuncInfo[] = [];
  for (let i = 0; i < n; i++) {
    const at = i * recSize;
    out.push({ insnOff: v.getUint32(at, true), typeId: v.getUint32(at + 4, true) });
  }
  return out;
}

// line_col packs the line number above the column: line = line_col >> 10, col = line_col & 0x3ff.
const LINE_SHIFT = 10;
const COL_MASK = 0x3ff;

/** Decodes line_info records of `recSize` bytes (from `line_info_rec_size`). */
export function decodeLineInfo(bytes: Uint8Array, recSize: number, count?: number): LineInfo[] {
  checkRecSize('line info', recSize, 16);
  const v = view(bytes);
  const n = recordCount(bytes, recSize, count);
  const out: LineInfo[] = [];
  for (let i = 0; i < n; i++) {
    const at = i * recSize;
    const lineCol = v.getUint32(at + 12, true);
    out.push({
      insnOff: v.getUint32(at, true),
      fileNameOff: v.getUint32(at + 4, true),
      lineOff: v.getUint32(at + 8, true),
      line: lineCol >>> LINE_SHIFT,
      col: lineCol & COL_MASK,
    });
  }
  return out;
}

/**
 * Decodes jited_line_info: one jited address per line_info record, each `recSize` bytes
 * (`jited_line_info_rec_size`, 8 today). Addresses read as 0 without kernel-address access.
 */
export function decodeJitedLineInfo(bytes: Uint8Array, recSize: number, count?: number): bigint[] {
  checkRecSize('jited line info', recSize, 8);
  const v = view(bytes);
  const n = recordCount(bytes, recSize, count);
  const out: bigint[] = [];
  for (let i = 0; i < n; i++) out.push(v.getBigUint64(i * recSize, true));
  return out;
}

/** prog_tags: one 8-byte tag per subprogram, as 16 hex digits each. */
export function decodeProgTags(bytes: Uint8Array, count?: number): string[] {
  const n = recordCount(bytes, 8, count);
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(hex(bytes.subarray(i * 8, i * 8 + 8)));
  return out;
}
