// Which maps each program touches and how: the host reads the xlated code, names its calls
// through kallsyms (as far as they need, then the session's index), and main/kernel/access interprets it. Loaded code
// never changes, so a program's report is kept by id and tag for the session.
import { analyzeMapAccess, kfuncParams, type AccessEnvironment, type MapAccessReport } from '../kernel/access/index.js';
import type { Btf } from '../kernel/btf/index.js';
import { decodeFuncInfo, decodeProgInfo, u32Array, u64Array, type ProgInfo } from '../kernel/info/index.js';
import { decodeIds } from '../kernel/maps/special.js';
import { callTargetOf } from '../kernel/isa/resolve.js';
import type { KernelSymbols } from '../kernel/proc/kallsyms.js';
import { programCallSymbols } from './call-symbols.js';
import type { Host, RawProgInfo } from './host.js';
import { HostError } from './host-error.js';
import type { HostSession } from './host-session.js';
import { mapShape } from './map-shape.js';
import { MapStream } from './map-stream.js';

const MAP_TYPE_ARRAY_OF_MAPS = 12;
const MAP_TYPE_HASH_OF_MAPS = 13;
const OP_KFUNC_CALL = 0x85;
const PSEUDO_KFUNC_CALL = 2;

export interface ProgramAccess {
  progId: number;
  report: MapAccessReport;
  /** Some calls could not be named (no kallsyms, or kernel.kptr_restrict hides addresses): what they do is not known. */
  unnamedCalls?: true;
}

/** What every program's analysis on one host shares: kallsyms, map types, vmlinux BTF for kfuncs. */
export interface AccessContext {
  /** The names of a program's calls (its detailed info); undefined where kallsyms is unreadable or hides addresses. */
  symbols(raw: RawProgInfo, info: ProgInfo): Promise<KernelSymbols | undefined>;
  mapType(id: number): Promise<number | undefined>;
  innerMapType(outerId: number): Promise<number | undefined>;
  vmlinux(): Promise<Btf | undefined>;
}

const reports = new WeakMap<HostSession, Map<number, { tag: string | undefined; access: ProgramAccess }>>();

/** The first inner map an outer map holds (empty slots are walked past). */
async function firstInnerMapId(host: Host, outerId: number): Promise<number | undefined> {
  try {
    const stream = await MapStream.open(host, outerId, { mode: 'next', pageEntries: 64 });
    if (!stream) return undefined;
    for await (const page of stream.pages()) {
      if (page.count > 0) return decodeIds(page.values, page.count, stream.layout.stride)[0];
    }
    return undefined;
  } catch {
    return undefined;
  }
}

/** One context per question; map types are read on demand and remembered (`known`: types the caller already has). */
export async function accessContext(session: HostSession, known?: ReadonlyMap<number, number>): Promise<AccessContext> {
  const types = new Map<number, Promise<number | undefined>>([...(known ?? [])].map(([id, type]) => [id, Promise.resolve(type)]));
  const mapType = (id: number): Promise<number | undefined> => {
    let known = types.get(id);
    if (!known) {
      known = mapShape(session.host, id).then((info) => info?.type, () => undefined);
      types.set(id, known);
    }
    return known;
  };
  const inner = new Map<number, Promise<number | undefined>>();
  let vmlinux: Promise<Btf | undefined> | undefined;
  return {
    symbols: (raw, info) => programCallSymbols(session, raw, info).then((symbols) => (symbols.restricted ? undefined : symbols), () => undefined),
    mapType,
    innerMapType: (outerId) => {
      let known = inner.get(outerId);
      if (!known) {
        known = firstInnerMapId(session.host, outerId).then((id) => (id === undefined ? undefined : mapType(id)));
        inner.set(outerId, known);
      }
      return known;
    },
    vmlinux: () => (vmlinux ??= session.vmlinuxBtf().catch(() => undefined)),
  };
}

function hasKfuncCalls(xlated: Uint8Array): boolean {
  for (let at = 0; at + 8 <= xlated.length; at += 8) if (xlated[at] === OP_KFUNC_CALL && xlated[at + 1] >> 4 === PSEUDO_KFUNC_CALL) return true;
  return false;
}

/** The access report of one program, from its detailed info. */
export async function analyzeProgram(raw: RawProgInfo, info: ProgInfo, context: AccessContext): Promise<ProgramAccess> {
  const jitedKsyms = u64Array(raw.jitedKsyms);
  // Asked for first: kallsyms is read (on a local host, on the thread pool) while the maps are looked at.
  const named = context.symbols(raw, info);
  const mapIds = u32Array(raw.mapIds);
  const types = new Map<number, number | undefined>();
  const innerTypes = new Map<number, number | undefined>();
  for (const id of mapIds) {
    const type = await context.mapType(id);
    types.set(id, type);
    if (type === MAP_TYPE_ARRAY_OF_MAPS || type === MAP_TYPE_HASH_OF_MAPS) innerTypes.set(id, await context.innerMapType(id));
  }
  const subprogStarts = info.funcInfoRecSize && raw.funcInfo.byteLength > 0 ? decodeFuncInfo(raw.funcInfo, info.funcInfoRecSize).map((f) => f.insnOff) : undefined;
  const symbols = await named;
  const resolvers = symbols
    ? { ...(symbols.callBase !== undefined ? { callBase: symbols.callBase } : {}), kernelSymbol: (a: bigint) => symbols.symbolAt(a), jitedKsyms }
    : { jitedKsyms };
  let unnamed = false;
  const env: AccessEnvironment = {
    callName: (insn) => {
      const name = callTargetOf(insn, 'xlated', resolvers).name;
      if (name === undefined) unnamed = true;
      return name;
    },
    mapType: (id) => types.get(id),
    innerMapType: (id) => innerTypes.get(id),
  };
  const btf = hasKfuncCalls(raw.xlated) ? await context.vmlinux() : undefined;
  if (btf) env.kfuncParams = (name) => kfuncParams(btf, name);
  const report = analyzeMapAccess({ insns: raw.xlated, decode: { jitedCalls: jitedKsyms.length > 0, ...(subprogStarts ? { subprogStarts } : {}) } }, env);
  const access: ProgramAccess = { progId: info.id, report };
  if (unnamed) access.unnamedCalls = true;
  return access;
}

/**
 * A program's map accesses; null when it is not loaded. `tag`: the program's tag when the caller
 * has it (a listing), so a program analysed before is answered without reading its code again.
 */
export async function programAccess(session: HostSession, id: number, context?: AccessContext, tag?: string): Promise<ProgramAccess | null> {
  let cache = reports.get(session);
  if (!cache) reports.set(session, (cache = new Map()));
  const seen = cache.get(id);
  if (seen && tag !== undefined && seen.tag === tag) return seen.access;
  const raw = await session.host.progInfo(id, true);
  if (!raw) return null;
  const info = decodeProgInfo(raw.info);
  const known = cache.get(id);
  if (known && known.tag === info.tag) return known.access;
  if (raw.xlated.byteLength === 0) {
    throw new HostError({ code: 'ENOXLATED', message: `prog ${id}: the kernel returned no instructions`, hint: 'kernel.kptr_restrict or missing CAP_SYS_ADMIN hides xlated code (see bpfscope doctor)', id });
  }
  const access = await analyzeProgram(raw, info, context ?? (await accessContext(session)));
  cache.set(id, { tag: info.tag, access });
  return access;
}
