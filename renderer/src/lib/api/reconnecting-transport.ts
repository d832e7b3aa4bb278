// The API over a connection that comes back: when the channel to `serve` drops,
// requests fail at once (ECONNRESET) while a new channel is opened with backoff, and
// every live subscription is taken out again on it, so views keep streaming
// without a reload. Subscribers only hear the end of a stream the server ended.
import type { MessageChannel } from '../../../../main/api/channel.js';
import type { ApiTransport } from '../../../../main/api/client.js';
import type { EventName, MethodName, Unsubscribe } from '../../../../main/api/contract.js';
import type { ApiErrorData } from '../../../../main/api/errors.js';
import type { Envelope } from '../../../../main/api/protocol.js';
import { RpcClient, type SentRequest } from '../../../../main/api/rpc-client.js';

export type ConnectionState = 'connected' | 'reconnecting';

export interface ReconnectOptions {
  /** Opens a new channel; `onOpen` is called once it carries messages. */
  open(onOpen: () => void): MessageChannel;
  onState?(state: ConnectionState, attempt: number): void;
  onReject?(error: ApiErrorData): void;
  /** Delay before attempt n (1-based); default 0.5 s doubling to 8 s. */
  delayMs?(attempt: number): number;
  /** A channel already open, with requests already sent on it: used first, instead of `open`. */
  first?: { channel: MessageChannel; sent: readonly SentRequest[] };
}

interface LiveSubscription {
  event: EventName;
  params: unknown;
  onData(data: unknown): void;
  onEnd(error?: ApiErrorData): void;
  cancel: Unsubscribe;
}

const defaultDelay = (attempt: number): number => Math.min(8000, 500 * 2 ** (attempt - 1));

export class ReconnectingTransport implements ApiTransport {
  private client!: RpcClient;
  private readonly live = new Set<LiveSubscription>();
  private attempt = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;
  private first: ReconnectOptions['first'];

  constructor(private readonly options: ReconnectOptions) {
    this.first = options.first;
    this.connect();
  }

  request(method: MethodName, params: unknown, signal?: AbortSignal): Promise<Envelope> {
    return this.client.request(method, params, signal);
  }

  subscribe(event: EventName, params: unknown, onData: (data: unknown) => void, onEnd: (error?: ApiErrorData) => void): Unsubscribe {
    const subscription: LiveSubscription = { event, params, onData, onEnd, cancel: () => {} };
    this.live.add(subscription);
    this.attach(subscription);
    return () => {
      if (this.live.delete(subscription)) subscription.cancel();
    };
  }

  close(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.client.close();
  }

  private connect(): void {
    const first = this.first;
    this.first = undefined;
    const channel = first?.channel ?? this.options.open(() => {
      if (this.attempt > 0) this.options.onState?.('connected', this.attempt);
      this.attempt = 0;
    });
    channel.onClose(() => this.dropped());
    this.client = new RpcClient(channel, this.options.onReject, first?.sent);
    for (const subscription of this.live) this.attach(subscription);
  }

  private attach(subscription: LiveSubscription): void {
    const client = this.client;
    subscription.cancel = client.subscribe(subscription.event, subscription.params, subscription.onData, (error) => {
      // The connection dropped: the stream is taken out again on the next one.
      if (error?.code === 'ECONNRESET' && this.client === client && !this.stopped) return;
      if (this.client !== client) return;
      this.live.delete(subscription);
      subscription.onEnd(error);
    });
  }

  private dropped(): void {
    if (this.stopped || this.timer !== undefined) return;
    this.attempt++;
    this.options.onState?.('reconnecting', this.attempt);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.connect();
    }, (this.options.delayMs ?? defaultDelay)(this.attempt));
  }
}
