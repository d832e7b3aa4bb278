// Find in the bytecode, the view's state: asked of a real host service (the clang-built ISA
// fixture opened as an object-file host) over the in-memory RPC pair. Enter steps from the
// screen's top line, then from the match; the view is told which line to show; "k of n",
// "no match" and the count past its limit read as the bar shows them; a program the host
// does not have is an EGONE error; editing the query drops the last answer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInMemoryChannelPair } from '../../../main/api/channel.js';
import { createApiClient } from '../../../main/api/client.js';
import type { BpfscopeApi } from '../../../main/api/contract.js';
import { RpcClient } from '../../../main/api/rpc-client.js';
import { serveChannel } from '../../../main/api/rpc-server.js';
import { HostSession } from '../../../main/hosts/host-session.js';
import { openHost } from '../../../main/hosts/open-host.js';
import { createHostService, type ClosableService } from '../../../main/server/host-service.js';
import { findStatus, ListingFind } from '../../../renderer/src/lib/program/listing-find.svelte.js';
import { compileFixture } from '../isa/loaded-programs.js';

let service: ClosableService;
let rpc: RpcClient;
let api: BpfscopeApi;
let id: number;

beforeAll(async () => {
  const objectPath = compileFixture('programs');
  service = createHostService({ hosts: { fixture: async () => new HostSession(await openHost(`objfile:${objectPath}`)) } });
  const [clientEnd, serverEnd] = createInMemoryChannelPair();
  serveChannel(serverEnd, service);
  rpc = new RpcClient(clientEnd);
  api = createApiClient(rpc);
  id = (await api.listPrograms({ host: 'fixture' })).find((p) => p.name === 'count_packets')!.id;
});
afterAll(async () => {
  rpc?.close();
  await service?.close();
});

describe('find in the bytecode', () => {
  it('steps through the matches from the top line on screen, and tells the view where they are', async () => {
    const shown: number[] = [];
    let top = 0;
    const find = new ListingFind(api, 'fixture', id, (line) => shown.push(line), () => top);
    find.query = 'lookup';
    find.edited();
    const first = await service.searchProgramListing({ host: 'fixture', id, query: 'lookup' }, new AbortController().signal);
    expect(first.matches).toBeGreaterThan(1);
    find.step();
    await expect.poll(() => find.status).toBe(`1 of ${first.matches}`);
    expect(find.line).toBe(first.line);
    find.step();
    await expect.poll(() => find.status).toBe(`2 of ${first.matches}`);
    find.step(true);
    await expect.poll(() => find.status).toBe(`1 of ${first.matches}`);
    find.step(true);
    await expect.poll(() => find.status).toBe(`${first.matches} of ${first.matches}`);
    expect(shown).toHaveLength(4);
    expect(shown[0]).toBe(first.line);

    // Steps asked at once go one after the other, each from where the last landed.
    find.query = 'r1';
    find.edited();
    find.step();
    find.step();
    find.step();
    expect(find.searching).toBe(true);
    await expect.poll(() => find.searching).toBe(false);
    expect(find.status).toMatch(/^3 of ([4-9]|\d\d+)$/);

    // A new query starts from the screen's top line: past the first match, the second is found.
    find.query = 'LOOKUP';
    find.edited();
    expect(find.result).toBeNull();
    expect(find.status).toBe('');
    top = first.line! + 1;
    find.step();
    await expect.poll(() => find.status).toBe(`2 of ${first.matches}`);

    find.query = 'no such text';
    find.edited();
    find.step();
    await expect.poll(() => find.status).toBe('no match');
    expect(find.line).toBeUndefined();
    expect(shown).toHaveLength(8);
    find.clear();
    expect([find.query, find.status]).toEqual(['', '']);
  });

  it('shows the host’s error for a program it does not have', async () => {
    const find = new ListingFind(api, 'fixture', 999_999, () => {}, () => 0);
    find.query = 'call';
    find.step();
    await expect.poll(() => find.error?.code).toBe('EGONE');
    expect(find.searching).toBe(false);
  });

  it('words the count past its limit', () => {
    expect(findStatus({ line: 4, ordinal: 3, matches: 12_345, more: false, wrapped: false })).toBe('3 of 12,345');
    expect(findStatus({ line: 4, ordinal: 3, matches: 10_000, more: true, wrapped: false })).toBe('3 of 10,000+');
    expect(findStatus({ line: 90_000, matches: 10_000, more: true, wrapped: false })).toBe('past 10,000 of 10,000+');
    expect(findStatus({ matches: 0, more: false, wrapped: false })).toBe('no match');
  });
});
