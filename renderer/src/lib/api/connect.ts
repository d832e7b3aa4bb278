// The one place that knows which transport carries the API: the Electron
// preload bridge when present, else a WebSocket back to `bpfscope serve`.
// Everything else in the renderer holds a BpfscopeApi and nothing more.
import { BRIDGE_GLOBAL, bridgeTransport, isBridgeApi } from '../../../../main/api/bridge.js';
import { createApiClient } from '../../../../main/api/client.js';
import type { BpfscopeApi } from '../../../../main/api/contract.js';
import { RpcClient } from '../../../../main/api/rpc-client.js';
import { webSocketChannel } from './websocket-channel.js';

export const API_PATH = '/api';

export function connectApi(): BpfscopeApi {
  const bridge: unknown = (globalThis as Record<string, unknown>)[BRIDGE_GLOBAL];
  if (isBridgeApi(bridge)) return createApiClient(bridgeTransport(bridge));
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  const rpc = new RpcClient(webSocketChannel(`${scheme}//${location.host}${API_PATH}`), (error) => console.error('bpfscope: message refused', error));
  return createApiClient(rpc);
}
