// A BpfscopeService with canned data and hooks, for protocol tests.
import type { BpfscopeService, EventData, Unsubscribe } from '../../../main/api/contract.js';
import { ApiError } from '../../../main/api/errors.js';

export interface FakeService extends BpfscopeService {
  calls: string[];
  hostListeners: Set<(data: EventData<'hosts'>) => void>;
  /** Resolves a pending `getMap` call, which otherwise waits until aborted. */
  aborted: string[];
}

async function notImplemented(): Promise<never> {
  throw new ApiError({ code: 'ENOSYS', message: 'not in the fake service' });
}

export function createFakeService(): FakeService {
  const calls: string[] = [];
  const aborted: string[] = [];
  const hostListeners = new Set<(data: EventData<'hosts'>) => void>();
  const hosts: EventData<'hosts'> = [{ id: 'local', label: 'local', status: 'connected' }];
  return {
    calls,
    aborted,
    hostListeners,
    async versions() {
      calls.push('versions');
      return { app: '0.1.0', node: 'v20', kernel: '6.18' };
    },
    async listHosts() {
      calls.push('listHosts');
      return hosts;
    },
    async listPrograms({ host }) {
      calls.push(`listPrograms ${host}`);
      if (host !== 'local') throw new ApiError({ code: 'ENOHOST', message: `no host ${host}`, hint: 'add it first' });
      return [{ id: 7, type: 'cgroup_skb', name: 'sd_fw_egress', tag: '6deef7357e7b4530', run_time_ns: 0, pids: [{ pid: 1, comm: 'systemd' }] }];
    },
    async listMaps({ host }) {
      calls.push(`listMaps ${host}`);
      return [];
    },
    async listLinks({ host }) {
      calls.push(`listLinks ${host}`);
      // Breaks the contract on purpose: ids are positive.
      return [{ id: -1, type: 'tracing' }];
    },
    async getProgram({ id }) {
      calls.push(`getProgram ${id}`);
      throw Object.assign(new Error('program vanished'), { code: 'ENOENT', id });
    },
    getMap({ id }, signal) {
      calls.push(`getMap ${id}`);
      return new Promise((_, reject) => {
        signal.addEventListener('abort', () => {
          aborted.push(`getMap ${id}`);
          reject(new ApiError({ code: 'ECANCELED', message: 'aborted' }));
        });
      });
    },
    async getLink({ id }) {
      calls.push(`getLink ${id}`);
      return { id, type: 'tracing', prog_id: 3 };
    },
    // The methods these protocol tests do not exercise answer ENOSYS.
    addHost: notImplemented,
    getHostGraph: notImplemented,
    getProgramSummary: notImplemented,
    explain: notImplemented,
    readStackTraces: notImplemented,
    listSshConfigHosts: notImplemented,
    removeHost: notImplemented,
    reconnectHost: notImplemented,
    answerHostKey: notImplemented,
    getProgramAttachPoints: notImplemented,
    getProgramExtendedBy: notImplemented,
    listTokens: notImplemented,
    readProgramStream: notImplemented,
    readArena: notImplemented,
    peekMap: notImplemented,
    getProgramCode: notImplemented,
    readProgramListing: notImplemented,
    searchProgramListing: notImplemented,
    openMapView: notImplemented,
    readMapView: notImplemented,
    closeMapView: notImplemented,
    searchBtfTypes: notImplemented,
    getBtfType: notImplemented,
    getDiagnostics: notImplemented,
    getStatsStatus: notImplemented,
    compareHosts: notImplemented,
    programDrift: notImplemented,
    listFleetPrograms: notImplemented,
    beginSnapshotUpload: notImplemented,
    uploadSnapshotChunk: notImplemented,
    openUploadedSnapshot: notImplemented,
    watchSeries: () => () => {},
    watchMapWatch: () => () => {},
    watchTraceLog: () => () => {},
    watchHosts(_params, emit): Unsubscribe {
      calls.push('watchHosts');
      hostListeners.add(emit);
      emit(hosts);
      return () => hostListeners.delete(emit);
    },
  };
}
