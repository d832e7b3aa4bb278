// Where every program is hooked on a host: network namespaces (rtnetlink XDP and tc, tcx,
// flow_dissector, sk_lookup), the cgroup v2 tree, perf-event fds, struct_ops maps and links.
// Reads raw bytes through the Host and decodes them with main/kernel/attach.
import {
  ALL_ATTACH_FAMILIES,
  attachFamiliesOf,
  attachPointsByProgram,
  decodeFilterDump,
  decodeLinkDump,
  decodeProgArrayBatch,
  decodeQueryRecords,
  decodeRouteDump,
  decodeTaskFdQuery,
  decodeTcObjectDump,
  perfEventHolders,
  progArraySlots,
  resolveLwtProgram,
  tcFilterParents,
  structOpsProgIds,
  structOpsProgSlots,
  type AttachFamily,
  type AttachmentViews,
  type AttachPoint,
  type CgroupView,
  type Direction,
  type LwtCandidate,
  type NetnsRef,
  type NetView,
  type PerfAttachment,
  type PerfEventHolder,
  type QueryRecord,
  type TcObject,
} from '../kernel/attach/index.js';
import { decodeLinkInfo, decodeMapInfo, decodeProgInfo, type LinkInfo, type MapInfo } from '../kernel/info/index.js';
import type { ProgramExtension } from '../kernel/info/prog-targets.js';
import { decodeProgStatsSample } from '../kernel/live/index.js';
import { MAX_OBJECTS_PER_KIND, type Host, type MapReader } from './host.js';
import { readEntries } from './map-stream.js';
import { HostError, toHostError } from './host-error.js';
import type { HostSession } from './host-session.js';
import { everyMapShape } from './map-shape.js';
import { fetchEach } from './fetch-each.js';
import { programExtensions } from './prog-extensions.js';

/** enum bpf_attach_type values queried on cgroups: every cgroup hook up to Linux 6.18. */
const CGROUP_ATTACH_TYPES = [0, 1, 2, 3, 6, 8, 9, 10, 11, 12, 13, 14, 15, 18, 19, 20, 21, 22, 29, 30, 31, 32, 34, 43, 49, 50, 51, 52, 53];
const FLOW_DISSECTOR = 17;
const SK_LOOKUP = 36;
const TCX_INGRESS = 46;
const TCX_EGRESS = 47;
const MAP_TYPE_PROG_ARRAY = 3;
const MAP_TYPE_STRUCT_OPS = 26;
/** Slots read per page of a prog_array. */
const PROG_ARRAY_PAGE = 1024;
/** Maps walked per prog_array batch: every map of a busy host in one trip. */
const PROG_ARRAY_BATCH = 4096;
/** errnos that only mean "no such hook here" (EINVAL, EOPNOTSUPP, ENOTSUPP, EBADF). */
const NOT_A_HOOK = new Set([22, 95, 524, 9]);
const MAX_INTERFACES = 4096;
const MAX_ROUTES = 1 << 16;
const MOUNTS_LIMIT = 1 << 20;

type AttachQueries = Required<Pick<Host, 'netnsList' | 'rtnlDump' | 'netProgQuery' | 'cgroupQuery' | 'taskFds'>>;

function queries(host: Host): AttachQueries {
  const { netnsList, rtnlDump, netProgQuery, cgroupQuery, taskFds } = host;
  if (!netnsList || !rtnlDump || !netProgQuery || !cgroupQuery || !taskFds) {
    throw new HostError({ code: 'ENOTSUP', message: `${host.label}: this host's agent cannot query attachments`, hint: 'update the agent on that host' });
  }
  return {
    netnsList: netnsList.bind(host),
    rtnlDump: rtnlDump.bind(host),
    netProgQuery: netProgQuery.bind(host),
    cgroupQuery: cgroupQuery.bind(host),
    taskFds: taskFds.bind(host),
  };
}

/** Records that name programs or a real failure; "not a hook of this object" is dropped. */
function meaningful(records: QueryRecord[]): QueryRecord[] {
  return records.filter((r) => r.programs.length > 0 || (r.error !== undefined && !NOT_A_HOOK.has(r.error)));
}

function netnsLabel(path: string, pid: number, index: number): string {
  if (index === 0) return 'host';
  const named = /^(?:\/var)?\/run\/netns\/(.+)$/.exec(path);
  return named ? named[1]! : `pid ${pid}`;
}

/**
 * Loaded programs by type and name, read once per listing and only when a route needs them: in
 * one call where the host walks every program's stats at once (id, type and name are in it).
 */
function lwtCandidates(host: Host): () => Promise<LwtCandidate[]> {
  let all: Promise<LwtCandidate[]> | undefined;
  const load = async (): Promise<LwtCandidate[]> => {
    const out: LwtCandidate[] = [];
    if (host.progInfoAll) {
      const table = decodeProgStatsSample(await host.progInfoAll(MAX_OBJECTS_PER_KIND));
      for (let i = 0; i < table.count; i++) out.push({ id: table.id(i), type: table.type(i), name: table.name(i) });
      return out;
    }
    for (const id of await host.listIds('prog')) {
      const raw = await host.progInfo(id, false);
      if (!raw) continue;
      const info = decodeProgInfo(raw.info);
      out.push({ id, type: info.type, name: info.name ?? '' });
    }
    return out;
  };
  return () => (all ??= load());
}

/** Every route's LWT BPF hooks (RTM_GETROUTE), each matched to the loaded programs. */
async function lwtRoutes(q: AttachQueries, view: NetView, candidates: () => Promise<LwtCandidate[]>): Promise<void> {
  const routes = decodeRouteDump(await q.rtnlDump(view.netns.path, 'routes', 0, 0));
  for (const { programs, ...route } of routes.slice(0, MAX_ROUTES)) {
    const devname = route.oif === undefined ? undefined : view.interfaces.find((i) => i.ifindex === route.oif)?.name;
    for (const p of programs) {
      view.lwt.push({ ...route, ...(devname ? { devname } : {}), hook: p.hook, name: p.name, resolution: resolveLwtProgram(p.hook, p.name, await candidates()) });
    }
  }
}

async function netView(q: AttachQueries, ns: NetnsRef, candidates: () => Promise<LwtCandidate[]>): Promise<NetView> {
  const view: NetView = { netns: ns, interfaces: [], tc: [], tcx: [], flowDissector: [], skLookup: [], lwt: [], errors: [] };
  const note = (what: string, error: unknown): void => {
    view.errors.push(`${what}: ${toHostError(error).message}`);
  };
  view.interfaces = decodeLinkDump(await q.rtnlDump(ns.path, 'links', 0, 0)).slice(0, MAX_INTERFACES);
  let qdiscs: TcObject[] | undefined;
  try {
    qdiscs = decodeTcObjectDump(await q.rtnlDump(ns.path, 'qdiscs', 0, 0));
  } catch (error) {
    // Without the qdisc list (an older snapshot), clsact alone is asked, as before.
    note('qdiscs', error);
  }
  for (const iface of view.interfaces) {
    // Classes exist only under a classful qdisc, which always has a handle.
    const classful = qdiscs?.some((d) => d.ifindex === iface.ifindex && d.handle !== 0 && d.kind !== 'clsact' && d.kind !== 'ingress');
    try {
      const classes = classful ? decodeTcObjectDump(await q.rtnlDump(ns.path, 'classes', iface.ifindex, 0)) : [];
      for (const { parent, kind, direction } of tcFilterParents(iface.ifindex, qdiscs, classes)) {
        try {
          for (const f of decodeFilterDump(await q.rtnlDump(ns.path, 'filters', iface.ifindex, parent))) {
            view.tc.push({ ...f, devname: iface.name, kind, ...(direction ? { direction } : {}) });
          }
        } catch (error) {
          if (toHostError(error).code !== 'ENODEV') note(`${iface.name} ${kind}`, error);
        }
      }
    } catch (error) {
      // The interface can vanish between two dumps; anything else is worth saying.
      if (toHostError(error).code !== 'ENODEV') note(`${iface.name} classes`, error);
    }
    const tcx = decodeQueryRecords(await q.netProgQuery(ns.path, iface.ifindex, [TCX_INGRESS, TCX_EGRESS], 0));
    for (const record of tcx) {
      const direction: Direction = record.attachType === TCX_INGRESS ? 'ingress' : 'egress';
      for (const p of record.programs) {
        view.tcx.push({ ifindex: iface.ifindex, devname: iface.name, direction, progId: p.progId, ...(p.linkId ? { linkId: p.linkId } : {}) });
      }
    }
  }
  for (const record of meaningful(decodeQueryRecords(await q.netProgQuery(ns.path, 0, [FLOW_DISSECTOR, SK_LOOKUP], 0)))) {
    if (record.error !== undefined) note(`query attach type ${record.attachType}`, { code: 'EQUERY', message: `errno ${record.error}` });
    (record.attachType === FLOW_DISSECTOR ? view.flowDissector : view.skLookup).push(...record.programs);
  }
  try {
    await lwtRoutes(q, view, candidates);
  } catch (error) {
    // Snapshots taken before routes were read have no answer: the rest of the view stands.
    note('routes', error);
  }
  return view;
}

/** One view per network namespace, the host process's first. */
export async function listNetViews(host: Host): Promise<NetView[]> {
  const q = queries(host);
  const all = await q.netnsList();
  const candidates = lwtCandidates(host);
  const views: NetView[] = [];
  for (const [index, ns] of all.entries()) {
    const ref: NetnsRef = { inode: ns.inode, label: netnsLabel(ns.path, ns.pid, index), path: index === 0 ? null : ns.path };
    try {
      views.push(await netView(q, ref, candidates));
    } catch (error) {
      // A namespace whose last process exited meanwhile is normal; the host's own must work.
      if (index === 0) throw toHostError(error);
    }
  }
  return views;
}

/** Mount point of cgroup v2 (hybrid systems: /sys/fs/cgroup/unified). */
export async function cgroup2Mount(host: Host): Promise<string | undefined> {
  const mounts = new TextDecoder().decode(await host.readFile('/proc/mounts', MOUNTS_LIMIT));
  for (const line of mounts.split('\n')) {
    const [, target, type] = line.split(' ');
    if (type === 'cgroup2' && target) return target.replace(/\\040/g, ' ');
  }
  return undefined;
}

export async function listCgroupViews(host: Host, root?: string): Promise<CgroupView[]> {
  const q = queries(host);
  const mount = root ?? (await cgroup2Mount(host));
  if (!mount) throw new HostError({ code: 'ENOCGROUP2', message: `${host.label}: no cgroup v2 mount in /proc/mounts`, hint: 'mount -t cgroup2 none /sys/fs/cgroup/unified' });
  const raw = await q.cgroupQuery(mount, CGROUP_ATTACH_TYPES);
  return raw.map((c) => ({
    path: c.path,
    id: c.id,
    attached: meaningful(decodeQueryRecords(c.attached)),
    effective: meaningful(decodeQueryRecords(c.effective)),
  }));
}

/** errno of a perf event whose perf_event program BPF_TASK_FD_QUERY does not describe. */
const EOPNOTSUPP = 95;

export interface PerfEvents {
  /** What BPF_TASK_FD_QUERY describes: tracepoints, kprobes, uprobes … with their program. */
  attached: PerfAttachment[];
  /** Processes holding perf events that run perf_event programs the kernel does not name. */
  holders: PerfEventHolder[];
}

/** Every perf event with a program, from every process's fds (owners read only when some are unnamed). */
export async function listPerfEvents(session: HostSession): Promise<PerfEvents> {
  const raw = await queries(session.host).taskFds();
  const attached = raw.filter((r) => !r.error).map((r) => ({ ...decodeTaskFdQuery(r.attr, r.name), comm: r.comm }));
  const unnamed = raw.filter((r) => r.error === EOPNOTSUPP);
  return { attached, holders: unnamed.length === 0 ? [] : perfEventHolders(unnamed, await session.owners()) };
}

async function allLinks(host: Host): Promise<LinkInfo[]> {
  const links: LinkInfo[] = [];
  for (const id of await host.listIds('link')) {
    const raw = await host.linkInfo(id);
    if (raw) links.push(decodeLinkInfo(raw.info, raw));
  }
  return links;
}

/** A map's reader; null when it vanished or is an object file's map, which holds nothing until loaded. */
async function openUnlessUnloaded(host: Host, id: number): Promise<MapReader | null> {
  try {
    return await host.openMap(id);
  } catch (error) {
    if (error instanceof HostError && error.code === 'EOBJFILE') return null;
    throw error;
  }
}

/** struct_ops maps and the programs in their function-pointer slots (needs vmlinux BTF). */
export async function listStructOps(session: HostSession): Promise<AttachmentViews['structOps']> {
  const out: AttachmentViews['structOps'] = [];
  for (const info of await everyMapShape(session.host)) {
    const id = info.id;
    if (info.type !== MAP_TYPE_STRUCT_OPS || !info.btfVmlinuxValueTypeId || !info.valueSize) continue;
    // Opened first: an object file's map holds nothing to read, and its host no kernel types.
    const reader = await openUnlessUnloaded(session.host, id);
    if (!reader) continue;
    try {
      const slots = structOpsProgSlots(await session.vmlinuxBtf(), info.btfVmlinuxValueTypeId);
      const page = readEntries(await reader.read('next', null, 4, info.valueSize, 1), 4, info.valueSize);
      if (page.count > 0) out.push({ mapId: id, mapName: info.name ?? '', progIds: structOpsProgIds(page.values.subarray(0, info.valueSize), slots) });
    } finally {
      await reader.close();
    }
  }
  return out;
}

/** One prog_array map's tail-call targets; null when it is gone or holds nothing to read. */
async function progArray(host: Host, info: MapInfo): Promise<AttachmentViews['progArrays'][number] | null> {
  const reader = await openUnlessUnloaded(host, info.id);
  if (!reader) return null;
  const slots: AttachmentViews['progArrays'][number]['slots'] = [];
  try {
    let cursor: Uint8Array | null = null;
    // max_entries bounds the walk; a page that adds nothing ends it too.
    for (let read = 0; read <= (info.maxEntries ?? 0); ) {
      const page = await reader.read('next', cursor, 4, 4, PROG_ARRAY_PAGE);
      const filled = readEntries(page, 4, 4);
      slots.push(...progArraySlots(filled.keys, filled.values, filled.count, 4));
      read += page.count;
      if (page.done || page.count === 0) break;
      cursor = page.cursor;
    }
  } finally {
    await reader.close();
  }
  return { mapId: info.id, mapName: info.name ?? '', slots };
}

/**
 * prog_array maps and their tail-call targets (each slot's program id), in id order. Read in
 * batches where the host can: every map in one trip through the thread pool or over the wire
 * (show prog read ~120 arrays a map at a time, each a page read on the JS thread). Else the
 * maps are read side by side: each read is a trip of its own, and show prog waited for 110 of
 * them one after another (~6 ms idle).
 */
export async function listProgArrays(host: Host): Promise<AttachmentViews['progArrays']> {
  if (host.progArrayBatch) return batchedProgArrays(host, host.progArrayBatch.bind(host));
  const arrays = new Map((await everyMapShape(host)).filter((info) => info.type === MAP_TYPE_PROG_ARRAY && info.keySize === 4 && info.valueSize === 4).map((info) => [info.id, info]));
  return fetchEach([...arrays.keys()], (id) => progArray(host, arrays.get(id)!));
}

async function batchedProgArrays(host: Host, batchOf: (afterId: number, max: number) => Promise<Uint8Array>): Promise<AttachmentViews['progArrays']> {
  const out: AttachmentViews['progArrays'] = [];
  for (let after = 0, walked = 0; ; ) {
    const batch = decodeProgArrayBatch(await batchOf(after, Math.min(PROG_ARRAY_BATCH, MAX_OBJECTS_PER_KIND - walked)));
    for (const record of batch.records) {
      const info = decodeMapInfo(record.info);
      // Slots the batch could not read all of (a failed lookup, a full batch): the page walk.
      const array = record.slots ? { mapId: record.id, mapName: info.name ?? '', slots: record.slots } : await progArray(host, info);
      if (array) out.push(array);
    }
    walked += batch.walked;
    if (!batch.more || batch.walked === 0 || walked >= MAX_OBJECTS_PER_KIND) return out;
    after = batch.lastId;
  }
}

/** The attachments of the families asked for (every family unless said); the others are left empty. */
export async function collectAttachments(session: HostSession, families: ReadonlySet<AttachFamily> = ALL_ATTACH_FAMILIES): Promise<AttachmentViews> {
  const host = session.host;
  // Asked together: a local host walks /proc for perf events on the thread pool meanwhile.
  const [links, net, cgroups, perf, structOps, progArrays] = await Promise.all([
    families.has('links') ? allLinks(host) : [],
    families.has('net') ? listNetViews(host) : [],
    // A host without cgroup v2 (v1 only) has no cgroup attachments bpfscope can query.
    families.has('cgroups') ? cgroup2Mount(host).then((mount) => (mount ? listCgroupViews(host, mount) : [])) : [],
    families.has('perf') ? listPerfEvents(session) : { attached: [], holders: [] },
    families.has('structOps') ? listStructOps(session) : [],
    families.has('progArrays') ? listProgArrays(host) : [],
  ]);
  const extensions = families.has('links') ? await programExtensions(session, links) : [];
  return { links, extensions, net, cgroups, perf: perf.attached, perfHolders: perf.holders, structOps, progArrays };
}

/** How long one collection answers for every program of a session (a UI walking programs). */
export const ATTACH_POINTS_TTL_MS = 2000;
const ALL_KEY = [...ALL_ATTACH_FAMILIES].sort().join(',');
const LINKS_ONLY: ReadonlySet<AttachFamily> = new Set(['links']);

interface Collected {
  at: number;
  views: Promise<AttachmentViews>;
  points: Promise<Map<number, AttachPoint[]>>;
}

/** Collections under way or recent, by session and by the families they walked. */
const joined = new WeakMap<HostSession, Map<string, Collected>>();

function collected(session: HostSession, families: ReadonlySet<AttachFamily>, now: number): Collected {
  let bySession = joined.get(session);
  if (!bySession) joined.set(session, (bySession = new Map()));
  const key = [...families].sort().join(',');
  for (const cached of [bySession.get(key), bySession.get(ALL_KEY)]) {
    if (cached && now - cached.at < ATTACH_POINTS_TTL_MS) return cached;
  }
  const views = collectAttachments(session, families);
  const entry = { at: now, views, points: views.then(attachPointsByProgram) };
  bySession.set(key, entry);
  entry.points.catch(() => bySession.delete(key));
  return entry;
}

function attachPointsOf(session: HostSession, families: ReadonlySet<AttachFamily>, now: number): Promise<Map<number, AttachPoint[]>> {
  return collected(session, families, now).points;
}

/** The programs that run on this program's functions (fentry/fexit/freplace links): links are all it takes. */
export async function programExtendedBy(session: HostSession, progId: number, now: number = Date.now()): Promise<ProgramExtension[]> {
  return (await collected(session, LINKS_ONLY, now).views).extensions.filter((e) => e.targetProgId === progId);
}

/** Every program's attach points, collected once per session and reused for ATTACH_POINTS_TTL_MS. */
export function allAttachPoints(session: HostSession, now: number = Date.now()): Promise<Map<number, AttachPoint[]>> {
  return attachPointsOf(session, ALL_ATTACH_FAMILIES, now);
}

/**
 * Every attach point of one program (empty when nothing holds it or it is gone): only the kinds of attachment
 * its type allows are walked, unless the whole host's were collected just before.
 */
export async function programAttachPoints(session: HostSession, progId: number, now: number = Date.now()): Promise<AttachPoint[]> {
  const raw = await session.host.progInfo(progId, false);
  if (!raw) return [];
  return (await attachPointsOf(session, attachFamiliesOf(decodeProgInfo(raw.info).type), now)).get(progId) ?? [];
}
