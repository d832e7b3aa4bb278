// A `ws` WebSocket as a MessageChannel: text frames only.
import type { WebSocket } from 'ws';
import type { MessageChannel } from '../api/channel.js';

export function webSocketChannel(socket: WebSocket): MessageChannel {
  return {
    send(text) {
      if (socket.readyState === socket.OPEN) socket.send(text);
    },
    onMessage(listener) {
      const handler = (data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean): void => {
        // A binary frame is not our protocol: hand it on as something that fails to decode.
        listener(isBinary ? '\u0000binary' : Buffer.from(data as Buffer).toString('utf8'));
      };
      socket.on('message', handler);
      return () => socket.off('message', handler);
    },
    onClose(listener) {
      socket.on('close', listener);
      return () => socket.off('close', listener);
    },
    close() {
      socket.close(1000);
    },
  };
}
