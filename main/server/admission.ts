// Which WebSocket connections `serve` keeps when many ask. Every one holds the token (checked
// before this); among them a connection with live views open or requests in flight is never
// displaced by one that waits for nothing. When the server is full, a newcomer takes the place
// of the connection idle the longest; connections idle for IDLE_MS are closed anyway, peers that
// stop answering pings are cut, and so is a client that stops reading what it asked for.
import type { WebSocket } from 'ws';
import type { ServedChannel } from '../api/rpc-server.js';

export interface ConnectionLimits {
  /** WebSocket connections open at once. */
  maxConnections: number;
  /** Of them, from one remote address (all loopback clients share one). */
  maxPerAddress: number;
  /** A connection with nothing open this long is closed. */
  idleMs: number;
  /** Ping interval; a peer that has not answered the previous ping is cut. */
  heartbeatMs: number;
  /** Bytes queued to one client that it has not read: past this it is cut. */
  maxBufferedPerConnection: number;
  /** The same over all clients: past this the one holding most is cut. */
  maxBuffered: number;
}

export const DEFAULT_CONNECTION_LIMITS: ConnectionLimits = {
  maxConnections: 128,
  maxPerAddress: 64,
  idleMs: 60_000,
  heartbeatMs: 15_000,
  // One response may be 64 MiB (MAX_RESPONSE_BYTES): a client gets room for one unread.
  maxBufferedPerConnection: 96 * 1024 * 1024,
  maxBuffered: 512 * 1024 * 1024,
};

/** Close codes the client sees (4000-4999: ours). */
export const CLOSE_IDLE = 4000;
export const CLOSE_REPLACED = 4001;

interface Connection {
  socket: WebSocket;
  address: string;
  openedMs: number;
  served: ServedChannel;
  answeredPing: boolean;
}

export class ConnectionAdmission {
  private readonly connections = new Map<WebSocket, Connection>();
  private readonly timer: NodeJS.Timeout;
  private lastBeatMs = Date.now();

  constructor(readonly limits: ConnectionLimits = DEFAULT_CONNECTION_LIMITS) {
    this.timer = setInterval(() => this.sweep(), Math.min(1000, limits.heartbeatMs, limits.idleMs));
    this.timer.unref();
  }

  get size(): number {
    return this.connections.size;
  }

  /** Makes room for a client from `address`, closing an idle connection if it must; the reason when it cannot. */
  makeRoom(address: string): string | undefined {
    const all = [...this.connections.values()];
    const fromAddress = all.filter((c) => c.address === address);
    const full = all.length >= this.limits.maxConnections ? all : fromAddress.length >= this.limits.maxPerAddress ? fromAddress : undefined;
    if (!full) return undefined;
    const idlest = full.filter((c) => c.served.open === 0).sort((a, b) => this.lastActiveMs(a) - this.lastActiveMs(b))[0];
    if (!idlest) {
      const scope = full === fromAddress ? `from ${address} (at most ${this.limits.maxPerAddress})` : `(at most ${this.limits.maxConnections})`;
      return `too many connections ${scope}, each with live views open`;
    }
    this.drop(idlest, CLOSE_REPLACED, 'idle: closed for a newer connection');
    return undefined;
  }

  add(socket: WebSocket, address: string, served: ServedChannel): void {
    const connection: Connection = { socket, address, openedMs: Date.now(), served, answeredPing: true };
    this.connections.set(socket, connection);
    socket.on('pong', () => (connection.answeredPing = true));
    socket.once('close', () => this.connections.delete(socket));
  }

  /** Cuts the connection when what it has not read passes the limit; called after each send. */
  checkBuffered(socket: WebSocket): void {
    if (socket.bufferedAmount <= this.limits.maxBufferedPerConnection) return;
    const connection = this.connections.get(socket);
    if (connection) this.cutSlow(connection);
  }

  close(): void {
    clearInterval(this.timer);
  }

  private lastActiveMs(c: Connection): number {
    return Math.max(c.openedMs, c.served.lastMessageMs);
  }

  private drop(c: Connection, code: number, reason: string): void {
    this.connections.delete(c.socket);
    c.served.close();
    c.socket.close(code, reason);
    // A peer that does not answer the close is cut at the next sweep's heartbeat at the latest.
    setTimeout(() => c.socket.terminate(), 1000).unref();
  }

  private cutSlow(c: Connection): void {
    this.connections.delete(c.socket);
    c.served.close();
    // Its queue is what is too large: a close frame would wait behind it.
    c.socket.terminate();
  }

  private sweep(): void {
    const now = Date.now();
    let buffered = 0;
    for (const c of [...this.connections.values()]) {
      if (c.served.open === 0 && now - this.lastActiveMs(c) >= this.limits.idleMs) {
        this.drop(c, CLOSE_IDLE, `idle for ${Math.round(this.limits.idleMs / 1000)} s with nothing open`);
        continue;
      }
      if (c.socket.bufferedAmount > this.limits.maxBufferedPerConnection) this.cutSlow(c);
      else buffered += c.socket.bufferedAmount;
    }
    while (buffered > this.limits.maxBuffered && this.connections.size > 0) {
      const largest = [...this.connections.values()].reduce((a, b) => (b.socket.bufferedAmount > a.socket.bufferedAmount ? b : a));
      buffered -= largest.socket.bufferedAmount;
      this.cutSlow(largest);
    }
    if (now - this.lastBeatMs < this.limits.heartbeatMs) return;
    this.lastBeatMs = now;
    for (const c of [...this.connections.values()]) {
      if (!c.answeredPing) {
        this.connections.delete(c.socket);
        c.served.close();
        c.socket.terminate();
        continue;
      }
      c.answeredPing = false;
      c.socket.ping();
    }
  }
}
