// The renderer's API transport survives a dropped connection: requests in flight fail,
// a new channel is opened, and live subscriptions stream again on it.
import { describe, expect, it } from 'vitest';
import { createInMemoryChannelPair, type MessageChannel } from '../../../main/api/channel.js';
import { ReconnectingTransport, type ConnectionState } from '../../../renderer/src/lib/api/reconnecting-transport.js';

/** A server end that answers every request with `ok` and every subscription with one event. */
function fakeServer(channel: MessageChannel, generation: number): void {
  channel.onMessage((text) => {
    const message = JSON.parse(text) as { type: string; id: number };
    if (message.type === 'request') channel.send(JSON.stringify({ type: 'response', id: message.id, ok: true, result: generation }));
    if (message.type === 'subscribe') channel.send(JSON.stringify({ type: 'event', id: message.id, data: generation }));
  });
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

describe('ReconnectingTransport', () => {
  it('re-subscribes on a new channel after a drop and reports the state', async () => {
    const servers: MessageChannel[] = [];
    const states: Array<[ConnectionState, number]> = [];
    const transport = new ReconnectingTransport({
      open: (onOpen) => {
        const [client, server] = createInMemoryChannelPair();
        fakeServer(server, servers.length);
        servers.push(server);
        queueMicrotask(onOpen);
        return client;
      },
      onState: (state, attempt) => states.push([state, attempt]),
      delayMs: () => 1,
    });
    const seen: unknown[] = [];
    const ended: unknown[] = [];
    const unsubscribe = transport.subscribe('hosts', {}, (data) => seen.push(data), (error) => ended.push(error));
    expect(await transport.request('versions', {})).toEqual({ ok: true, result: 0 });
    await tick();
    expect(seen).toEqual([0]);

    servers[0]!.close();
    await tick();
    await tick();
    expect(states).toEqual([['reconnecting', 1], ['connected', 1]]);
    expect(seen).toEqual([0, 1]);
    expect(ended).toEqual([]);
    expect(await transport.request('versions', {})).toEqual({ ok: true, result: 1 });

    unsubscribe();
    servers[1]!.close();
    await tick();
    await tick();
    expect(seen).toEqual([0, 1]);
    transport.close();
  });

  it('passes on the end of a stream the server ended', async () => {
    const transport = new ReconnectingTransport({
      open: (onOpen) => {
        const [client, server] = createInMemoryChannelPair();
        server.onMessage((text) => {
          const { id } = JSON.parse(text) as { id: number };
          server.send(JSON.stringify({ type: 'end', id, error: { code: 'EGONE', message: 'map 7: not loaded' } }));
        });
        queueMicrotask(onOpen);
        return client;
      },
    });
    const ended = await new Promise((resolve) => transport.subscribe('mapWatch', { host: 'local', id: 7 }, () => {}, resolve));
    expect(ended).toMatchObject({ code: 'EGONE' });
    transport.close();
  });
});
