// The browser's WebSocket as a MessageChannel. Messages sent before the socket
// opens wait in a queue; the server authenticates us by the cookie `serve` set.
import type { MessageChannel } from '../../../../main/api/channel.js';

export function webSocketChannel(url: string, onOpen?: () => void): MessageChannel {
  const socket = new WebSocket(url);
  const queue: string[] = [];
  const closeListeners = new Set<() => void>();
  socket.addEventListener('open', () => {
    for (const text of queue.splice(0)) socket.send(text);
    onOpen?.();
  });
  socket.addEventListener('close', () => {
    for (const listener of [...closeListeners]) listener();
  });
  return {
    send(text) {
      if (socket.readyState === WebSocket.CONNECTING) queue.push(text);
      else if (socket.readyState === WebSocket.OPEN) socket.send(text);
    },
    onMessage(listener) {
      const handler = (event: MessageEvent): void => listener(typeof event.data === 'string' ? event.data : '');
      socket.addEventListener('message', handler);
      return () => socket.removeEventListener('message', handler);
    },
    onClose(listener) {
      closeListeners.add(listener);
      return () => closeListeners.delete(listener);
    },
    close() {
      socket.close(1000);
    },
  };
}
