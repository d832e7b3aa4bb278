// The sandboxed preload (bundled as CommonJS): one function per API method and
// one `watch…` per event stream on window.bpfscope — never ipcRenderer itself.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { BRIDGE_GLOBAL, IPC, watchName } from '../api/bridge.js';
import { EVENT_NAMES, METHOD_NAMES } from '../api/contract.js';
import type { ApiErrorData } from '../api/errors.js';

interface Stream {
  onData(data: unknown): void;
  onEnd(error?: ApiErrorData): void;
}

const streams = new Map<number, Stream>();
let nextStreamId = 1;

ipcRenderer.on(IPC.event, (_event: IpcRendererEvent, message: { id: number; data: unknown }) => {
  streams.get(message?.id)?.onData(message.data);
});

ipcRenderer.on(IPC.end, (_event: IpcRendererEvent, message: { id: number; error?: ApiErrorData }) => {
  const stream = streams.get(message?.id);
  streams.delete(message?.id);
  stream?.onEnd(message.error);
});

const bridge: Record<string, unknown> = {};

for (const method of METHOD_NAMES) {
  bridge[method] = (params: unknown) => ipcRenderer.invoke(IPC.method(method), params);
}

for (const event of EVENT_NAMES) {
  bridge[watchName(event)] = (params: unknown, onData: (data: unknown) => void, onEnd: (error?: ApiErrorData) => void) => {
    const id = nextStreamId++;
    streams.set(id, { onData, onEnd });
    ipcRenderer.send(IPC.subscribe, { id, event, params });
    return () => {
      if (streams.delete(id)) ipcRenderer.send(IPC.unsubscribe, { id });
    };
  };
}

contextBridge.exposeInMainWorld(BRIDGE_GLOBAL, bridge);
