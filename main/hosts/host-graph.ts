// The host graph and program summaries, gathered from a host: what is loaded (inventory), where
// it runs (attach points), which maps each program touches (access analysis), who holds what
// (owners and their context). Any part a host cannot answer (an object file has no attach
// points, a program's code can be hidden) is left out and said in `notes`, never guessed.
import type { AttachPoint } from '../kernel/attach/index.js';
import { buildHostGraph, type GraphLink, type GraphObject, type HostGraph } from '../kernel/graph/host-graph.js';
import { summarizeProgram, type ProgramSummary, type SummaryBusy, type SummaryHolder } from '../kernel/graph/program-summary.js';
import type { MapAccessReport } from '../kernel/access/index.js';
import { decodeMapInfo, progFullName, type LinkShow, type ProgShow } from '../kernel/info/index.js';
import { tracingLinkTarget } from '../kernel/info/prog-targets.js';
import { linkTypeName, mapTypeName, progTypeName } from '../kernel/names/index.js';
import { allAttachPoints, programAttachPoints } from './attachments.js';
import { toHostError } from './host-error.js';
import type { HostSession } from './host-session.js';
import { getProgram, listLinks, listMaps, listPrograms } from './inventory.js';
import { readMapSpecial } from './map-special.js';
import { ownerContexts, ownerPlace } from './owner-context.js';
import { targetKind } from './owners.js';
import { accessContext, programAccess } from './program-access.js';

const MAP_IN_MAP_TYPES = new Set([12, 13]);
const STATS_SYSCTL = '/proc/sys/kernel/bpf_stats_enabled';

export interface CollectedGraph {
  graph: HostGraph;
  /** What could not be read, in words. */
  notes: string[];
}

function pidsOf(owners: readonly { pid: number }[] | undefined): number[] {
  return [...new Set((owners ?? []).map((o) => o.pid))];
}

/** fentry/fexit/freplace links on a program: the program whose function the linked program runs on (prog-targets.ts). */
function tracingTarget(link: LinkShow, programs: ReadonlyMap<number, ProgShow>): number | undefined {
  const tracer = link.info.progId === undefined ? undefined : programs.get(link.info.progId);
  const target = tracingLinkTarget(link.info, tracer?.info);
  return target?.kind === 'program' && programs.has(target.progId) ? target.progId : undefined;
}

async function innerMapIds(session: HostSession, mapId: number): Promise<number[]> {
  const special = await readMapSpecial(session, mapId);
  return special.kind === 'map-ids' ? special.slots.map((s) => s.id) : [];
}

export async function collectHostGraph(session: HostSession): Promise<CollectedGraph> {
  const notes: string[] = [];
  const [programs, maps, links] = await Promise.all([listPrograms(session), listMaps(session), listLinks(session)]);
  let attachPoints: Map<number, AttachPoint[]> = new Map();
  try {
    attachPoints = await allAttachPoints(session);
  } catch (error) {
    notes.push(`attach points: ${toHostError(error).message}`);
  }
  const context = await accessContext(session, new Map(maps.map((m) => [m.info.id, m.info.type])));
  const access = new Map<number, MapAccessReport>();
  const unanalysed: string[] = [];
  for (const show of programs) {
    try {
      const result = await programAccess(session, show.info.id, context, show.info.tag);
      if (result) access.set(show.info.id, result.report);
    } catch (error) {
      unanalysed.push(`prog ${show.info.id} (${toHostError(error).message})`);
    }
  }
  if (unanalysed.length > 0) notes.push(`map access not analysed for ${unanalysed.length} program(s): ${unanalysed.slice(0, 5).join('; ')}`);
  const innerMaps = new Map<number, number[]>();
  for (const m of maps) {
    if (!MAP_IN_MAP_TYPES.has(m.info.type)) continue;
    try {
      innerMaps.set(m.info.id, await innerMapIds(session, m.info.id));
    } catch (error) {
      notes.push(`map ${m.info.id}: inner maps not read (${toHostError(error).message})`);
    }
  }

  const byId = new Map(programs.map((p) => [p.info.id, p]));
  const comms = new Map<number, string>();
  const held = new Map<number, number>();
  for (const o of [...programs, ...maps, ...links].flatMap((s) => s.owners ?? [])) {
    if (!comms.has(o.pid)) comms.set(o.pid, o.comm);
    held.set(o.pid, (held.get(o.pid) ?? 0) + 1);
  }
  const contexts = await ownerContexts(session, [...comms.keys()]);
  const processes = contexts.map((c) => {
    const place = ownerPlace(c);
    return { pid: c.pid, comm: comms.get(c.pid) ?? '', held: held.get(c.pid) ?? 0, ...(place ? { place } : {}) };
  });
  const graphPrograms: GraphObject[] = programs.map((p) => ({
    id: p.info.id, type: progTypeName(p.info.type) ?? String(p.info.type), name: progFullName(p.info, p.firstFuncName), pids: pidsOf(p.owners),
  }));
  const graphMaps: GraphObject[] = maps.map((m) => ({ id: m.info.id, type: mapTypeName(m.info.type) ?? String(m.info.type), name: m.info.name ?? '', pids: pidsOf(m.owners) }));
  const graphLinks: GraphLink[] = links.map((l) => {
    const type = linkTypeName(l.info.type) ?? String(l.info.type);
    const target = tracingTarget(l, byId);
    const mapId = l.info.details?.kind === 'struct_ops' ? l.info.details.mapId : undefined;
    return {
      id: l.info.id, type, name: `${type} link ${l.info.id}`, pids: pidsOf(l.owners),
      ...(l.info.progId ? { progId: l.info.progId } : {}), ...(target !== undefined ? { targetProgId: target } : {}), ...(mapId ? { mapId } : {}),
    };
  });
  const graph = buildHostGraph({ programs: graphPrograms, maps: graphMaps, links: graphLinks, processes, attachPoints, access, innerMaps });
  return { graph, notes };
}

/** How many BPF objects each of `pids` holds (from the owner scan). */
async function heldCounts(session: HostSession, pids: readonly number[]): Promise<Map<number, number>> {
  const counts = new Map<number, number>();
  if (pids.length === 0) return counts;
  const wanted = new Set(pids);
  // The command's one walk of /proc (the program's owners came from it).
  for (const fd of await session.owners().catch(() => [])) {
    const kind = targetKind(fd.target);
    // Programs, maps and links: a BTF fd is not counted as an object held.
    if (wanted.has(fd.pid) && kind !== undefined && kind !== 'btf') counts.set(fd.pid, (counts.get(fd.pid) ?? 0) + 1);
  }
  return counts;
}

/** Whether the kernel counts runs now: the sysctl, or someone holding a BPF_ENABLE_STATS fd. */
async function statsOn(session: HostSession): Promise<boolean> {
  const sysctl = await session.host.readFile(STATS_SYSCTL, 64).then((b) => new TextDecoder().decode(b).trim() === '1', () => false);
  if (sysctl) return true;
  return (await session.owners().catch(() => [])).some((fd) => fd.target === 'anon_inode:bpf-stats');
}

/** A program's summary; null when it is not loaded. `busy` overrides the counters (live rates). */
export async function programSummary(session: HostSession, id: number, busy?: SummaryBusy): Promise<ProgramSummary | null> {
  // Asked for together, the access analysis first: it starts reading kallsyms (as far as the
  // program's calls) before the attach point queries' synchronous syscalls and without waiting
  // for the walk of /proc that names the program's owners.
  const [access, show, points, stats] = await Promise.all([
    programAccess(session, id).then(
      (a) => (a ? a.report : { error: 'not loaded' }),
      (error: unknown) => ({ error: toHostError(error).message }),
    ),
    getProgram(session, id),
    programAttachPoints(session, id).catch(() => [] as AttachPoint[]),
    busy ? Promise.resolve(busy.stats) : statsOn(session),
  ]);
  if (!show) return null;
  const pids = pidsOf(show.owners);
  const [contexts, held] = await Promise.all([ownerContexts(session, pids), heldCounts(session, pids)]);
  const holders: SummaryHolder[] = contexts.map((c) => {
    const place = ownerPlace(c);
    const holder: SummaryHolder = { pid: c.pid, comm: show.owners?.find((o) => o.pid === c.pid)?.comm ?? '', held_objects: held.get(c.pid) ?? 1 };
    if (c.commandLine) holder.command_line = c.commandLine;
    if (place) holder.place = place;
    if (c.gone) holder.gone = true;
    return holder;
  });
  const names = new Map<number, { name: string; type: string }>();
  if (!('error' in access)) {
    for (const m of access.maps) {
      const raw = await session.host.mapInfo(m.mapId);
      if (!raw) continue;
      const info = decodeMapInfo(raw.info);
      names.set(m.mapId, { name: info.name ?? '', type: mapTypeName(info.type) ?? String(info.type) });
    }
  }
  const counters: SummaryBusy = { stats, ...(show.info.runCnt !== undefined ? { run_cnt: Number(show.info.runCnt) } : {}), ...(show.info.runTimeNs !== undefined ? { run_time_ns: Number(show.info.runTimeNs) } : {}) };
  const section = session.host.objectSection?.(id);
  return summarizeProgram({
    progType: progTypeName(show.info.type) ?? String(show.info.type), ...(section !== undefined ? { objectSection: section } : {}), attachPoints: points, holders, access, map: (mapId) => names.get(mapId), busy: busy ?? counters,
  });
}
