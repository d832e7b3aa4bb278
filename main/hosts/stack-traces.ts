// Stack-trace maps in the terms of the code they came from: kernel frames through kallsyms, user
// frames through the process's own files (/proc/PID/maps, then the mapped ELF file's symbols
// read through /proc/PID/map_files), or through a file of the same build id where the kernel
// recorded one. Which process a stack belongs to comes from the caller (a pid) or from a map of
// the same programs whose BTF key carries a pid beside a user stack id (libbpf-tools' profile,
// offcputime …), or whose key is bpftrace's stack id and pid in one u64. What cannot be named says why: process gone, file stripped, unreadable.
import type { Btf } from '../kernel/btf/index.js';
import { programSymbols, type ProgramSymbols } from '../kernel/elf/program-symbols.js';
import { decodeMapInfo, u32Array, type MapInfo } from '../kernel/info/index.js';
import { decodeStackFrames, symbolizeFrames } from '../kernel/maps/special.js';
import {
  decodeBuildIdFrames, isKernelAddress, parseProcMaps, symbolizeBuildIdFrame, symbolizeUserAddress,
  type FileSymbols, type Mapping, type UserFrame,
} from '../kernel/proc/user-stacks.js';
import { HostError, toHostError } from './host-error.js';
import type { HostSession } from './host-session.js';
import { MapStream } from './map-stream.js';

const MAP_TYPE_STACK_TRACE = 7;
const BPF_F_STACK_BUILD_ID = 1 << 5;
/** Stacks read per call, and entries of a pid-carrying map. */
const MAX_STACKS = 4096;
const MAPS_LIMIT = 4 << 20;
const ELF_LIMIT = 64 << 20;
const PID_FIELD = /^(pid|tgid)$/;
const USER_STACK_FIELD = /^(user_?stack(_?id)?|ustack(_?id)?|u_?stack_?id)$/;

export interface StackFrame {
  /** Hex, `0x…`. */
  address: string;
  kernel: boolean;
  symbol?: string;
  module?: string;
  note?: string;
}

export interface StackTraceView {
  mapId: number;
  buildIds: boolean;
  stacks: Array<{ stackId: number; pid?: number; frames: StackFrame[] }>;
  /** The map holds more than was read. */
  truncated: boolean;
  notes: string[];
}

interface Process {
  mappings?: Mapping[];
  gone?: true;
  error?: string;
}

/** ELF symbols by file (path and inode), kept for the session: libraries are shared by many processes. */
const fileCache = new WeakMap<HostSession, Map<string, Promise<FileSymbols>>>();

function fileSymbols(session: HostSession, pid: number, mapping: Mapping): Promise<FileSymbols> {
  let cache = fileCache.get(session);
  if (!cache) fileCache.set(session, (cache = new Map()));
  const key = `${mapping.path}:${mapping.inode}`;
  let known = cache.get(key);
  if (!known) {
    const path = `/proc/${pid}/map_files/${mapping.start.toString(16)}-${mapping.end.toString(16)}`;
    // A file too big or not ELF stays so: kept, as read once (a 99 MB node binary was read to the
    // limit again for each stack of each node process). Only a read through a process that has
    // gone meanwhile is tried again, through the next process mapping the file.
    let retry = false;
    known = session.host.readFile(path, ELF_LIMIT).then(
      (bytes) => {
        try {
          return programSymbols(bytes);
        } catch (error) {
          return { error: (error as Error).message };
        }
      },
      (error: unknown) => {
        const e = toHostError(error);
        retry = e.code === 'ENOENT' || e.code === 'ESRCH';
        return { error: `${mapping.path}: ${e.message}` };
      },
    );
    cache.set(key, known);
    void known.then(() => retry && cache!.delete(key));
  }
  return known;
}

async function processOf(session: HostSession, pid: number): Promise<Process> {
  try {
    return { mappings: parseProcMaps(new TextDecoder().decode(await session.host.readFile(`/proc/${pid}/maps`, MAPS_LIMIT))) };
  } catch (error) {
    const e = toHostError(error);
    return e.code === 'ENOENT' || e.code === 'ESRCH' ? { gone: true } : { error: e.message };
  }
}

/** The files each user address of a process falls in, read once each. */
async function symbolsFor(session: HostSession, pid: number, mappings: readonly Mapping[], addresses: readonly bigint[]): Promise<Map<Mapping, FileSymbols>> {
  const out = new Map<Mapping, FileSymbols>();
  for (const address of addresses) {
    const mapping = mappings.find((m) => address >= m.start && address < m.end);
    if (!mapping || out.has(mapping) || !mapping.path.startsWith('/')) continue;
    out.set(mapping, await fileSymbols(session, pid, mapping));
  }
  return out;
}

/** Offsets of a pid field and a user-stack-id field in a map's BTF key, when it has both. */
function pidStackFields(btf: Btf, keyTypeId: number): { pid: number; stack: number } | undefined {
  const key = btf.resolve(keyTypeId);
  if (key.kind !== 'struct') return undefined;
  const pid = key.members.find((m) => PID_FIELD.test(m.name) && btf.sizeOf(m.type) === 4);
  const stack = key.members.find((m) => USER_STACK_FIELD.test(m.name) && btf.sizeOf(m.type) === 4);
  return pid && stack && pid.bitOffset % 8 === 0 && stack.bitOffset % 8 === 0 ? { pid: pid.bitOffset / 8, stack: stack.bitOffset / 8 } : undefined;
}

interface KeyPids {
  pids: Map<number, number>;
  /** Stack ids whose pid came from bpftrace's packed keys, to be checked against the process. */
  packed: Set<number>;
}

/**
 * bpftrace keeps a user stack as a map key in one u64: the stack id in its low 32 bits, the pid
 * in its high 32 (its codegen of `ustack`; kernel stacks leave the pid 0). Its maps are named
 * `AT_…` and carry no BTF. Stack id → pid for the keys whose low half is one of `stackIds`.
 */
function bpftracePackedPids(keys: DataView, count: number, stackIds: ReadonlySet<number>, into: KeyPids, conflicts: Set<number>): void {
  for (let i = 0; i < count; i++) {
    const stack = keys.getUint32(i * 8, true);
    const pid = keys.getUint32(i * 8 + 4, true);
    if (pid === 0 || !stackIds.has(stack)) continue;
    const known = into.pids.get(stack);
    if (known !== undefined && known !== pid) conflicts.add(stack);
    into.pids.set(stack, pid);
    into.packed.add(stack);
  }
}

/** Stack id → pid, from maps of the programs using `mapId` whose keys carry both. */
async function pidsFromKeys(session: HostSession, mapId: number, stackIds: ReadonlySet<number>, notes: string[]): Promise<KeyPids> {
  const found: KeyPids = { pids: new Map(), packed: new Set() };
  const pids = found.pids;
  const conflicts = new Set<number>();
  const siblings = new Set<number>();
  for (const id of await session.host.listIds('prog')) {
    const raw = await session.host.progInfo(id, false);
    const maps = raw ? u32Array(raw.mapIds) : [];
    if (maps.includes(mapId)) for (const m of maps) if (m !== mapId) siblings.add(m);
  }
  for (const id of siblings) {
    const raw = await session.host.mapInfo(id);
    if (!raw) continue;
    const info = decodeMapInfo(raw.info);
    const packed = !info.btfKeyTypeId && info.keySize === 8 && (info.name ?? '').startsWith('AT_');
    const fields = !packed && info.btfId && info.btfKeyTypeId && info.keySize ? pidStackFields(await session.btf(info.btfId), info.btfKeyTypeId) : undefined;
    if (!packed && !fields) continue;
    const stream = await MapStream.open(session.host, id, { mode: 'next' });
    if (!stream) continue;
    const before = pids.size;
    let read = 0;
    for await (const page of stream.pages()) {
      const view = new DataView(page.keys.buffer, page.keys.byteOffset, page.keys.byteLength);
      if (fields) {
        for (let i = 0; i < page.count; i++) {
          const at = i * info.keySize!;
          const stack = view.getInt32(at + fields.stack, true);
          if (stack >= 0) pids.set(stack, view.getUint32(at + fields.pid, true));
        }
      } else {
        bpftracePackedPids(view, page.count, stackIds, found, conflicts);
      }
      read += page.count;
      if (read >= MAX_STACKS) break;
    }
    if (fields || pids.size > before) notes.push(`pids from the keys of map ${id}${info.name ? ` (${info.name})` : ''}${fields ? '' : ' (bpftrace\'s stack id and pid in one u64)'}`);
  }
  // One stack id recorded for two processes (the same addresses in both): which one is not known.
  for (const stack of conflicts) pids.delete(stack);
  if (conflicts.size > 0) notes.push(`${conflicts.size} stack(s) recorded for several processes: their user frames are not named`);
  return found;
}

/** A pid read from bpftrace's packed key holds if the stack's first user address, where the sample was taken, lies in code that process maps. */
function samplesProcess(process: Process, user: readonly bigint[]): boolean {
  if (!process.mappings || user.length === 0) return true;
  const first = user[0]!;
  return process.mappings.some((m) => first >= m.start && first < m.end && m.perms.includes('x'));
}

/** A stack map's stacks with every frame named where it can be; null when the map is gone. */
export async function readStackTraces(session: HostSession, mapId: number, options: { pid?: number } = {}): Promise<StackTraceView | null> {
  const raw = await session.host.mapInfo(mapId);
  if (!raw) return null;
  const info: MapInfo = decodeMapInfo(raw.info);
  if (info.type !== MAP_TYPE_STACK_TRACE) throw new HostError({ code: 'EINVAL', message: `map ${mapId}: not a stack_trace map` });
  const buildIds = ((info.mapFlags ?? 0) & BPF_F_STACK_BUILD_ID) !== 0;
  const stream = await MapStream.open(session.host, mapId, { mode: 'next' });
  if (!stream) return null;
  const notes: string[] = [];
  const values: Array<{ stackId: number; value: Uint8Array }> = [];
  let truncated = false;
  const { keySize, stride } = stream.layout;
  for await (const page of stream.pages()) {
    const keys = new DataView(page.keys.buffer, page.keys.byteOffset, page.keys.byteLength);
    for (let i = 0; i < page.count && values.length < MAX_STACKS; i++) values.push({ stackId: keys.getUint32(i * keySize, true), value: page.values.slice(i * stride, (i + 1) * stride) });
    if (values.length >= MAX_STACKS) {
      truncated = true;
      break;
    }
  }
  const fromKeys = options.pid === undefined ? await pidsFromKeys(session, mapId, new Set(values.map((v) => v.stackId)), notes) : undefined;
  const pidOf = (id: number): number | undefined => options.pid ?? fromKeys?.pids.get(id);
  const kallsyms = await session.kallsyms().catch(() => undefined);
  const processes = new Map<number, Promise<Process>>();
  const processAt = (pid: number): Promise<Process> => {
    let known = processes.get(pid);
    if (!known) processes.set(pid, (known = processOf(session, pid)));
    return known;
  };
  const byBuildId = new Map<string, { path: string; symbols: ProgramSymbols }>();
  const stacks: StackTraceView['stacks'] = [];
  let mismatched = 0;
  for (const { stackId, value } of values) {
    let pid = pidOf(stackId);
    if (buildIds) {
      if (pid !== undefined) await learnBuildIds(session, pid, await processAt(pid), byBuildId);
      const frames = decodeBuildIdFrames(value).map((f) => frameView(symbolizeBuildIdFrame(f, byBuildId.get(f.buildId)), false));
      stacks.push({ stackId, ...(pid !== undefined ? { pid } : {}), frames });
      continue;
    }
    const addresses = decodeStackFrames(value);
    const user = addresses.filter((a) => !isKernelAddress(a));
    let process = pid !== undefined && user.length > 0 ? await processAt(pid) : undefined;
    if (process && fromKeys?.packed.has(stackId) && !samplesProcess(process, user)) {
      mismatched++;
      pid = undefined;
      process = undefined;
    }
    const files = process?.mappings ? await symbolsFor(session, pid!, process.mappings, user) : new Map<Mapping, FileSymbols>();
    const frames = addresses.map((address): StackFrame => {
      if (isKernelAddress(address)) {
        const [named] = kallsyms ? symbolizeFrames([address], kallsyms) : [{ address }];
        return { address: hex(address), kernel: true, ...(named?.symbol ? { symbol: named.symbol } : {}), ...(named?.module ? { module: named.module } : {}) };
      }
      if (pid === undefined) return { address: hex(address), kernel: false, note: 'user frame: which process it came from is not known (give a pid)' };
      if (process?.gone) return { address: hex(address), kernel: false, note: `process ${pid} is gone` };
      if (!process?.mappings) return { address: hex(address), kernel: false, note: `process ${pid}: ${process?.error ?? 'not read'}` };
      return frameView(symbolizeUserAddress(address, process.mappings, (m) => files.get(m)), false);
    });
    stacks.push({ stackId, ...(pid !== undefined ? { pid } : {}), frames });
  }
  if (mismatched > 0) notes.push(`${mismatched} stack(s) whose key named a process that does not map their code now: their user frames are not named`);
  return { mapId, buildIds, stacks, truncated, notes };
}

/** Build ids of the files a process maps, to name build-id frames. */
async function learnBuildIds(session: HostSession, pid: number, process: Process, into: Map<string, { path: string; symbols: ProgramSymbols }>): Promise<void> {
  const seen = new Set<string>();
  for (const mapping of process.mappings ?? []) {
    if (!mapping.path.startsWith('/') || !mapping.perms.includes('x') || seen.has(mapping.path)) continue;
    seen.add(mapping.path);
    const symbols = await fileSymbols(session, pid, mapping);
    if (!('error' in symbols) && symbols.buildId && !into.has(symbols.buildId)) into.set(symbols.buildId, { path: mapping.path, symbols });
  }
}

function hex(address: bigint): string {
  return `0x${address.toString(16)}`;
}

function frameView(frame: UserFrame, kernel: boolean): StackFrame {
  return {
    address: hex(frame.address), kernel,
    ...(frame.symbol ? { symbol: frame.symbol } : {}), ...(frame.module ? { module: frame.module } : {}), ...(frame.note ? { note: frame.note } : {}),
  };
}
