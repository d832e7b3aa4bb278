// A loaded program's code as the listing views need it: xlated instructions
// with function headers and source lines from its BTF, calls named through the
// host's kallsyms (only as far as this program's calls need, or from the session's
// index; bpftool rereads all of it per program), map references named, the
// control-flow graph, and the JIT image.
import { bpftoolFuncSignature, type Btf } from '../kernel/btf/index.js';
import { decodeFuncInfo, decodeLineInfo, decodeMapInfo, decodeProgInfo, u32Array, u64Array, type ProgInfo } from '../kernel/info/index.js';
import { buildListing, type FuncInfoRecord, type LineInfoRecord, type Listing, type MapSummary } from '../kernel/isa/index.js';
import { mapTypeName } from '../kernel/names/index.js';
import { programCallSymbols } from './call-symbols.js';
import type { RawProgInfo } from './host.js';
import type { HostSession } from './host-session.js';

export interface ProgramCode {
  info: ProgInfo;
  listing: Listing;
  /** JIT image and where each function starts; empty when not JIT-ed or hidden (kptr_restrict). */
  jited: Uint8Array;
  jitedKsyms: bigint[];
  jitedFuncLens: number[];
}

function funcRecords(raw: RawProgInfo, info: ProgInfo, btf: Btf | undefined): FuncInfoRecord[] {
  if (!btf || !info.funcInfoRecSize || raw.funcInfo.byteLength === 0) return [];
  return decodeFuncInfo(raw.funcInfo, info.funcInfoRecSize).map((r) => ({ insnOff: r.insnOff, text: bpftoolFuncSignature(btf, r.typeId) }));
}

function lineRecords(raw: RawProgInfo, info: ProgInfo, btf: Btf | undefined): LineInfoRecord[] {
  if (!btf || !info.lineInfoRecSize || raw.lineInfo.byteLength === 0) return [];
  return decodeLineInfo(raw.lineInfo, info.lineInfoRecSize).map((r) => ({
    insnOff: r.insnOff,
    fileName: btf.stringAt(r.fileNameOff) ?? '',
    lineText: btf.stringAt(r.lineOff) ?? '',
    line: r.line,
    col: r.col,
  }));
}

async function mapSummaries(session: HostSession, ids: readonly number[]): Promise<Map<number, MapSummary>> {
  const maps = new Map<number, MapSummary>();
  for (const id of ids) {
    const raw = await session.host.mapInfo(id);
    if (!raw) continue;
    const info = decodeMapInfo(raw.info);
    const type = mapTypeName(info.type);
    maps.set(id, { id, ...(info.name ? { name: info.name } : {}), ...(type ? { type } : {}) });
  }
  return maps;
}

/** null when the program is not loaded (or vanished while being read). */
export async function programCode(session: HostSession, id: number): Promise<ProgramCode | null> {
  const raw = await session.host.progInfo(id, true);
  if (!raw) return null;
  const info = decodeProgInfo(raw.info);
  const jitedKsyms = u64Array(raw.jitedKsyms);
  // Without BTF or kallsyms the listing still builds, with fewer names, as bpftool's does.
  const [symbols, btf, maps] = await Promise.all([
    programCallSymbols(session, raw, info).catch(() => undefined),
    info.btfId ? session.btf(info.btfId).catch(() => undefined) : undefined,
    mapSummaries(session, u32Array(raw.mapIds)),
  ]);
  const listing = buildListing(
    { insns: raw.xlated, origin: 'xlated', funcInfo: funcRecords(raw, info, btf), lineInfo: lineRecords(raw, info, btf) },
    {
      ...(symbols?.callBase !== undefined ? { callBase: symbols.callBase } : {}),
      kernelSymbol: (address) => symbols?.symbolAt(address),
      jitedKsyms,
      map: (key) => (key.by === 'id' ? maps.get(key.value) ?? { id: key.value } : undefined),
    },
  );
  return { info, listing, jited: raw.jited, jitedKsyms, jitedFuncLens: u32Array(raw.jitedFuncLens) };
}
