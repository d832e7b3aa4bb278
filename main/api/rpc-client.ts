// The client end of the RPC protocol over one message channel: what the
// renderer uses in `serve` (WebSocket) and what tests use (in-memory pair).
import type { MessageChannel } from './channel.js';
import type { EventName, MethodName, Unsubscribe } from './contract.js';
import type { ApiErrorData } from './errors.js';
import { decodeServerMessage, encodeMessage, type Envelope } from './protocol.js';
import type { ApiTransport } from './client.js';

interface Subscription {
  onData(data: unknown): void;
  onEnd(error?: ApiErrorData): void;
}

const CLOSED: ApiErrorData = { code: 'ECONNRESET', message: 'the connection to bpfscope closed' };

export class RpcClient implements ApiTransport {
  private nextId = 1;
  private readonly pending = new Map<number, (envelope: Envelope) => void>();
  private readonly subscriptions = new Map<number, Subscription>();
  private closed = false;
  private readonly removeListeners: (() => void)[];

  /** `onReject` hears protocol-level refusals (a bug on one side or the other). */
  constructor(
    private readonly channel: MessageChannel,
    private readonly onReject: (error: ApiErrorData) => void = () => {},
  ) {
    this.removeListeners = [channel.onMessage((text) => this.receive(text)), channel.onClose(() => this.shut())];
  }

  request(method: MethodName, params: unknown, signal?: AbortSignal): Promise<Envelope> {
    if (this.closed) return Promise.resolve({ ok: false, error: CLOSED });
    if (signal?.aborted) return Promise.resolve({ ok: false, error: { code: 'ECANCELED', message: `${method} was cancelled` } });
    const id = this.nextId++;
    return new Promise<Envelope>((resolve) => {
      const onAbort = (): void => {
        this.channel.send(encodeMessage({ type: 'cancel', id }));
        settle({ ok: false, error: { code: 'ECANCELED', message: `${method} was cancelled` } });
      };
      const settle = (envelope: Envelope): void => {
        this.pending.delete(id);
        signal?.removeEventListener('abort', onAbort);
        resolve(envelope);
      };
      this.pending.set(id, settle);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.channel.send(encodeMessage({ type: 'request', id, method, params: (params ?? {}) as never }));
    });
  }

  subscribe(event: EventName, params: unknown, onData: (data: unknown) => void, onEnd: (error?: ApiErrorData) => void): Unsubscribe {
    if (this.closed) {
      queueMicrotask(() => onEnd(CLOSED));
      return () => {};
    }
    const id = this.nextId++;
    this.subscriptions.set(id, { onData, onEnd });
    this.channel.send(encodeMessage({ type: 'subscribe', id, event, params: (params ?? {}) as never }));
    return () => {
      if (!this.subscriptions.delete(id) || this.closed) return;
      this.channel.send(encodeMessage({ type: 'cancel', id }));
    };
  }

  close(): void {
    this.channel.close();
    this.shut();
  }

  private receive(text: string): void {
    const decoded = decodeServerMessage(text);
    if (!decoded.ok) return this.onReject(decoded.error);
    const message = decoded.message;
    switch (message.type) {
      case 'response':
        this.pending.get(message.id)?.(message.ok ? { ok: true, result: message.result } : { ok: false, error: message.error });
        return;
      case 'event':
        this.subscriptions.get(message.id)?.onData(message.data);
        return;
      case 'end': {
        const subscription = this.subscriptions.get(message.id);
        this.subscriptions.delete(message.id);
        subscription?.onEnd(message.error);
        return;
      }
      case 'reject':
        return this.onReject(message.error);
    }
  }

  private shut(): void {
    if (this.closed) return;
    this.closed = true;
    for (const remove of this.removeListeners) remove();
    for (const settle of [...this.pending.values()]) settle({ ok: false, error: CLOSED });
    for (const subscription of [...this.subscriptions.values()]) subscription.onEnd(CLOSED);
    this.subscriptions.clear();
  }
}
