// The Electron bridge shape (window.bpfscope) as the renderer sees it: an
// envelope-returning function per method, turned into the same BpfscopeApi.
import { describe, expect, it } from 'vitest';
import { bridgeTransport, isBridgeApi, watchName, type BridgeApi } from '../../../main/api/bridge.js';
import { createApiClient } from '../../../main/api/client.js';
import { EVENT_NAMES, METHOD_NAMES } from '../../../main/api/contract.js';
import { dispatchCall, dispatchSubscribe } from '../../../main/api/dispatch.js';
import { createFakeService } from './fake-service.js';

/** What preload + ipcMain amount to, minus Electron: envelopes from dispatch. */
function fakeBridge(): BridgeApi {
  const service = createFakeService();
  const bridge: Record<string, unknown> = {};
  for (const method of METHOD_NAMES) bridge[method] = (params: unknown) => dispatchCall(service, method, params, new AbortController().signal);
  for (const event of EVENT_NAMES) {
    bridge[watchName(event)] = (params: unknown, onData: (data: unknown) => void, onEnd: (error?: unknown) => void) => {
      const outcome = dispatchSubscribe(service, event, params, onData, onEnd);
      if (!outcome.ok) {
        onEnd(outcome.error);
        return () => {};
      }
      return outcome.unsubscribe;
    };
  }
  return bridge as BridgeApi;
}

describe('bridge transport', () => {
  it('recognises a complete bridge and nothing less', () => {
    expect(isBridgeApi(fakeBridge())).toBe(true);
    expect(isBridgeApi({ listPrograms: () => {} })).toBe(false);
    expect(isBridgeApi(undefined)).toBe(false);
  });

  it('carries calls, errors as data, and event streams', async () => {
    const api = createApiClient(bridgeTransport(fakeBridge()));
    expect(await api.listPrograms({ host: 'local' })).toHaveLength(1);
    await expect(api.listPrograms({ host: 'elsewhere' })).rejects.toMatchObject({ code: 'ENOHOST', hint: 'add it first' });
    const received: unknown[] = [];
    const unsubscribe = api.subscribe('hosts', {}, (hosts) => received.push(hosts));
    expect(received).toEqual([[{ id: 'local', label: 'local', status: 'connected' }]]);
    unsubscribe();
  });
});
