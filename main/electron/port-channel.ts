// An Electron MessagePortMain as a MessageChannel, between the main process and
// the service's utility process.
import type { MessagePortMain } from 'electron';
import type { MessageChannel } from '../api/channel.js';

export function portChannel(port: MessagePortMain): MessageChannel {
  const messageListeners = new Set<(text: string) => void>();
  const closeListeners = new Set<() => void>();
  port.on('message', (event) => {
    if (typeof event.data !== 'string') return;
    for (const listener of [...messageListeners]) listener(event.data);
  });
  port.on('close', () => {
    for (const listener of [...closeListeners]) listener();
  });
  port.start();
  return {
    send: (text) => port.postMessage(text),
    onMessage(listener) {
      messageListeners.add(listener);
      return () => messageListeners.delete(listener);
    },
    onClose(listener) {
      closeListeners.add(listener);
      return () => closeListeners.delete(listener);
    },
    close: () => port.close(),
  };
}
