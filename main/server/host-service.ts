// The BpfscopeService on the Node side: hosts by id, each one a HostSession,
// answering with the same bpftool-compatible objects as `bpfscope ls --json`.
// One host failing (no privilege, agent gone) never affects another.
import { release } from 'node:os';
import { METHOD_NAMES, type BpfscopeService, type EventData, type Unsubscribe } from '../api/contract.js';
import { ApiError, toErrorData } from '../api/errors.js';
import type { HostSummary, Versions } from '../api/records.js';
import { requireEnumeration, openLocalHost } from '../hosts/host-access.js';
import { toHostError } from '../hosts/host-error.js';
import { HostSession } from '../hosts/host-session.js';
import { getLink, getMap, getProgram, listLinks, listMaps, listPrograms } from '../hosts/inventory.js';
import { renderLinkJson, renderMapJson, renderProgJson, type ShowOptions } from '../kernel/info/index.js';
import { toWireJson } from './wire-json.js';

type HostOpener = () => Promise<HostSession>;

interface HostEntry {
  label: string;
  open: HostOpener;
  session?: Promise<HostSession>;
  summary: HostSummary;
}

export interface HostServiceOptions {
  /** Host id → how to open it; default: `local` through the in-process addon. */
  hosts?: Record<string, HostOpener>;
  versions?: Partial<Versions>;
}

export type ClosableService = BpfscopeService & { close(): Promise<void> };

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

function gone(kind: string, id: number, label: string): ApiError {
  return new ApiError({ code: 'EGONE', message: `${kind} ${id}: not loaded on ${label}`, id });
}

export function createHostService(options: HostServiceOptions = {}): ClosableService {
  const openers = options.hosts ?? { local: openLocalSession };
  const entries = new Map<string, HostEntry>();
  for (const [id, open] of Object.entries(openers)) entries.set(id, { label: id, open, summary: { id, label: id, status: 'connecting' } });
  const hostListeners = new Set<(data: EventData<'hosts'>) => void>();
  const hostList = (): HostSummary[] => [...entries.values()].map((entry) => entry.summary);
  const setStatus = (entry: HostEntry, summary: HostSummary): void => {
    entry.summary = summary;
    for (const listener of hostListeners) listener(hostList());
  };

  const session = async (hostId: string): Promise<HostSession> => {
    const entry = entries.get(hostId);
    if (!entry) throw new ApiError({ code: 'ENOHOST', message: `no host '${hostId}'`, hint: 'ask listHosts for the hosts this bpfscope knows' });
    if (!entry.session) {
      entry.session = entry.open();
      entry.session.then(
        () => setStatus(entry, { id: hostId, label: entry.label, status: 'connected' }),
        (error: unknown) => {
          // Forget the failure so the next call tries again (privilege granted, agent back).
          entry.session = undefined;
          setStatus(entry, { id: hostId, label: entry.label, status: 'failed', error: toErrorData(toHostError(error)) });
        },
      );
    }
    return entry.session;
  };

  const versions: Versions = { app: '0.0.0', node: process.versions.node, kernel: release(), ...options.versions };

  const service: ClosableService = {
    async versions() {
      return versions;
    },
    async listHosts() {
      return hostList();
    },
    async listPrograms({ host }) {
      const s = await session(host);
      const [shows, opts] = await Promise.all([listPrograms(s), showOptions(s)]);
      return shows.map((show) => toWireJson(renderProgJson(show, opts)) as never);
    },
    async listMaps({ host }) {
      const s = await session(host);
      const [shows, opts] = await Promise.all([listMaps(s), showOptions(s)]);
      return shows.map((show) => toWireJson(renderMapJson(show, opts)) as never);
    },
    async listLinks({ host }) {
      const s = await session(host);
      const [shows, opts] = await Promise.all([listLinks(s), showOptions(s)]);
      return shows.map((show) => toWireJson(renderLinkJson(show, opts)) as never);
    },
    async getProgram({ host, id }) {
      const s = await session(host);
      const show = await getProgram(s, id);
      if (!show) throw gone('prog', id, s.label);
      return toWireJson(renderProgJson(show, await showOptions(s))) as never;
    },
    async getMap({ host, id }) {
      const s = await session(host);
      const show = await getMap(s, id);
      if (!show) throw gone('map', id, s.label);
      return toWireJson(renderMapJson(show, await showOptions(s))) as never;
    },
    async getLink({ host, id }) {
      const s = await session(host);
      const show = await getLink(s, id);
      if (!show) throw gone('link', id, s.label);
      return toWireJson(renderLinkJson(show, await showOptions(s))) as never;
    },
    watchHosts(_params, emit): Unsubscribe {
      hostListeners.add(emit);
      emit(hostList());
      return () => hostListeners.delete(emit);
    },
    async close() {
      hostListeners.clear();
      const opened = [...entries.values()].flatMap((entry) => (entry.session ? [entry.session] : []));
      entries.clear();
      // Closing a session releases its fds, stats holds and agent process.
      await Promise.all(opened.map((p) => p.then((s) => s.close()).catch(() => {})));
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
