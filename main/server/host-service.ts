// The BpfscopeService on the Node side: hosts by id, each one a HostSession,
// answering with the same bpftool-compatible objects as `bpfscope ls --json`,
// plus map views, live streams and inspection (see the *-service files).
// One host failing (no privilege, agent gone) never affects another.
import { release } from 'node:os';
import { METHOD_NAMES, type BpfscopeService, type Unsubscribe } from '../api/contract.js';
import { ApiError } from '../api/errors.js';
import type { ProgramSummary, Versions } from '../api/records.js';
import type { JsonRecord } from '../api/view-records.js';
import { requireEnumeration, openLocalHost } from '../hosts/host-access.js';
import { toHostError } from '../hosts/host-error.js';
import { HostSession } from '../hosts/host-session.js';
import { openHost } from '../hosts/open-host.js';
import { readSshConfigHosts } from '../hosts/ssh-config-hosts.js';
import { ProgramListings, programCodeView, programListingPage, searchProgramListing } from './code-service.js';
import { HostRegistry, type HostOpenHooks, type HostOpener } from './host-registry.js';
import { arenaOf, attachPointsOf, btfTypeText, diagnosticsOf, extendedByOf, programStreamOf, searchBtfTypes, tokensOf, wire } from './inspect-service.js';
import { LiveService } from './live-service.js';
import { GraphService } from './graph-service.js';
import { mapHeadOf } from './map-head.js';
import { MapViews } from './map-views.js';
import { Comparisons, SnapshotUploads, uploadedHostId } from './snapshot-service.js';
import { LIST_SLICE_MS } from '../hosts/fetch-each.js';
import { getLink, getMap, getProgram, listLinks, listMaps, listPrograms } from '../hosts/inventory.js';
import { mapInSlices } from '../hosts/time-slices.js';
import { withContentHash } from '../hosts/map-hash.js';
import { PROG_SIGNATURE } from '../kernel/info/prog-signature.js';
import { progFullName, renderLinkJson, renderMapJson, renderProgJson, type JsonObject, type LinkShow, type ShowOptions } from '../kernel/info/index.js';
import { linkAttachWords } from '../kernel/attach/index.js';
import { toWireJson } from './wire-json.js';
import { programDrift } from '../hosts/drift.js';
import { listFleetPrograms } from './fleet-service.js';
import { HeldAnswers } from './held-answers.js';
import { HistoryKeeper } from './history-keeper.js';

export interface HostServiceOptions {
  /** Host id → how to open it; default: `local` through the in-process addon. */
  hosts?: Record<string, HostOpener>;
  /** How hosts added from the UI open; default: openHost (SSH targets, snapshot:FILE). */
  openSpec?: (spec: string, hooks: HostOpenHooks) => Promise<HostSession>;
  versions?: Partial<Versions>;
  /** Sample every live host from when it connects, so charts open with history (serve, the app). */
  keepHistory?: boolean;
}

export type ClosableService = BpfscopeService & {
  close(): Promise<void>;
  /** Starts `host`'s program list now, for a page that is loading and will ask for it first. */
  warmProgramList(host: string): void;
  /** The open session of a host, opening it if needed (serve's metrics endpoint reads through it). */
  session(host: string): Promise<HostSession>;
};

async function openSpecSession(spec: string, hooks: HostOpenHooks): Promise<HostSession> {
  const host = await openHost(spec, { onState: hooks.onState, onUnknownHostKey: hooks.onUnknownHostKey, reconnect: {} });
  return new HostSession(host);
}

async function openLocalSession(): Promise<HostSession> {
  const host = await openLocalHost();
  try {
    await requireEnumeration(host);
  } catch (error) {
    await host.close().catch(() => {});
    throw error;
  }
  return new HostSession(host);
}

async function showOptions(session: HostSession): Promise<ShowOptions> {
  const kallsyms = await session.kallsyms().catch(() => undefined);
  const options: ShowOptions = { bootToWallNs: await session.bootToWallNs() };
  if (kallsyms) options.resolveKsym = (address) => kallsyms.exact(address);
  return options;
}

/** For lists whose JSON names no kernel symbol: kallsyms (~10 MB to read and index) is not loaded. */
async function listShowOptions(session: HostSession): Promise<ShowOptions> {
  return { bootToWallNs: await session.bootToWallNs() };
}

/** bpftool's object for a link, and its attach point in words, which bpftool 7.1 has for a few kinds only. */
function linkRecord(show: LinkShow, options: ShowOptions): JsonObject {
  return { ...renderLinkJson(show, options), attach_point: linkAttachWords(show.info, show.ifname) };
}

function gone(kind: string, id: number, label: string): ApiError {
  return new ApiError({ code: 'EGONE', message: `${kind} ${id}: not loaded on ${label}`, id });
}

export function createHostService(options: HostServiceOptions = {}): ClosableService {
  const hosts = new HostRegistry(options.hosts ?? { local: openLocalSession });
  const openSpec = options.openSpec ?? openSpecSession;
  const session = (hostId: string): Promise<HostSession> => hosts.session(hostId);
  const mapViews = new MapViews();
  const graphs = new GraphService();
  const listings = new ProgramListings();
  const live = new LiveService(session);
  const uploads = new SnapshotUploads();
  const comparisons = new Comparisons(session);
  const warmProgramLists = new HeldAnswers<ProgramSummary[]>();
  const versions: Versions = { app: '0.0.0', node: process.versions.node, kernel: release(), ...options.versions };
  const history = new HistoryKeeper((host) => live.hold(host));
  const stopKeeping = options.keepHistory ? hosts.watch((list) => history.update(list)) : () => {};
  // The history starts now: the hosts known at start connect without waiting for a page.
  if (options.keepHistory) for (const host of hosts.list()) void hosts.reconnect(host.id).catch(() => {});

  const service: ClosableService = {
    async versions() {
      return versions;
    },
    async listHosts() {
      return hosts.list();
    },
    async listSshConfigHosts() {
      return readSshConfigHosts();
    },
    async addHost({ spec }) {
      return hosts.add(spec, (hooks) => openSpec(spec, hooks));
    },
    async removeHost({ host }) {
      await hosts.remove(host);
      listings.dropHost(host);
      graphs.dropHost(host);
      return {};
    },
    reconnectHost({ host }) {
      return hosts.reconnect(host);
    },
    async answerHostKey({ host, accept }) {
      hosts.answerHostKey(host, accept);
      return {};
    },
    compareHosts(params) {
      return comparisons.compare(params);
    },
    async programDrift({ hosts: ids }) {
      const failed: { host: string; code: string; message: string }[] = [];
      const listings = new Map<string, { name?: string; tag?: string }[]>();
      await Promise.all(
        [...new Set(ids)].map(async (id) => {
          try {
            const shows = await listPrograms(await session(id));
            listings.set(id, shows.map((s) => ({ name: progFullName(s.info, s.firstFuncName), tag: s.info.tag })));
          } catch (error) {
            const e = toHostError(error);
            failed.push({ host: id, code: e.code, message: e.message });
          }
        }),
      );
      return { drift: programDrift(listings), failed };
    },
    listFleetPrograms(_params, signal) {
      return listFleetPrograms(hosts.list(), (host) => service.listPrograms({ host }, signal), { signal });
    },
    async beginSnapshotUpload(params) {
      return uploads.begin(params);
    },
    async uploadSnapshotChunk(params) {
      return uploads.chunk(params);
    },
    async openUploadedSnapshot(params) {
      const host = await uploads.finish(params);
      const id = uploadedHostId(host.label, new Set(hosts.list().map((h) => h.id)));
      return hosts.add(id, async () => new HostSession(host));
    },
    async listPrograms({ host }) {
      const warm = warmProgramLists.take(host);
      if (warm) return warm;
      const s = await session(host);
      const [shows, opts] = await Promise.all([listPrograms(s), listShowOptions(s)]);
      return mapInSlices(shows, (show) => toWireJson(renderProgJson(show, opts)) as never, LIST_SLICE_MS);
    },
    async listMaps({ host }) {
      const s = await session(host);
      const [shows, opts] = await Promise.all([listMaps(s), listShowOptions(s)]);
      return mapInSlices(shows, (show) => toWireJson(renderMapJson(show, opts)) as never, LIST_SLICE_MS);
    },
    async listLinks({ host }) {
      const s = await session(host);
      const shows = await listLinks(s);
      // Only kprobe_multi links name kernel functions: kallsyms (~10 MB) is read for them alone.
      const opts = shows.some((show) => show.info.details?.kind === 'kprobe_multi') ? await showOptions(s) : await listShowOptions(s);
      return mapInSlices(shows, (show) => toWireJson(linkRecord(show, opts)) as never, LIST_SLICE_MS);
    },
    async getProgram({ host, id }) {
      const s = await session(host);
      const show = await getProgram(s, id);
      if (!show) throw gone('prog', id, s.label);
      return toWireJson({ ...renderProgJson(show, await showOptions(s)), signature: { ...PROG_SIGNATURE } }) as never;
    },
    async getMap({ host, id }) {
      const s = await session(host);
      const show = await getMap(s, id);
      if (!show) throw gone('map', id, s.label);
      return toWireJson(renderMapJson(await withContentHash(s, show), await showOptions(s))) as never;
    },
    async getLink({ host, id }) {
      const s = await session(host);
      const show = await getLink(s, id);
      if (!show) throw gone('link', id, s.label);
      return toWireJson(linkRecord(show, await showOptions(s))) as never;
    },
    async getHostGraph({ host }) {
      return graphs.hostGraph(host, await session(host));
    },
    async getProgramSummary({ host, id }) {
      return graphs.programSummary(await session(host), id);
    },
    async explain({ host, name }) {
      return graphs.explain(await session(host), name);
    },
    async readStackTraces({ host, id, pid }) {
      return graphs.stackTraces(await session(host), id, pid);
    },
    async getProgramAttachPoints({ host, id }) {
      return attachPointsOf(await session(host), id);
    },
    async getProgramExtendedBy({ host, id }) {
      return extendedByOf(await session(host), id);
    },
    async getProgramCode({ host, id }) {
      return programCodeView(listings, host, await session(host), id);
    },
    async readProgramListing({ host, id, line, count, insn }) {
      return programListingPage(listings, host, await session(host), { id, line, count, insn });
    },
    async searchProgramListing({ host, id, ...request }, signal) {
      return searchProgramListing(listings, host, await session(host), id, request, signal);
    },
    async openMapView({ host, id, filter }) {
      return mapViews.open(await session(host), id, filter);
    },
    readMapView({ view, offset, limit }) {
      return mapViews.read(view, offset, limit);
    },
    async closeMapView({ view }) {
      mapViews.close(view);
      return {};
    },
    async searchBtfTypes({ host, btfId, query, limit }) {
      return searchBtfTypes(await session(host), btfId, query, limit);
    },
    async getBtfType({ host, btfId, typeId }) {
      return btfTypeText(await session(host), btfId, typeId);
    },
    async getDiagnostics({ host }) {
      return diagnosticsOf(await session(host));
    },
    async listTokens({ host }) {
      return tokensOf(await session(host));
    },
    async readProgramStream({ host, id, stream }) {
      return programStreamOf(await session(host), id, stream);
    },
    async readArena({ host, id }) {
      return arenaOf(await session(host), id);
    },
    async peekMap({ host, id }) {
      return mapHeadOf(await session(host), id);
    },
    async getStatsStatus({ host }) {
      return wire(await live.statsStatus(host)) as JsonRecord;
    },
    watchHosts(_params, emit): Unsubscribe {
      return hosts.watch(emit);
    },
    watchSeries(params, emit): Unsubscribe {
      return live.watchSeries(params, emit);
    },
    watchMapWatch(params, emit): Unsubscribe {
      return live.watchMap(params, emit);
    },
    watchTraceLog(params, emit): Unsubscribe {
      return live.watchTraceLog(params, emit);
    },
    session,
    warmProgramList(host) {
      if (hosts.list().some((h) => h.id === host)) warmProgramLists.hold(host, () => service.listPrograms({ host }, new AbortController().signal));
    },
    async close() {
      stopKeeping();
      await history.close();
      warmProgramLists.clear();
      uploads.close();
      mapViews.closeAll();
      listings.clear();
      await live.close();
      await hosts.close();
    },
  };
  return withHostErrors(service);
}

/** Every failure leaves with an errno-style code and, where one helps, a hint. */
function withHostErrors(service: ClosableService): ClosableService {
  const wrapped: Record<string, unknown> = { ...service };
  for (const method of METHOD_NAMES) {
    const call = service[method] as (params: unknown, signal: AbortSignal) => Promise<unknown>;
    wrapped[method] = async (params: unknown, signal: AbortSignal) => {
      try {
        return await call(params, signal);
      } catch (error) {
        throw toHostError(error);
      }
    };
  }
  return wrapped as ClosableService;
}
