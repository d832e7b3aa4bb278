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
  type ProgShow,
} from '../kernel/info/index.js';
import type { RawProgInfo } from './host.js';
import type { HostSession } from './host-session.js';
import { indexOwners, ownerKey, type OwnerIndex } from './owners.js';

/** The kernel keeps 15 characters of a name; bpftool then takes the BTF name of the first function. */
const KERNEL_NAME_MAX = 15;

async function ownerIndex(session: HostSession): Promise<OwnerIndex> {
  return indexOwners(await session.host.owners());
}

async function firstFuncName(session: HostSession, raw: RawProgInfo): Promise<string | undefined> {
  const info = decodeProgInfo(raw.info);
  if ((info.name ?? '').length < KERNEL_NAME_MAX || !info.btfId || !info.nrFuncInfo) return undefined;
  const detail = raw.funcInfo.byteLength > 0 ? raw : await session.host.progInfo(raw.id, true);
  if (!detail || detail.funcInfo.byteLength === 0 || !info.funcInfoRecSize) return undefined;
  const [first] = decodeFuncInfo(detail.funcInfo, info.funcInfoRecSize, 1);
  if (!first) return undefined;
  try {
    const btf = await session.btf(info.btfId);
    return btf.type(first.typeId).name || undefined;
  } catch {
    // BTF gone or unreadable: bpftool then shows the truncated name too.
    return undefined;
  }
}

async function programShow(session: HostSession, raw: RawProgInfo, owners: OwnerIndex): Promise<ProgShow> {
  const info = decodeProgInfo(raw.info);
  const show: ProgShow = { info, mapIds: u32Array(raw.mapIds), fdinfo: parseFdinfo(raw.fdinfo) };
  const name = await firstFuncName(session, raw);
  if (name) show.firstFuncName = name;
  const pids = owners.get(ownerKey('prog', info.id));
  if (pids) show.owners = pids;
  return show;
}

export async function listPrograms(session: HostSession): Promise<ProgShow[]> {
  const [ids, owners] = await Promise.all([session.host.listIds('prog'), ownerIndex(session)]);
  const shows: ProgShow[] = [];
  for (const id of ids) {
    const raw = await session.host.progInfo(id, false);
    if (raw) shows.push(await programShow(session, raw, owners));
  }
  return shows;
}

export async function getProgram(session: HostSession, id: number): Promise<ProgShow | null> {
  const raw = await session.host.progInfo(id, false);
  return raw && programShow(session, raw, await ownerIndex(session));
}

async function mapShow(session: HostSession, id: number, owners: OwnerIndex): Promise<MapShow | null> {
  const raw = await session.host.mapInfo(id);
  if (!raw) return null;
  const show: MapShow = { info: decodeMapInfo(raw.info), fdinfo: parseFdinfo(raw.fdinfo) };
  const pids = owners.get(ownerKey('map', id));
  if (pids) show.owners = pids;
  return show;
}

export async function listMaps(session: HostSession): Promise<MapShow[]> {
  const [ids, owners] = await Promise.all([session.host.listIds('map'), ownerIndex(session)]);
  const shows: MapShow[] = [];
  for (const id of ids) {
    const show = await mapShow(session, id, owners);
    if (show) shows.push(show);
  }
  return shows;
}

export async function getMap(session: HostSession, id: number): Promise<MapShow | null> {
  return mapShow(session, id, await ownerIndex(session));
}

async function linkShow(session: HostSession, id: number, owners: OwnerIndex): Promise<LinkShow | null> {
  const raw = await session.host.linkInfo(id);
  if (!raw) return null;
  const info = decodeLinkInfo(raw.info, raw);
  const show: LinkShow = { info };
  if (info.details?.kind === 'tracing' && info.progId) {
    const prog = await session.host.progInfo(info.progId, false);
    if (prog) show.progType = decodeProgInfo(prog.info).type;
  }
  const pids = owners.get(ownerKey('link', id));
  if (pids) show.owners = pids;
  return show;
}

export async function listLinks(session: HostSession): Promise<LinkShow[]> {
  const [ids, owners] = await Promise.all([session.host.listIds('link'), ownerIndex(session)]);
  const shows: LinkShow[] = [];
  for (const id of ids) {
    const show = await linkShow(session, id, owners);
    if (show) shows.push(show);
  }
  return shows;
}

export async function getLink(session: HostSession, id: number): Promise<LinkShow | null> {
  return linkShow(session, id, await ownerIndex(session));
}
