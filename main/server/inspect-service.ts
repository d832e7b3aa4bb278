// One-shot inspection answers: a program's attach points, the host's diagnostics,
// and the BTF browser (types by name, one type as C). BTF is that of a program or
// map (btfId) or, without one, the kernel's vmlinux.
import { ApiError } from '../api/errors.js';
import type { BtfTypeRef, BtfTypeText, JsonRecord } from '../api/view-records.js';
import { typeViewC, type Btf } from '../kernel/btf/index.js';
import { programAttachPoints, programExtendedBy } from '../hosts/attachments.js';
import { extendedByJson } from '../kernel/info/prog-targets.js';
import { renderTokenJson } from '../kernel/info/token-list.js';
import { readProgramStream } from '../hosts/bpf-streams.js';
import { hostTokens } from '../hosts/tokens.js';
import { arenaReadJson, readArena } from '../hosts/arena.js';
import { diagnoseHost } from '../hosts/diagnostics.js';
import type { HostSession } from '../hosts/host-session.js';
import type { JsonValue } from '../kernel/info/index.js';
import { toWireJson, type WireJson } from './wire-json.js';

const DEFAULT_SEARCH_LIMIT = 200;

/** Plain data records of the host layer (numbers, strings, bigints, arrays) as wire JSON. */
export function wire(value: unknown): WireJson {
  return toWireJson(value as JsonValue);
}

function btfOf(session: HostSession, btfId: number | undefined): Promise<Btf> {
  return btfId ? session.btf(btfId) : session.vmlinuxBtf();
}

export async function attachPointsOf(session: HostSession, id: number): Promise<JsonRecord[]> {
  return wire(await programAttachPoints(session, id)) as JsonRecord[];
}

export async function extendedByOf(session: HostSession, id: number): Promise<JsonRecord[]> {
  return wire(extendedByJson(await programExtendedBy(session, id))) as JsonRecord[];
}

export async function tokensOf(session: HostSession): Promise<JsonRecord[]> {
  return wire((await hostTokens(session.host)).map(renderTokenJson)) as JsonRecord[];
}

/** A stream read for the dashboard: the same keys as `tracelog stdout|stderr ID --json`. */
export async function programStreamOf(session: HostSession, id: number, stream: 'stdout' | 'stderr'): Promise<JsonRecord> {
  const read = await readProgramStream(session, id, stream);
  return wire({ prog_id: id, stream, bytes: read.bytes, text: read.text, entries: read.entries }) as JsonRecord;
}

/** Present pages the dashboard shows of an arena at most (their count is always said). */
const ARENA_PAGES_SHOWN = 64;

export async function arenaOf(session: HostSession, id: number): Promise<JsonRecord> {
  return wire(arenaReadJson(await readArena(session, id, ARENA_PAGES_SHOWN), 'lines')) as JsonRecord;
}

export async function diagnosticsOf(session: HostSession): Promise<JsonRecord[]> {
  return wire(await diagnoseHost(session.host)) as JsonRecord[];
}

/** Named types whose name contains `query` (case-insensitive); exact matches first. */
export async function searchBtfTypes(session: HostSession, btfId: number | undefined, query: string, limit = DEFAULT_SEARCH_LIMIT): Promise<BtfTypeRef[]> {
  const btf = await btfOf(session, btfId);
  const needle = query.trim().toLowerCase();
  const exact: BtfTypeRef[] = [];
  const partial: BtfTypeRef[] = [];
  for (let id = 1; id < btf.typeCount && exact.length + partial.length < limit * 4; id++) {
    const t = btf.type(id);
    if (!t.name || (t.kind !== 'struct' && t.kind !== 'union' && t.kind !== 'enum' && t.kind !== 'enum64' && t.kind !== 'typedef' && t.kind !== 'func' && t.kind !== 'datasec')) continue;
    const name = t.name.toLowerCase();
    if (needle && !name.includes(needle)) continue;
    (name === needle ? exact : partial).push({ id, kind: t.kind, name: t.name });
  }
  return exact.concat(partial).slice(0, limit);
}

export async function btfTypeText(session: HostSession, btfId: number | undefined, typeId: number): Promise<BtfTypeText> {
  const btf = await btfOf(session, btfId);
  if (typeId >= btf.typeCount) throw new ApiError({ code: 'ENOENT', message: `btf ${btfId ?? 'vmlinux'}: no type ${typeId}` });
  const t = btf.type(typeId);
  const text: BtfTypeText = { id: typeId, kind: t.kind, name: t.name ?? '', ...typeViewC(btf, typeId) };
  if (btfId) text.btfId = btfId;
  return text;
}
