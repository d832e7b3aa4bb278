// What is loaded on a host: programs, maps and links decoded from raw info,
// joined with their owners — the inputs of every listing and detail view.
import {
  decodeFuncInfo,
  decodeLinkInfo,
  decodeMapInfo,
  decodeProgInfo,
  parseFdinfo,
  u32Array,
  type LinkShow,
  type MapShow,
  type ProgInfo,
  type ProgShow,
} from '../kernel/info/index.js';
import { decodeProgBatch, type ProgBatch } from '../kernel/info/prog-batch.js';
import { MAX_OBJECTS_PER_KIND, type Host, type RawOwnerFd, type RawProgInfo } from './host.js';
import type { HostSession } from './host-session.js';
import { indexOwners, ownerKey, type OwnerIndex } from './owners.js';
import { programMetadata } from './prog-metadata.js';
import { fetchEach, LIST_SLICE_MS } from './fetch-each.js';
import { TimeSlices } from './time-slices.js';

/** The kernel keeps 15 characters of a name; bpftool then takes the BTF name of the first function. */
const KERNEL_NAME_MAX = 15;

/** Full names found so far, by program id and tag: a loaded program's BTF never changes. */
type FuncNames = Map<number, { tag: string | undefined; name: string | undefined }>;
const funcNamesBySession = new WeakMap<HostSession, FuncNames>();

/** Indexes of the session's owner walks (shared by the lists asked for together). */
const ownerIndexes = new WeakMap<Promise<RawOwnerFd[]>, Promise<OwnerIndex>>();

function ownerIndex(session: HostSession): Promise<OwnerIndex> {
  const walk = session.owners();
  let index = ownerIndexes.get(walk);
  if (!index) ownerIndexes.set(walk, (index = walk.then(indexOwners)));
  return index;
}

/** Whether bpftool would name the program after its first BTF function (a name cut at 15 characters). */
function hasLongName(info: ProgInfo): boolean {
  return (info.name ?? '').length >= KERNEL_NAME_MAX && !!info.btfId && !!info.nrFuncInfo;
}

async function firstFuncName(session: HostSession, raw: ListedProg, info: ProgInfo): Promise<string | undefined> {
  const known = funcNamesBySession.get(session)?.get(info.id);
  if (known && known.tag === info.tag) return known.name;
  const detail = raw.funcInfo && raw.funcInfo.byteLength > 0 ? { funcInfo: raw.funcInfo } : await session.host.progInfo(raw.id, true);
  if (!detail || detail.funcInfo.byteLength === 0 || !info.funcInfoRecSize) return undefined;
  const [first] = decodeFuncInfo(detail.funcInfo, info.funcInfoRecSize, 1);
  if (!first) return undefined;
  try {
    const btf = await session.btf(info.btfId!);
    return btf.type(first.typeId).name || undefined;
  } catch {
    // BTF gone or unreadable: bpftool then shows the truncated name too.
    return undefined;
  }
}

/** What a listing reads of a program; RawProgInfo's other arrays are read only for a full name. */
type ListedProg = Pick<RawProgInfo, 'id' | 'info' | 'mapIds' | 'fdinfo'> & Partial<Pick<RawProgInfo, 'funcInfo'>>;

/** What a listing reads besides each object's info. */
export interface ListReach {
  /** The processes holding each object: a walk of /proc (the agent's, on a remote host). */
  owners: boolean;
  /** Programs' metadata: a read of the maps each program uses. */
  metadata: boolean;
}

/** What ls and the dashboard show. */
const WHOLE: ListReach = { owners: true, metadata: true };

/**
 * A program's show, its full name and metadata (when `metadata`) still to come from the returned
 * promise, which is undefined for a program that can have neither (most of a listing: no turn
 * of the event loop).
 */
function programShowOf(session: HostSession, raw: ListedProg, metadata: boolean): { show: ProgShow; rest?: Promise<void> } {
  const info = decodeProgInfo(raw.info);
  const mapIds = u32Array(raw.mapIds);
  const show: ProgShow = { info, mapIds, fdinfo: parseFdinfo(raw.fdinfo) };
  const named = hasLongName(info);
  const withMetadata = metadata && mapIds.length > 0;
  if (!named && !withMetadata) return { show };
  const rest = Promise.all([
    named ? firstFuncName(session, raw, info) : undefined,
    // Like bpftool, a program whose metadata cannot be read is shown without it.
    withMetadata ? programMetadata(session, mapIds).catch(() => undefined) : undefined,
  ]).then(([name, read]) => {
    if (name) show.firstFuncName = name;
    if (read) show.metadata = read;
  });
  return { show, rest };
}

async function programShow(session: HostSession, raw: RawProgInfo, metadata: boolean): Promise<ProgShow> {
  const { show, rest } = programShowOf(session, raw, metadata);
  await rest;
  return show;
}

/** Programs read a batch at a time (one addon call or agent round trip each). */
const PROG_BATCH = 128;

/**
 * Handed each batch of a listing in id order, complete (owners, full names, metadata), while the
 * next batch is read: a caller formats one batch as the kernel copies out the next.
 */
export type ShowBatches<T> = (shows: readonly T[]) => void | Promise<void>;

/** Sets the owners of a batch of shows; resolves once the owner scan has. */
type Owned<T> = (shows: T[]) => Promise<T[]>;

/**
 * Every program's show from a host that reads them in batches. The next batch is asked for as
 * soon as the last one's ids are known: the addon reads it on the thread pool, an agent answers
 * it over the wire, while this one is decoded. Each batch is handed on, in order, once its
 * owners, names and metadata are in, without holding up the reads (the owner walk can take
 * longer than a few batches).
 */
async function programShowsBatched(session: HostSession, batch: NonNullable<Host['progInfoBatch']>, metadata: boolean, owned: Owned<ProgShow>, onBatch?: ShowBatches<ProgShow>): Promise<ProgShow[]> {
  const shows: ProgShow[] = [];
  let listed = 0;
  const slices = new TimeSlices(LIST_SLICE_MS);
  let handedOn: Promise<unknown> = Promise.resolve();
  const read = (after: number, max: number) => batch.call(session.host, after, Math.min(PROG_BATCH, max)).then(decodeProgBatch);
  try {
    for (let next: Promise<ProgBatch> | undefined = read(0, MAX_OBJECTS_PER_KIND); next; ) {
      const page: ProgBatch = await next;
      const last = page.records.at(-1);
      const room = MAX_OBJECTS_PER_KIND - listed - page.records.length;
      next = page.more && last && room > 0 ? read(last.id, room) : undefined;
      // Should this batch's decoding throw, the next one's failure is not left unhandled.
      next?.catch(() => undefined);
      const pageShows: ProgShow[] = [];
      const rests: Promise<void>[] = [];
      for (const raw of page.records) {
        const { show, rest } = programShowOf(session, raw, metadata);
        pageShows.push(show);
        // Handed on a batch at a time, shows are not kept: a thousand of them outliving the
        // young generation's collections made each collection copy them all.
        if (!onBatch) shows.push(show);
        if (rest) rests.push(rest);
      }
      listed += page.records.length;
      handedOn = handedOn.then(() => Promise.all(rests)).then(() => owned(pageShows)).then((complete) => onBatch?.(complete));
      await slices.due();
    }
  } finally {
    // Should a read fail, a batch's failure to come is not left unhandled.
    handedOn.catch(() => undefined);
  }
  await handedOn;
  return shows;
}

/** Sets each show's owners from the owner scan (started before the objects were read, and running beside their reads on a local host). */
async function withOwners<T extends ProgShow | MapShow | LinkShow>(kind: 'prog' | 'map' | 'link', shows: T[], scan: Promise<OwnerIndex>): Promise<T[]> {
  const owners = await scan;
  if (owners.size === 0) return shows;
  for (const show of shows) {
    const pids = owners.get(ownerKey(kind, show.info.id));
    if (pids) show.owners = pids;
  }
  return shows;
}

/** The full names of the programs among shows that the kernel cut, into names. */
function collectFuncNames(names: FuncNames, shows: readonly ProgShow[]): void {
  for (const { info, firstFuncName: name } of shows) {
    if ((info.name ?? '').length >= KERNEL_NAME_MAX) names.set(info.id, { tag: info.tag, name });
  }
}

/**
 * Lists reading every object of a kind (by `read`, which sets owners with the function it is
 * given, else by id), with the owner scan running alongside, or none when `owners` is false.
 */
async function listWithOwners<T extends ProgShow | MapShow | LinkShow>(session: HostSession, kind: 'prog' | 'map' | 'link', owners: boolean, fetch: (id: number) => Promise<T | null>, read?: (owned: Owned<T>) => Promise<T[]>): Promise<T[]> {
  let owned: Owned<T> = async (shows) => shows;
  if (owners) {
    const scan = ownerIndex(session);
    // Should reading the objects fail first, the scan's failure is not left unhandled.
    scan.catch(() => undefined);
    owned = (shows) => withOwners(kind, shows, scan);
  }
  return read ? read(owned) : owned(await fetchEach(await session.host.listIds(kind), fetch));
}

async function getWithOwners<T extends ProgShow | MapShow | LinkShow>(session: HostSession, kind: 'prog' | 'map' | 'link', fetch: () => Promise<T | null>): Promise<T | null> {
  const owners = ownerIndex(session);
  owners.catch(() => undefined);
  const found = await fetch();
  return found && (await withOwners(kind, [found], owners))[0]!;
}

/** One program as getProgram shows it (without its metadata when `metadata` is false), without its owners (no walk of /proc). */
export async function getProgramUnowned(session: HostSession, id: number, metadata = true): Promise<ProgShow | null> {
  const raw = await session.host.progInfo(id, false);
  return raw && programShow(session, raw, metadata);
}

/**
 * Every program; `onBatch`, when given, has each batch as soon as it is complete (all of them at
 * once from a host without batches), and then a host's batches are not returned as well. The full
 * names of the programs listed, and only those (programs come and go), are kept. `reach`: what is
 * read besides each program's info (a lookup by name or tag needs neither owners nor metadata).
 */
export async function listPrograms(session: HostSession, onBatch?: ShowBatches<ProgShow>, reach: ListReach = WHOLE): Promise<ProgShow[]> {
  const names: FuncNames = new Map();
  const handOn =
    onBatch &&
    ((shows: readonly ProgShow[]) => {
      collectFuncNames(names, shows);
      return onBatch(shows);
    });
  const batch = session.host.progInfoBatch;
  const read = batch && ((owned: Owned<ProgShow>) => programShowsBatched(session, batch, reach.metadata, owned, handOn));
  const shows = await listWithOwners(session, 'prog', reach.owners, (id) => getProgramUnowned(session, id, reach.metadata), read);
  if (!batch && handOn) await handOn(shows);
  collectFuncNames(names, shows);
  funcNamesBySession.set(session, names);
  return shows;
}

export async function getProgram(session: HostSession, id: number): Promise<ProgShow | null> {
  return getWithOwners(session, 'prog', () => getProgramUnowned(session, id));
}

async function mapShow(session: HostSession, id: number): Promise<MapShow | null> {
  const raw = await session.host.mapInfo(id);
  return raw && { info: decodeMapInfo(raw.info), fdinfo: parseFdinfo(raw.fdinfo) };
}

/** Every map; `reach.owners` false: without their owners (no walk of /proc). */
export async function listMaps(session: HostSession, reach: Pick<ListReach, 'owners'> = WHOLE): Promise<MapShow[]> {
  return listWithOwners(session, 'map', reach.owners, (id) => mapShow(session, id));
}

export async function getMap(session: HostSession, id: number): Promise<MapShow | null> {
  return getWithOwners(session, 'map', () => mapShow(session, id));
}

async function linkShow(session: HostSession, id: number): Promise<LinkShow | null> {
  const raw = await session.host.linkInfo(id);
  if (!raw) return null;
  const info = decodeLinkInfo(raw.info, raw);
  const show: LinkShow = { info };
  if (info.details?.kind === 'tracing' && info.progId) {
    const prog = await session.host.progInfo(info.progId, false);
    if (prog) show.progType = decodeProgInfo(prog.info).type;
  }
  return show;
}

export async function listLinks(session: HostSession): Promise<LinkShow[]> {
  return listWithOwners(session, 'link', true, (id) => linkShow(session, id));
}

export async function getLink(session: HostSession, id: number): Promise<LinkShow | null> {
  return getWithOwners(session, 'link', () => linkShow(session, id));
}
