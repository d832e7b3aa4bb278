// `bpfscope serve`: the built renderer over HTTP and the API over a WebSocket,
// on loopback by default, behind a random token (like Jupyter).
import { existsSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { isIP } from 'node:net';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { WebSocketServer } from 'ws';
import type { BpfscopeService } from '../api/contract.js';
import { MAX_REQUEST_BYTES } from '../api/protocol.js';
import { serveChannel, SharedBudget } from '../api/rpc-server.js';
import { ConnectionAdmission, DEFAULT_CONNECTION_LIMITS, type ConnectionLimits } from './admission.js';
import { connectionScope } from './connection-scope.js';
import { HeapRelease } from './heap-release.js';
import { checkRequest, newToken, TOKEN_PARAM, tokenCookie } from './http-guard.js';
import { SECURITY_HEADERS, sendStatic, sendText } from './static-files.js';
import { webSocketChannel } from './ws-channel.js';

export const API_PATH = '/api';
export const DEFAULT_PORT = 7878;
/** Live views open over all connections (each connection has its own limit too). */
export const MAX_SUBSCRIPTIONS = 8192;
const CLOSE_GRACE_MS = 500;

export interface ServeOptions {
  /** Address to listen on; anything but loopback prints a warning. */
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  token?: string;
  /** The built renderer (out/renderer). */
  staticDir?: string;
  services: BpfscopeService & { close?(): Promise<void> };
  log?: (line: string) => void;
  /** Called as the dashboard page is sent, so the service can start what the page asks for first. */
  onPage?: () => void;
  /** Close on SIGINT/SIGTERM (the CLI wants it, tests do not). */
  handleSignals?: boolean;
  /** Who keeps a connection when many ask (admission.ts); tests shorten the times. */
  limits?: Partial<ConnectionLimits>;
}

export interface RunningServer {
  url: string;
  port: number;
  token: string;
  /** WebSocket connections open now. */
  connections(): number;
  /** Resolves when the server, every connection and every host are closed. */
  close(): Promise<void>;
  closed: Promise<void>;
}

/** out/renderer, from out/node/main/server/serve.js (tsc) or from out/cli/ (the CLI bundle). */
export function defaultStaticDir(): string {
  const dirs = ['../../../renderer/', '../renderer/'].map((path) => fileURLToPath(new URL(path, import.meta.url)));
  return dirs.find((dir) => existsSync(join(dir, 'index.html'))) ?? dirs[0];
}

export function isLoopback(address: string): boolean {
  return address === 'localhost' || address === '::1' || (isIP(address) === 4 && address.startsWith('127.'));
}

function urlHost(address: string, port: number): string {
  return `${isIP(address) === 6 ? `[${address}]` : address}:${port}`;
}

const STATUS_TEXT: Record<number, string> = { 401: 'Unauthorized', 403: 'Forbidden', 503: 'Service Unavailable' };

function refuseUpgrade(socket: Duplex, status: number, reason: string): void {
  const retry = status === 503 ? 'Retry-After: 5\r\n' : '';
  socket.end(`HTTP/1.1 ${status} ${STATUS_TEXT[status]}\r\nContent-Type: text/plain\r\n${retry}Connection: close\r\n\r\n${reason}\n`);
}

export async function runServe(options: ServeOptions): Promise<RunningServer> {
  const address = options.host ?? '127.0.0.1';
  const token = options.token ?? newToken();
  const staticDir = options.staticDir ?? defaultStaticDir();
  const log = options.log ?? ((line: string) => console.log(line));
  let port = options.port ?? DEFAULT_PORT;

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_REQUEST_BYTES, clientTracking: true });
  const admission = new ConnectionAdmission({ ...DEFAULT_CONNECTION_LIMITS, ...options.limits });
  const subscriptions = new SharedBudget(MAX_SUBSCRIPTIONS);
  const heap = new HeapRelease();

  const onRequest = (request: IncomingMessage, response: ServerResponse): void => {
    const verdict = checkRequest(request, port, token);
    if (!verdict.ok) return sendText(response, verdict.status, verdict.reason);
    if (request.method !== 'GET' && request.method !== 'HEAD') return sendText(response, 405, 'method not allowed', { Allow: 'GET, HEAD' });
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (verdict.fromQuery) {
      // Trade the token in the URL for a cookie, and drop it from the address bar and history.
      url.searchParams.delete(TOKEN_PARAM);
      response.writeHead(303, { ...SECURITY_HEADERS, 'Set-Cookie': tokenCookie(port, token), Location: `${url.pathname}${url.search}` });
      return void response.end();
    }
    if (url.pathname === API_PATH) return sendText(response, 426, 'WebSocket upgrade required');
    if ((url.pathname === '/' || url.pathname === '/index.html') && request.method === 'GET') options.onPage?.();
    sendStatic(response, staticDir, url.pathname, request.method === 'HEAD').catch(() => response.destroy());
  };

  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const verdict = checkRequest(request, port, token);
    if (!verdict.ok) return refuseUpgrade(socket, verdict.status, verdict.reason);
    if (new URL(request.url ?? '/', 'http://localhost').pathname !== API_PATH) return refuseUpgrade(socket, 403, 'no such endpoint');
    const address = request.socket.remoteAddress ?? '';
    const full = admission.makeRoom(address);
    if (full) return refuseUpgrade(socket, 503, full);
    wss.handleUpgrade(request, socket, head, (ws) => {
      // Oversized or invalid frames: ws closes the connection itself (1009, 1002); nothing else to do.
      ws.on('error', () => {});
      const scope = connectionScope(options.services);
      const served = serveChannel(webSocketChannel(ws, (s) => admission.checkBuffered(s)), scope.service, { subscriptions });
      admission.add(ws, address, served);
      ws.once('close', () => {
        scope.release();
        heap.soon();
      });
    });
  };

  // A connection that never finishes its request is checked against the timeouts below every 2 s.
  const server = createServer({ connectionsCheckingInterval: 2000 }, onRequest);
  server.on('upgrade', onUpgrade);
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, address, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = server.address();
  if (bound && typeof bound === 'object') port = bound.port;

  const url = `http://${urlHost(address, port)}/?${TOKEN_PARAM}=${token}`;
  if (!isLoopback(address)) {
    log(`bpfscope: WARNING: serving on ${address}, not loopback: anyone who can reach this port and learns the token can read this machine's BPF state; the connection is plain http`);
  }
  log(`bpfscope: serving the dashboard at ${url}`);

  let resolveClosed!: () => void;
  const closed = new Promise<void>((resolve) => (resolveClosed = resolve));
  let closing: Promise<void> | undefined;
  const onSignal = (): void => void close();
  const close = (): Promise<void> => {
    closing ??= (async () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      admission.close();
      heap.close();
      for (const client of wss.clients) client.close(1001, 'server shutting down');
      // Upgraded sockets hold server.close() open: give peers a moment to answer the close, then cut them.
      await new Promise((resolve) => setTimeout(resolve, wss.clients.size > 0 ? CLOSE_GRACE_MS : 0));
      for (const client of wss.clients) client.terminate();
      wss.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await options.services.close?.();
      resolveClosed();
    })();
    return closing;
  };
  if (options.handleSignals) {
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  }
  return { url, port, token, connections: () => admission.size, close, closed };
}
