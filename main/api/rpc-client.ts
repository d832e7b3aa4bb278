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

/** A request sent on the channel before this client took it over (renderer/src/lib/api/early-connection.ts). */
export interface SentRequest {
  id: number;
  method: MethodName;
  params: Record<string, unknown>;
  /** performance.now() when sent. */
  sentAt: number;
}

/** An early answer older than this is not handed out: the call then asks the host afresh. */
export const EARLY_ANSWER_MAX_AGE_MS = 3000;

function requestKey(method: string, params: unknown): string {
  return `${method} ${JSON.stringify(params ?? {})}`;
}

export class RpcClient implements ApiTransport {
  private nextId = 1;
  private readonly pending = new Map<number, (envelope: Envelope) => void>();
  private readonly subscriptions = new Map<number, Subscription>();
  private closed = false;
  private readonly removeListeners: (() => void)[];
  /** Answers to the requests sent before this client, by method and parameters: each is handed out once. */
  private readonly early = new Map<string, { sentAt: number; answer: Promise<Envelope> }>();

  /**
   * `onReject` hears protocol-level refusals (a bug on one side or the other); `sent` are
   * requests already on the channel, whose answers the first call with the same method and
   * parameters gets.
   */
  constructor(
    private readonly channel: MessageChannel,
    private readonly onReject: (error: ApiErrorData) => void = () => {},
    sent: readonly SentRequest[] = [],
  ) {
    for (const request of sent) {
      this.nextId = Math.max(this.nextId, request.id + 1);
      const answer = new Promise<Envelope>((resolve) => this.pending.set(request.id, (envelope) => (this.pending.delete(request.id), resolve(envelope))));
      this.early.set(requestKey(request.method, request.params), { sentAt: request.sentAt, answer });
    }
    this.removeListeners = [channel.onMessage((text) => this.receive(text)), channel.onClose(() => this.shut())];
  }

  request(method: MethodName, params: unknown, signal?: AbortSignal): Promise<Envelope> {
    if (this.closed) return Promise.resolve({ ok: false, error: CLOSED });
    if (signal?.aborted) return Promise.resolve({ ok: false, error: { code: 'ECANCELED', message: `${method} was cancelled` } });
    const key = requestKey(method, params);
    const early = this.early.get(key);
    if (early) {
      this.early.delete(key);
      if (performance.now() - early.sentAt <= EARLY_ANSWER_MAX_AGE_MS) return early.answer;
    }
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
