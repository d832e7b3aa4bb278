// A `ws` WebSocket as a MessageChannel: text frames only.
import type { WebSocket } from 'ws';
import type { MessageChannel } from '../api/channel.js';

/** `afterSend` sees the socket after each message is queued (to cut a client that stops reading). */
export function webSocketChannel(socket: WebSocket, afterSend: (socket: WebSocket) => void = () => {}): MessageChannel {
  return {
    send(text) {
      if (socket.readyState !== socket.OPEN) return;
      socket.send(text);
      afterSend(socket);
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
