// User-space stack frames in a process's own terms: /proc/PID/maps says which file (and which
// offset of it) each address comes from; that file's symbols name the function. Stack maps built
// with BPF_F_STACK_BUILD_ID carry the file's build id and the offset instead of an address.
import { functionAt, vaddrOfOffset, type ProgramSymbols } from '../elf/program-symbols.js';

export interface Mapping {
  start: bigint;
  end: bigint;
  perms: string;
  /** Offset in the file of `start`. */
  offset: number;
  inode: number;
  /** The file, `[heap]`, `[stack]`, `[vdso]` …, or '' for anonymous memory. */
  path: string;
}

const MAX_MAPPINGS = 1 << 16;
const MAP_LINE = /^([0-9a-f]+)-([0-9a-f]+) (\S{4}) ([0-9a-f]+) \S+ (\d+)\s*(.*)$/;

export function parseProcMaps(text: string): Mapping[] {
  const out: Mapping[] = [];
  for (const line of text.split('\n', MAX_MAPPINGS)) {
    const m = MAP_LINE.exec(line);
    if (!m) continue;
    out.push({ start: BigInt(`0x${m[1]}`), end: BigInt(`0x${m[2]}`), perms: m[3]!, offset: parseInt(m[4]!, 16), inode: Number(m[5]), path: m[6] ?? '' });
  }
  return out;
}

/** Kernel text lives in the upper half of the address space (x86-64 and arm64). */
export function isKernelAddress(address: bigint): boolean {
  return address >= 0xffff800000000000n;
}

export function mappingOf(mappings: readonly Mapping[], address: bigint): Mapping | undefined {
  return mappings.find((m) => address >= m.start && address < m.end);
}

/** The file's base name, as a frame shows its module. */
export function moduleName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1).replace(/ \(deleted\)$/, '');
}

export interface UserFrame {
  address: bigint;
  symbol?: string;
  module?: string;
  /** Why there is no symbol: no mapping, stripped, unreadable, … */
  note?: string;
}

/** A file's symbols, or why they could not be read. */
export type FileSymbols = ProgramSymbols | { error: string };

/** Names an address of a process with the symbols of the file mapped there. */
export function symbolizeUserAddress(address: bigint, mappings: readonly Mapping[], symbolsOf: (mapping: Mapping) => FileSymbols | undefined): UserFrame {
  const mapping = mappingOf(mappings, address);
  if (!mapping) return { address, note: 'not in any mapping of the process (it has changed since)' };
  if (!mapping.path) return { address, note: 'anonymous memory (JIT-compiled code?)' };
  if (mapping.path.startsWith('[')) return { address, module: mapping.path };
  const module = moduleName(mapping.path);
  // The kernel walks user stacks by frame pointer: code built without them yields stale words.
  if (!mapping.perms.includes('x')) return { address, module, note: 'not code (a data mapping): the stack walk read a stale word' };
  const symbols = symbolsOf(mapping);
  if (!symbols) return { address, module, note: 'file not read' };
  if ('error' in symbols) return { address, module, note: symbols.error };
  const offset = Number(address - mapping.start) + mapping.offset;
  return frameIn(symbols, address, module, offset);
}

function frameIn(symbols: ProgramSymbols, address: bigint, module: string, offset: number): UserFrame {
  if (symbols.table === 'none') return { address, module, note: 'stripped: no symbol table' };
  const vaddr = vaddrOfOffset(symbols, offset);
  const symbol = vaddr === undefined ? undefined : functionAt(symbols, vaddr);
  if (symbol) return { address, symbol, module };
  return { address, module, note: symbols.table === 'dynsym' ? 'stripped: only exported symbols, none covers it' : 'no function covers it' };
}

/** One frame of a build-id stack map (struct bpf_stack_build_id). */
export interface BuildIdFrame {
  /** 0 empty, 1 build id and offset, 2 only the address (the kernel could not read the build id). */
  status: number;
  buildId: string;
  /** File offset (status 1) or address (status 2). */
  offsetOrIp: bigint;
}

const BUILD_ID_FRAME = 32;
const BUILD_ID_SIZE = 20;

/** The frames of one build-id stack value; the kernel leaves empty ones after the last. */
export function decodeBuildIdFrames(value: Uint8Array): BuildIdFrame[] {
  const view = new DataView(value.buffer, value.byteOffset, value.byteLength);
  const out: BuildIdFrame[] = [];
  for (let at = 0; at + BUILD_ID_FRAME <= value.byteLength; at += BUILD_ID_FRAME) {
    const status = view.getInt32(at, true);
    if (status === 0) break;
    const id = Array.from(value.subarray(at + 4, at + 4 + BUILD_ID_SIZE), (b) => b.toString(16).padStart(2, '0')).join('');
    out.push({ status, buildId: id, offsetOrIp: view.getBigUint64(at + 24, true) });
  }
  return out;
}

/** Names a build-id frame with the symbols of a file of that build id, if one was found. */
export function symbolizeBuildIdFrame(frame: BuildIdFrame, file: { path: string; symbols: ProgramSymbols } | undefined): UserFrame {
  if (frame.status !== 1) return { address: frame.offsetOrIp, note: 'the kernel recorded only the address (no build id)' };
  if (!file) return { address: frame.offsetOrIp, note: `build id ${frame.buildId}: no file of a running process has it` };
  return frameIn(file.symbols, frame.offsetOrIp, moduleName(file.path), Number(frame.offsetOrIp));
}
