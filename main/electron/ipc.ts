// The main side of the preload bridge. Every message is checked twice before it
// goes anywhere: its sender must be our window's top frame showing our page, and
// its content must match the contract. Calls then go to the service process.
import { ipcMain, type IpcMainEvent, type WebContents } from 'electron';
import { z } from 'zod';
import { IPC } from '../api/bridge.js';
import type { ApiTransport } from '../api/client.js';
import { events, isEventName, METHOD_NAMES, methods, type Unsubscribe } from '../api/contract.js';
import type { ApiErrorData } from '../api/errors.js';
import type { Envelope } from '../api/protocol.js';
import { MAX_SUBSCRIPTIONS_PER_CONNECTION, valueTooComplex } from '../api/protocol.js';
import type { SenderCheck } from './sender-check.js';

const SubscribeSchema = z.strictObject({ id: z.number().int().positive().max(Number.MAX_SAFE_INTEGER), event: z.string().max(64), params: z.json() });
const UnsubscribeSchema = z.strictObject({ id: z.number().int().positive().max(Number.MAX_SAFE_INTEGER) });

const UNTRUSTED: ApiErrorData = { code: 'EACCES', message: 'message from a frame that is not bpfscope' };

export function registerIpc(service: ApiTransport, isTrusted: SenderCheck): () => void {
  for (const method of METHOD_NAMES) {
    ipcMain.handle(IPC.method(method), async (event, params: unknown): Promise<Envelope> => {
      if (!isTrusted(event)) return { ok: false, error: UNTRUSTED };
      const excess = valueTooComplex(params);
      if (excess) return { ok: false, error: { code: 'E2BIG', message: `parameters for ${method}: ${excess}` } };
      const checked = methods[method].params.safeParse(params ?? {});
      if (!checked.success) return { ok: false, error: { code: 'EINVAL', message: `invalid parameters for ${method}` } };
      return service.request(method, checked.data);
    });
  }

  const streams = new Map<WebContents, Map<number, Unsubscribe>>();
  const streamsOf = (contents: WebContents): Map<number, Unsubscribe> => {
    let map = streams.get(contents);
    if (!map) {
      const created = new Map<number, Unsubscribe>();
      streams.set(contents, created);
      contents.once('destroyed', () => {
        for (const unsubscribe of created.values()) unsubscribe();
        streams.delete(contents);
      });
      map = created;
    }
    return map;
  };

  const onSubscribe = (event: IpcMainEvent, message: unknown): void => {
    if (!isTrusted(event) || valueTooComplex(message) !== undefined) return;
    const parsed = SubscribeSchema.safeParse(message);
    if (!parsed.success) return;
    const { id, event: name, params } = parsed.data;
    const contents = event.sender;
    const end = (error?: ApiErrorData): void => {
      streamsOf(contents).delete(id);
      if (!contents.isDestroyed()) contents.send(IPC.end, { id, error });
    };
    const open = streamsOf(contents);
    if (open.has(id)) return;
    if (open.size >= MAX_SUBSCRIPTIONS_PER_CONNECTION) return end({ code: 'EBUSY', message: 'too many open event streams' });
    if (!isEventName(name)) return end({ code: 'ENOEVENT', message: `unknown event ${JSON.stringify(name)}` });
    if (!events[name].params.safeParse(params).success) return end({ code: 'EINVAL', message: `invalid parameters for ${name}` });
    const unsubscribe = service.subscribe(
      name,
      params,
      (data) => {
        if (!contents.isDestroyed()) contents.send(IPC.event, { id, data });
      },
      end,
    );
    open.set(id, unsubscribe);
  };

  const onUnsubscribe = (event: IpcMainEvent, message: unknown): void => {
    if (!isTrusted(event)) return;
    const parsed = UnsubscribeSchema.safeParse(message);
    if (!parsed.success) return;
    const open = streams.get(event.sender);
    open?.get(parsed.data.id)?.();
    open?.delete(parsed.data.id);
  };

  ipcMain.on(IPC.subscribe, onSubscribe);
  ipcMain.on(IPC.unsubscribe, onUnsubscribe);
  return () => {
    for (const method of METHOD_NAMES) ipcMain.removeHandler(IPC.method(method));
    ipcMain.off(IPC.subscribe, onSubscribe);
    ipcMain.off(IPC.unsubscribe, onUnsubscribe);
  };
}
