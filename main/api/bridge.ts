// What the Electron preload exposes on `window.bpfscope`: one function per API
// method and one `watch…` per event stream, each answering with data only
// (envelopes), because thrown errors lose their fields across contextBridge.
import type { ApiTransport } from './client.js';
import { EVENT_NAMES, METHOD_NAMES, type EventName, type MethodName, type Unsubscribe } from './contract.js';
import type { ApiErrorData } from './errors.js';
import type { Envelope } from './protocol.js';

export { BRIDGE_GLOBAL } from './bridge-global.js';

export type WatchName<E extends EventName = EventName> = `watch${Capitalize<E>}`;

export type BridgeApi = { [M in MethodName]: (params: unknown) => Promise<Envelope> } & {
  [E in EventName as WatchName<E>]: (params: unknown, onData: (data: unknown) => void, onEnd: (error?: ApiErrorData) => void) => Unsubscribe;
};

/** IPC channel names: one per method, plus the event stream plumbing. */
export const IPC = {
  method: (method: MethodName) => `bpfscope:call:${method}`,
  subscribe: 'bpfscope:subscribe',
  unsubscribe: 'bpfscope:unsubscribe',
  event: 'bpfscope:event',
  end: 'bpfscope:end',
} as const;

export function watchName<E extends EventName>(event: E): WatchName<E> {
  return `watch${event.charAt(0).toUpperCase()}${event.slice(1)}` as WatchName<E>;
}

export function isBridgeApi(value: unknown): value is BridgeApi {
  if (typeof value !== 'object' || value === null) return false;
  const bridge = value as Record<string, unknown>;
  return METHOD_NAMES.every((m) => typeof bridge[m] === 'function') && EVENT_NAMES.every((e) => typeof bridge[watchName(e)] === 'function');
}

export function bridgeTransport(bridge: BridgeApi): ApiTransport {
  return {
    request(method, params, signal) {
      if (signal?.aborted) return Promise.resolve({ ok: false, error: { code: 'ECANCELED', message: `${method} was cancelled` } });
      return bridge[method](params);
    },
    subscribe(event, params, onData, onEnd) {
      return bridge[watchName(event)](params, onData, onEnd);
    },
  };
}
