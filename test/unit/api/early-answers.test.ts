// Requests sent on a channel before its RpcClient existed (the page's first list, sent
// before the app's script loaded): the first matching call gets that answer, once.
import { describe, expect, it } from 'vitest';
import { createInMemoryChannelPair, type MessageChannel } from '../../../main/api/channel.js';
import { EARLY_ANSWER_MAX_AGE_MS, RpcClient, type SentRequest } from '../../../main/api/rpc-client.js';

/** A server end that answers each request with its id and method, and records what it was asked. */
function answering(channel: MessageChannel): Array<{ id: number; method: string; params: unknown }> {
  const asked: Array<{ id: number; method: string; params: unknown }> = [];
  channel.onMessage((text) => {
    const message = JSON.parse(text) as { type: string; id: number; method: string; params: unknown };
    if (message.type !== 'request') return;
    asked.push({ id: message.id, method: message.method, params: message.params });
    channel.send(JSON.stringify({ type: 'response', id: message.id, ok: true, result: { id: message.id, method: message.method } }));
  });
  return asked;
}

function sendEarly(channel: MessageChannel, request: SentRequest): void {
  channel.send(JSON.stringify({ type: 'request', id: request.id, method: request.method, params: request.params }));
}

describe('early answers', () => {
  it('hands the early answer to the first call with the same method and parameters, and asks afresh after', async () => {
    const [client, server] = createInMemoryChannelPair();
    const asked = answering(server);
    const early: SentRequest = { id: 1, method: 'listPrograms', params: { host: 'local' }, sentAt: performance.now() };
    sendEarly(client, early);
    const rpc = new RpcClient(client, () => {}, [early]);
    expect(await rpc.request('listPrograms', { host: 'local' })).toEqual({ ok: true, result: { id: 1, method: 'listPrograms' } });
    expect(asked.map((a) => a.id)).toEqual([1]);
    // Once only: the next call is a new request, with an id past the early one.
    expect(await rpc.request('listPrograms', { host: 'local' })).toEqual({ ok: true, result: { id: 2, method: 'listPrograms' } });
    expect(asked.map((a) => a.id)).toEqual([1, 2]);
  });

  it('does not give the early answer to a call with other parameters or another method', async () => {
    const [client, server] = createInMemoryChannelPair();
    const asked = answering(server);
    const early: SentRequest = { id: 7, method: 'listPrograms', params: { host: 'local' }, sentAt: performance.now() };
    sendEarly(client, early);
    const rpc = new RpcClient(client, () => {}, [early]);
    expect(await rpc.request('listPrograms', { host: 'box' })).toEqual({ ok: true, result: { id: 8, method: 'listPrograms' } });
    expect(await rpc.request('listMaps', { host: 'local' })).toEqual({ ok: true, result: { id: 9, method: 'listMaps' } });
    expect(asked.map((a) => [a.id, a.method, a.params])).toEqual([
      [7, 'listPrograms', { host: 'local' }],
      [8, 'listPrograms', { host: 'box' }],
      [9, 'listMaps', { host: 'local' }],
    ]);
  });

  it('asks afresh when the early answer is too old to show', async () => {
    const [client, server] = createInMemoryChannelPair();
    const asked = answering(server);
    const early: SentRequest = { id: 1, method: 'listPrograms', params: { host: 'local' }, sentAt: performance.now() - EARLY_ANSWER_MAX_AGE_MS - 1 };
    sendEarly(client, early);
    const rpc = new RpcClient(client, () => {}, [early]);
    expect(await rpc.request('listPrograms', { host: 'local' })).toEqual({ ok: true, result: { id: 2, method: 'listPrograms' } });
    expect(asked.map((a) => a.id)).toEqual([1, 2]);
  });

  it('fails a waiting early answer when the channel closes, like any request in flight', async () => {
    const [client] = createInMemoryChannelPair();
    const early: SentRequest = { id: 1, method: 'listPrograms', params: { host: 'local' }, sentAt: performance.now() };
    const rpc = new RpcClient(client, () => {}, [early]);
    const answer = rpc.request('listPrograms', { host: 'local' });
    client.close();
    expect(await answer).toMatchObject({ ok: false, error: { code: 'ECONNRESET' } });
  });
});
