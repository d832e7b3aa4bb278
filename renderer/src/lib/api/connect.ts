// The one place that knows which transport carries the API: the Electron
// preload bridge when present, else a WebSocket back to `bpfscope serve` (the one
// main.ts opened before the app loaded, if any). Everything else in the renderer
// holds a BpfscopeApi and nothing more.
import { BRIDGE_GLOBAL, bridgeTransport, isBridgeApi } from '../../../../main/api/bridge.js';
import { createApiClient } from '../../../../main/api/client.js';
import type { BpfscopeApi } from '../../../../main/api/contract.js';
import { apiUrl, takeEarlyConnection } from './early-connection.js';
import { ReconnectingTransport, type ConnectionState } from './reconnecting-transport.js';
import { webSocketChannel } from './websocket-channel.js';

/** `onState` hears the WebSocket drop and come back (the Electron bridge does not drop). */
export function connectApi(onState?: (state: ConnectionState, attempt: number) => void): BpfscopeApi {
  const bridge: unknown = (globalThis as Record<string, unknown>)[BRIDGE_GLOBAL];
  if (isBridgeApi(bridge)) return createApiClient(bridgeTransport(bridge));
  const early = takeEarlyConnection();
  const transport = new ReconnectingTransport({
    open: (onOpen) => webSocketChannel(apiUrl(), onOpen),
    onReject: (error) => console.error('bpfscope: message refused', error),
    ...(onState ? { onState } : {}),
    ...(early ? { first: early } : {}),
  });
  return createApiClient(transport);
}
