import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createApiClient, type ApiTransport } from '../../../main/api/client.js';
import { methods } from '../../../main/api/contract.js';
import { ProgramSummarySchema } from '../../../main/api/records.js';

const good = { id: 7, type: 'tracepoint', name: 'count_opens', tag: '0123456789abcdef', pids: [{ pid: 42, comm: 'loader', extra: [1, 'x'] }], bytes_xlated: 96, map_ids: [3] };
const full = z.array(ProgramSummarySchema);

// Each one breaks one key the summary schema checks.
const broken: [string, unknown][] = [
  ['id missing', { ...good, id: undefined }],
  ['id zero', { ...good, id: 0 }],
  ['id fractional', { ...good, id: 1.5 }],
  ['id a string', { ...good, id: '7' }],
  ['type null', { ...good, type: null }],
  ['type fractional', { ...good, type: 2.5 }],
  ['name a number', { ...good, name: 5 }],
  ['tag null', { ...good, tag: null }],
  ['pids not an array', { ...good, pids: { pid: 1, comm: 'x' } }],
  ['owner without comm', { ...good, pids: [{ pid: 1 }] }],
  ['owner pid a string', { ...good, pids: [{ pid: '1', comm: 'x' }] }],
  ['row null', null],
  ['row an array', [good]],
];

describe('listPrograms result check', () => {
  it('accepts what the zod summary schema accepts, extra keys kept', () => {
    const list = [good, { id: 8, type: 5 }, { ...good, id: 9, name: undefined, pids: [] }];
    expect(full.safeParse(list).success).toBe(true);
    const checked = methods.listPrograms.result.safeParse(list);
    expect(checked.success).toBe(true);
    expect(checked.data?.[0]).toEqual(good);
  });

  it.each(broken)('refuses a row with %s, as zod does, naming the row', (_what, row) => {
    const list = [good, row];
    expect(full.safeParse(list).success).toBe(false);
    const checked = methods.listPrograms.result.safeParse(list);
    expect(checked.success).toBe(false);
    expect(checked.error?.issues[0]?.path[0]).toBe(1);
  });

  it('refuses an answer that is not a list', () => {
    expect(methods.listPrograms.result.safeParse({ 0: good }).success).toBe(false);
  });

  it('makes the client reject a malformed answer with a clear error', async () => {
    const transport: ApiTransport = {
      request: async () => ({ ok: true, result: [good, { ...good, id: 'nine' }] }),
      subscribe: () => () => {},
    };
    await expect(createApiClient(transport).listPrograms({ host: 'local' })).rejects.toThrow(/invalid result from listPrograms: 1\.id: /);
  });
});
