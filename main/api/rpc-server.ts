// Serves the contract over one message channel (a WebSocket connection, or one
// end of an in-memory pair). Bad messages are answered with `reject` and have no
// other effect; closing the channel cancels everything it started.
import type { MessageChannel } from './channel.js';
import type { BpfscopeService, Unsubscribe } from './contract.js';
import { dispatchCall, dispatchSubscribe } from './dispatch.js';
import { toErrorData, type ApiErrorData } from './errors.js';
import { decodeClientMessage, encodeMessage, MAX_PENDING_PER_CONNECTION, MAX_RESPONSE_BYTES, type Envelope, type ServerMessage } from './protocol.js';

export function serveChannel(channel: MessageChannel, service: BpfscopeService): () => void {
  const requests = new Map<number, AbortController>();
  const subscriptions = new Map<number, Unsubscribe>();
  let closed = false;

  const send = (message: ServerMessage): void => {
    if (closed) return;
    let text = JSON.stringify(message);
    if (text.length > MAX_RESPONSE_BYTES && message.type === 'response') {
      text = encodeMessage({ type: 'response', id: message.id, ok: false, error: { code: 'E2BIG', message: `response exceeds the ${MAX_RESPONSE_BYTES}-byte limit` } });
    }
    channel.send(text);
  };
  const reject = (error: ApiErrorData): void => send({ type: 'reject', error });
  const busy = (id: number): boolean => requests.has(id) || subscriptions.has(id);

  const onMessage = (text: string): void => {
    // Nothing a client sends may end the process: a failure here is this message's answer.
    try {
      handle(text);
    } catch (error) {
      reject({ code: 'EPROTO', message: `message not handled: ${(error as Error).message}`.slice(0, 500) });
    }
  };

  const handle = (text: string): void => {
    const decoded = decodeClientMessage(text);
    if (!decoded.ok) return reject(decoded.error);
    const message = decoded.message;
    if (message.type === 'cancel') {
      requests.get(message.id)?.abort();
      subscriptions.get(message.id)?.();
      subscriptions.delete(message.id);
      return;
    }
    if (busy(message.id)) return reject({ code: 'EPROTO', message: `id ${message.id} is already in use` });
    if (requests.size + subscriptions.size >= MAX_PENDING_PER_CONNECTION) {
      return reject({ code: 'EBUSY', message: `more than ${MAX_PENDING_PER_CONNECTION} requests and subscriptions open` });
    }
    if (message.type === 'request') {
      const controller = new AbortController();
      requests.set(message.id, controller);
      void dispatchCall(service, message.method, message.params, controller.signal)
        .catch((error: unknown): Envelope => ({ ok: false, error: toErrorData(error) }))
        .then((envelope) => {
          requests.delete(message.id);
          send(envelope.ok ? { type: 'response', id: message.id, ok: true, result: envelope.result as never } : { type: 'response', id: message.id, ok: false, error: envelope.error });
        });
      return;
    }
    const outcome = dispatchSubscribe(
      service,
      message.event,
      message.params,
      (data) => send({ type: 'event', id: message.id, data: data as never }),
      (error) => {
        subscriptions.delete(message.id);
        send({ type: 'end', id: message.id, error });
      },
    );
    if (!outcome.ok) return send({ type: 'end', id: message.id, error: outcome.error });
    subscriptions.set(message.id, outcome.unsubscribe);
  };

  const dispose = (): void => {
    if (closed) return;
    closed = true;
    for (const controller of requests.values()) controller.abort();
    for (const unsubscribe of subscriptions.values()) unsubscribe();
    requests.clear();
    subscriptions.clear();
    removeMessage();
    removeClose();
  };
  const removeMessage = channel.onMessage(onMessage);
  const removeClose = channel.onClose(dispose);
  return dispose;
}
