// The RPC protocol over an in-memory channel pair, in the style of VS Code's ipc.test.ts.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createInMemoryChannelPair, type MessageChannel } from '../../../main/api/channel.js';
import { createApiClient } from '../../../main/api/client.js';
import type { BpfscopeApi } from '../../../main/api/contract.js';
import { ApiError } from '../../../main/api/errors.js';
import { MAX_REQUEST_BYTES, MAX_REQUEST_DEPTH, MAX_REQUESTS_PER_CONNECTION, MAX_SUBSCRIPTIONS_PER_CONNECTION } from '../../../main/api/protocol.js';
import { RpcClient } from '../../../main/api/rpc-client.js';
import { serveChannel, SharedBudget } from '../../../main/api/rpc-server.js';
import { createFakeService, type FakeService } from './fake-service.js';

const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

describe('RPC over an in-memory channel pair', { timeout: 5000 }, () => {
  let service: FakeService;
  let clientEnd: MessageChannel;
  let serverEnd: MessageChannel;
  let rpc: RpcClient;
  let api: BpfscopeApi;
  let rejects: unknown[];

  beforeEach(() => {
    service = createFakeService();
    [clientEnd, serverEnd] = createInMemoryChannelPair();
    serveChannel(serverEnd, service);
    rejects = [];
    rpc = new RpcClient(clientEnd, (error) => rejects.push(error));
    api = createApiClient(rpc);
  });

  afterEach(() => rpc.close());

  it('calls a method and returns its validated result, unknown keys kept', async () => {
    const programs = await api.listPrograms({ host: 'local' });
    expect(programs).toEqual([{ id: 7, type: 'cgroup_skb', name: 'sd_fw_egress', tag: '6deef7357e7b4530', run_time_ns: 0, pids: [{ pid: 1, comm: 'systemd' }] }]);
    expect(service.calls).toEqual(['listPrograms local']);
  });

  it('runs concurrent calls independently', async () => {
    const [hosts, maps, link] = await Promise.all([api.listHosts({}), api.listMaps({ host: 'local' }), api.getLink({ host: 'local', id: 9 })]);
    expect(hosts[0]?.id).toBe('local');
    expect(maps).toEqual([]);
    expect(link).toEqual({ id: 9, type: 'tracing', prog_id: 3 });
  });

  it('carries errors as data: code, message and hint', async () => {
    const error = await api.listPrograms({ host: 'nope' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).toData()).toEqual({ code: 'ENOHOST', message: 'no host nope', hint: 'add it first' });
  });

  it('keeps the errno code and object id of a plain thrown error', async () => {
    const error = (await api.getProgram({ host: 'local', id: 42 }).catch((e: unknown) => e)) as ApiError;
    expect([error.code, error.message, error.id]).toEqual(['ENOENT', 'program vanished', 42]);
  });

  it('refuses a result that breaks the contract instead of passing it on', async () => {
    const error = (await api.listLinks({ host: 'local' }).catch((e: unknown) => e)) as ApiError;
    expect(error.code).toBe('EBADRESULT');
  });

  it('answers an unknown method with ENOMETHOD and calls nothing', async () => {
    const error = (await rpc.request('dropAllMaps' as never, {}).then((e) => e)) as { ok: boolean; error: { code: string } };
    expect(error).toMatchObject({ ok: false, error: { code: 'ENOMETHOD' } });
    expect(service.calls).toEqual([]);
  });

  it('refuses bad parameters on both sides before the service sees them', async () => {
    await expect(api.getProgram({ host: 'local', id: -3 })).rejects.toMatchObject({ code: 'EINVAL' });
    const raw = await rpc.request('getProgram', { host: 'local', id: 'x', extra: 1 });
    expect(raw).toMatchObject({ ok: false, error: { code: 'EINVAL' } });
    expect(service.calls).toEqual([]);
  });

  it('rejects malformed and oversized messages without effect', async () => {
    const raw = (text: string) => clientEnd.send(text);
    raw('not json');
    raw(JSON.stringify({ type: 'request', id: 1, method: 'listPrograms' }));
    raw(JSON.stringify({ type: 'request', id: 0, method: 'listPrograms', params: { host: 'local' } }));
    raw(JSON.stringify({ type: 'request', id: 1, method: 'listPrograms', params: { host: 'local' }, more: true }));
    raw(JSON.stringify({ type: 'launch', id: 1 }));
    raw(JSON.stringify({ type: 'request', id: 1, method: 'listPrograms', params: { host: 'x'.repeat(MAX_REQUEST_BYTES) } }));
    await tick();
    expect(rejects.map((e) => (e as { code: string }).code)).toEqual(['EPROTO', 'EPROTO', 'EPROTO', 'EPROTO', 'EPROTO', 'E2BIG']);
    expect(service.calls).toEqual([]);
    // The connection is still usable afterwards.
    expect(await api.listMaps({ host: 'local' })).toEqual([]);
  });

  it('refuses a message nested 2,000 deep before parsing it, and stays usable', async () => {
    // zod's recursive json check overflowed the stack on this (~4 KB) and serve exited.
    const deep = `{"type":"request","id":2,"method":"versions","params":${'['.repeat(2000)}${']'.repeat(2000)}}`;
    clientEnd.send(deep);
    clientEnd.send(JSON.stringify({ type: 'subscribe', id: 3, event: 'hosts', params: { nested: JSON.parse(`${'['.repeat(MAX_REQUEST_DEPTH)}${']'.repeat(MAX_REQUEST_DEPTH)}`) } }));
    await tick();
    expect(rejects).toMatchObject([
      { code: 'E2BIG', message: `message nests arrays and objects deeper than ${MAX_REQUEST_DEPTH}` },
      { code: 'E2BIG' },
    ]);
    expect(service.calls).toEqual([]);
    expect((await api.versions({})).kernel).toBe('6.18');
  });

  it('refuses a request id already in use', async () => {
    const request = JSON.stringify({ type: 'request', id: 5, method: 'getMap', params: { host: 'local', id: 1 } });
    clientEnd.send(request);
    clientEnd.send(request);
    await tick();
    expect(rejects).toMatchObject([{ code: 'EPROTO' }]);
    expect(service.calls).toEqual(['getMap 1']);
  });

  it('bounds the requests one connection may have in flight: the excess is answered EBUSY', async () => {
    const answers: Array<{ id: number; error?: { code: string } }> = [];
    clientEnd.onMessage((text) => answers.push(JSON.parse(text) as { id: number; error?: { code: string } }));
    for (let i = 1; i <= MAX_REQUESTS_PER_CONNECTION + 3; i++) {
      clientEnd.send(JSON.stringify({ type: 'request', id: i, method: 'getMap', params: { host: 'local', id: i } }));
    }
    await tick();
    expect(service.calls).toHaveLength(MAX_REQUESTS_PER_CONNECTION);
    expect(answers.map((a) => [a.id, a.error?.code])).toEqual([1, 2, 3].map((n) => [MAX_REQUESTS_PER_CONNECTION + n, 'EBUSY']));
  });

  it('bounds the streams of one connection, and of all connections through a shared budget that closing gives back', async () => {
    const ended: string[] = [];
    const open = (n: number) => Array.from({ length: n }, () => api.subscribe('hosts', {}, () => {}, (e) => ended.push((e as ApiError).code)));
    open(MAX_SUBSCRIPTIONS_PER_CONNECTION + 2);
    await tick();
    expect(service.hostListeners.size).toBe(MAX_SUBSCRIPTIONS_PER_CONNECTION);
    expect(ended).toEqual(['EBUSY', 'EBUSY']);

    const budget = new SharedBudget(3);
    const clients = [0, 1].map(() => {
      const [client, server] = createInMemoryChannelPair();
      const served = serveChannel(server, service, { subscriptions: budget });
      return { api: createApiClient(new RpcClient(client, () => {})), client, served };
    });
    const shared: string[] = [];
    for (const c of [...clients, ...clients]) c.api.subscribe('hosts', {}, () => {}, (e) => shared.push((e as ApiError).message));
    await tick();
    expect([budget.inUse, clients[0]!.served.open, clients[1]!.served.open]).toEqual([3, 2, 1]);
    expect(shared).toEqual(['the server has 3 live views open for all its clients, its limit']);
    clients[0]!.client.close();
    await tick();
    expect(budget.inUse).toBe(1);
    clients[1]!.api.subscribe('hosts', {}, () => {});
    await tick();
    expect(budget.inUse).toBe(2);
    clients[1]!.client.close();
    await tick();
    expect(budget.inUse).toBe(0);
  });

  it('cancels a pending call through its AbortSignal, on both ends', async () => {
    const controller = new AbortController();
    const pending = api.getMap({ host: 'local', id: 3 }, controller.signal);
    await tick();
    controller.abort();
    await expect(pending).rejects.toMatchObject({ code: 'ECANCELED' });
    await tick();
    expect(service.aborted).toEqual(['getMap 3']);
  });

  it('delivers events until unsubscribed, then stops the watch on the server', async () => {
    const received: unknown[] = [];
    const unsubscribe = api.subscribe('hosts', {}, (hosts) => received.push(hosts));
    await tick();
    expect(received).toHaveLength(1);
    for (const emit of service.hostListeners) emit([{ id: 'local', label: 'local', status: 'failed', error: { code: 'EPERM', message: 'no' } }]);
    await tick();
    expect(received).toHaveLength(2);
    unsubscribe();
    await tick();
    expect(service.hostListeners.size).toBe(0);
  });

  it('ends a subscription whose event breaks the contract', async () => {
    const errors: Error[] = [];
    api.subscribe('hosts', {}, () => {}, (error) => errors.push(error));
    await tick();
    for (const emit of service.hostListeners) emit([{ id: '', label: 'x', status: 'weird' }] as never);
    await tick();
    expect(errors).toMatchObject([{ code: 'EBADRESULT' }]);
    expect(service.hostListeners.size).toBe(0);
  });

  it('answers an unknown event stream with an end carrying ENOEVENT', async () => {
    const ended: unknown[] = [];
    rpc.subscribe('everything' as never, {}, () => {}, (error) => ended.push(error));
    await tick();
    expect(ended).toMatchObject([{ code: 'ENOEVENT' }]);
  });

  it('fails pending calls and ends streams when the channel closes, and stops server work', async () => {
    const ended: Error[] = [];
    api.subscribe('hosts', {}, () => {}, (error) => ended.push(error));
    const pending = api.getMap({ host: 'local', id: 8 });
    await tick();
    serverEnd.close();
    await expect(pending).rejects.toMatchObject({ code: 'ECONNRESET' });
    expect(ended).toMatchObject([{ code: 'ECONNRESET' }]);
    expect(service.aborted).toEqual(['getMap 8']);
    expect(service.hostListeners.size).toBe(0);
    await expect(api.listMaps({ host: 'local' })).rejects.toMatchObject({ code: 'ECONNRESET' });
  });
});
