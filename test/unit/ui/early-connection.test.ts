// The page's early socket: what arrives before the app listens is kept for it, and the
// app's transport uses that socket first and its own `open` after a drop.
import { describe, expect, it } from 'vitest';
import { createInMemoryChannelPair, type MessageChannel } from '../../../main/api/channel.js';
import { heldUntilHeard } from '../../../renderer/src/lib/api/early-connection.js';
import { ReconnectingTransport } from '../../../renderer/src/lib/api/reconnecting-transport.js';

const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

describe('early connection', () => {
  it('keeps messages that arrive before anyone listens and hands them, in order, to the first listener', async () => {
    const [client, server] = createInMemoryChannelPair();
    const held = heldUntilHeard(client);
    server.send('one');
    server.send('two');
    await tick();
    const heard: string[] = [];
    held.onMessage((text) => heard.push(text));
    server.send('three');
    await tick();
    expect(heard).toEqual(['one', 'two', 'three']);
  });

  it('tells every close listener of a close that came before it', async () => {
    const [client, server] = createInMemoryChannelPair();
    const held = heldUntilHeard(client);
    server.close();
    await tick();
    let closed = 0;
    held.onClose(() => closed++);
    held.onClose(() => closed++);
    await tick();
    expect(closed).toBe(2);
  });

  it('fails the app\'s first call, not hangs it, when the early socket closed before the app took it', async () => {
    const [early, earlyServer] = createInMemoryChannelPair();
    const held = heldUntilHeard(early);
    held.send(JSON.stringify({ type: 'request', id: 1, method: 'listPrograms', params: { host: 'local' } }));
    earlyServer.close();
    await tick();
    const transport = new ReconnectingTransport({
      first: { channel: held, sent: [{ id: 1, method: 'listPrograms', params: { host: 'local' }, sentAt: performance.now() }] },
      open: () => createInMemoryChannelPair()[0],
      delayMs: () => 60_000,
    });
    expect(await transport.request('listPrograms', { host: 'local' })).toMatchObject({ ok: false, error: { code: 'ECONNRESET' } });
    transport.close();
  });

  it('uses the early channel first, with its request answered, and opens its own after a drop', async () => {
    const [early, earlyServer] = createInMemoryChannelPair();
    earlyServer.onMessage((text) => {
      const message = JSON.parse(text) as { id: number };
      earlyServer.send(JSON.stringify({ type: 'response', id: message.id, ok: true, result: 'early' }));
    });
    const held = heldUntilHeard(early);
    held.send(JSON.stringify({ type: 'request', id: 1, method: 'listPrograms', params: { host: 'local' } }));
    await tick();
    let opened = 0;
    const transport = new ReconnectingTransport({
      first: { channel: held, sent: [{ id: 1, method: 'listPrograms', params: { host: 'local' }, sentAt: performance.now() }] },
      open: (onOpen) => {
        opened++;
        const [client, server]: [MessageChannel, MessageChannel] = createInMemoryChannelPair();
        server.onMessage((text) => {
          const message = JSON.parse(text) as { id: number };
          server.send(JSON.stringify({ type: 'response', id: message.id, ok: true, result: 'reopened' }));
        });
        queueMicrotask(onOpen);
        return client;
      },
      delayMs: () => 1,
    });
    expect(await transport.request('listPrograms', { host: 'local' })).toEqual({ ok: true, result: 'early' });
    expect(opened).toBe(0);
    earlyServer.close();
    await tick();
    await tick();
    expect(opened).toBe(1);
    expect(await transport.request('listPrograms', { host: 'local' })).toEqual({ ok: true, result: 'reopened' });
    transport.close();
  });
});
