// The page's first request, sent before the app's script has loaded: main.ts opens the API
// socket and asks for the list the route's view shows first, then loads the app. The
// host's answer then travels while the app's script is compiled and evaluated (~300 ms
// here), and the app's transport takes the socket over, answering its first matching call
// from that request. This module imports nothing heavy: it runs before the app exists.
import { BRIDGE_GLOBAL } from '../../../../main/api/bridge-global.js';
import type { MessageChannel } from '../../../../main/api/channel.js';
import type { SentRequest } from '../../../../main/api/rpc-client.js';
import { DEFAULT_HOST, firstListOf, parseRoute } from '../app/route.js';
import { webSocketChannel } from './websocket-channel.js';

export const API_PATH = '/api';

export interface EarlyConnection {
  channel: MessageChannel;
  sent: readonly SentRequest[];
}

let early: EarlyConnection | undefined;

export function apiUrl(): string {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}${API_PATH}`;
}

/** How long the page waits for the socket to open before loading the app anyway. */
export const OPEN_WAIT_MS = 200;

/**
 * Opens the socket and sends the route's first list request; under Electron (no socket)
 * does nothing. Resolves once the request has left (the socket opened), or after
 * OPEN_WAIT_MS: a queued request leaves only from the page's main thread, which the
 * app's evaluation then holds for ~100-300 ms.
 */
export function startEarlyConnection(): Promise<void> {
  if (BRIDGE_GLOBAL in globalThis) return Promise.resolve();
  let sentOff!: () => void;
  const left = new Promise<void>((resolve) => (sentOff = resolve));
  setTimeout(sentOff, OPEN_WAIT_MS);
  const socket = webSocketChannel(apiUrl(), () => sentOff());
  socket.onClose(() => sentOff());
  const channel = heldUntilHeard(socket);
  const sent: SentRequest[] = [];
  const route = parseRoute(location.hash, DEFAULT_HOST);
  const method = firstListOf(route.view);
  if (method) {
    const request: SentRequest = { id: 1, method, params: { host: route.host }, sentAt: performance.now() };
    channel.send(JSON.stringify({ type: 'request', id: request.id, method: request.method, params: request.params }));
    sent.push(request);
  }
  early = { channel, sent };
  return left;
}

/** The early connection, once: the first transport takes it, any later one opens its own. */
export function takeEarlyConnection(): EarlyConnection | undefined {
  const taken = early;
  early = undefined;
  return taken;
}

/**
 * Keeps what arrives before anyone listens (the answer may come before the app is loaded)
 * and hands it to the first listener; a close, before or after, is told to every close listener.
 */
export function heldUntilHeard(channel: MessageChannel): MessageChannel {
  let held: string[] | undefined = [];
  let closed = false;
  const stopHolding = channel.onMessage((text) => held?.push(text));
  channel.onClose(() => (closed = true));
  return {
    send: (text) => channel.send(text),
    close: () => channel.close(),
    onMessage(listener) {
      const remove = channel.onMessage(listener);
      const replay = held;
      if (replay) {
        held = undefined;
        stopHolding();
        // After the caller's constructor has finished registering what it expects.
        queueMicrotask(() => {
          for (const text of replay) listener(text);
        });
      }
      return remove;
    },
    onClose(listener) {
      // The socket closes once: a listener that comes later hears it all the same.
      if (closed) {
        queueMicrotask(listener);
        return () => {};
      }
      return channel.onClose(listener);
    },
  };
}
