// The one place that knows which transport carries the API: the Electron
// preload bridge when present, else a WebSocket back to `bpfscope serve`.
// Everything else in the renderer holds a BpfscopeApi and nothing more.
import { BRIDGE_GLOBAL, bridgeTransport, isBridgeApi } from '../../../../main/api/bridge.js';
import { createApiClient } from '../../../../main/api/client.js';
import type { BpfscopeApi } from '../../../../main/api/contract.js';
import { ReconnectingTransport, type ConnectionState } from './reconnecting-transport.js';
import { webSocketChannel } from './websocket-channel.js';

export const API_PATH = '/api';

/** `onState` hears the WebSocket drop and come back (the Electron bridge does not drop). */
export function connectApi(onState?: (state: ConnectionState, attempt: number) => void): BpfscopeApi {
  const bridge: unknown = (globalThis as Record<string, unknown>)[BRIDGE_GLOBAL];
  if (isBridgeApi(bridge)) return createApiClient(bridgeTransport(bridge));
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  const url = `${scheme}//${location.host}${API_PATH}`;
  const transport = new ReconnectingTransport({
    open: (onOpen) => webSocketChannel(url, onOpen),
    onReject: (error) => console.error('bpfscope: message refused', error),
    ...(onState ? { onState } : {}),
  });
  return createApiClient(transport);
}
