// Serves the contract over one message channel (a WebSocket connection, or one
// end of an in-memory pair). Bad messages are answered with `reject` and have no
// other effect; closing the channel cancels everything it started. Each
// connection may have a bounded number of requests in flight and streams open,
// and streams also count against a budget shared by every connection of a server.
import type { MessageChannel } from './channel.js';
import type { BpfscopeService, Unsubscribe } from './contract.js';
import { dispatchCall, dispatchSubscribe } from './dispatch.js';
import { toErrorData, type ApiErrorData } from './errors.js';
import {
  decodeClientMessage, encodeMessage, MAX_REQUESTS_PER_CONNECTION, MAX_RESPONSE_BYTES, MAX_SUBSCRIPTIONS_PER_CONNECTION,
  type Envelope, type ServerMessage,
} from './protocol.js';

/** A count with a ceiling, shared by the connections of one server. */
export class SharedBudget {
  private used = 0;

  constructor(readonly limit: number) {}

  get inUse(): number {
    return this.used;
  }

  take(): boolean {
    if (this.used >= this.limit) return false;
    this.used++;
    return true;
  }

  give(): void {
    this.used--;
  }
}

export interface ServeChannelOptions {
  /** Streams open over all connections of this server. */
  subscriptions?: SharedBudget;
}

/** One connection being served. */
export interface ServedChannel {
  /** Requests in flight plus streams open: 0 means the client is waiting for nothing. */
  readonly open: number;
  /** When the client last sent a message (Date.now()). */
  readonly lastMessageMs: number;
  /** Stops serving: cancels requests, ends streams. */
  close(): void;
}

export function serveChannel(channel: MessageChannel, service: BpfscopeService, options: ServeChannelOptions = {}): ServedChannel {
  const requests = new Map<number, AbortController>();
  const subscriptions = new Map<number, Unsubscribe>();
  let closed = false;
  let lastMessageMs = Date.now();

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
  /** Forgets a stream and gives back its share of the server's budget. */
  const forget = (id: number): void => {
    if (subscriptions.delete(id)) options.subscriptions?.give();
  };

  const onMessage = (text: string): void => {
    lastMessageMs = Date.now();
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
      forget(message.id);
      return;
    }
    if (busy(message.id)) return reject({ code: 'EPROTO', message: `id ${message.id} is already in use` });
    if (message.type === 'request') {
      if (requests.size >= MAX_REQUESTS_PER_CONNECTION) {
        return send({ type: 'response', id: message.id, ok: false, error: { code: 'EBUSY', message: `more than ${MAX_REQUESTS_PER_CONNECTION} requests in flight on this connection` } });
      }
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
    if (subscriptions.size >= MAX_SUBSCRIPTIONS_PER_CONNECTION) {
      return send({ type: 'end', id: message.id, error: { code: 'EBUSY', message: `more than ${MAX_SUBSCRIPTIONS_PER_CONNECTION} live views open on this connection`, hint: 'close some views' } });
    }
    if (options.subscriptions && !options.subscriptions.take()) {
      const { limit } = options.subscriptions;
      return send({ type: 'end', id: message.id, error: { code: 'EBUSY', message: `the server has ${limit} live views open for all its clients, its limit`, hint: 'close views here or in other windows' } });
    }
    // Held from here on: forget() gives it back however the stream ends.
    subscriptions.set(message.id, () => {});
    const outcome = dispatchSubscribe(
      service,
      message.event,
      message.params,
      (data) => send({ type: 'event', id: message.id, data: data as never }),
      (error) => {
        forget(message.id);
        send({ type: 'end', id: message.id, error });
      },
    );
    if (!outcome.ok) {
      forget(message.id);
      return send({ type: 'end', id: message.id, error: outcome.error });
    }
    if (subscriptions.has(message.id)) subscriptions.set(message.id, outcome.unsubscribe);
  };

  const close = (): void => {
    if (closed) return;
    closed = true;
    for (const controller of requests.values()) controller.abort();
    for (const [id, unsubscribe] of [...subscriptions]) {
      unsubscribe();
      forget(id);
    }
    requests.clear();
    removeMessage();
    removeClose();
  };
  const removeMessage = channel.onMessage(onMessage);
  const removeClose = channel.onClose(close);
  return {
    get open() {
      return requests.size + subscriptions.size;
    },
    get lastMessageMs() {
      return lastMessageMs;
    },
    close,
  };
}
