// A long program list lets the rest of the server run: a local host answers info requests
// synchronously, and a list of hundreds must not hold the event loop for its whole length.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHostService, type ClosableService } from '../../main/server/host-service.js';
import { ensureKernelEnv } from '../helpers/kernel-env.js';
import { loadManyPrograms } from '../helpers/many-programs.js';

const skip = ensureKernelEnv();
const COUNT = 400;
const pinDir = `/sys/fs/bpf/bpfscope-test-slices-${process.pid}`;
const work = mkdtempSync(join(tmpdir(), 'bpfscope-slices-'));
const signal = new AbortController().signal;

describe.skipIf(skip)('program list in slices', { timeout: 60_000 }, () => {
  let service: ClosableService;

  beforeAll(() => {
    expect(loadManyPrograms(work, COUNT, pinDir, 'slice_')).toBe(COUNT);
    service = createHostService();
  });

  afterAll(async () => {
    await service?.close();
    rmSync(pinDir, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  });

  it('lets timers run while it lists, and lists every program', async () => {
    await service.listPrograms({ host: 'local' }, signal);
    let ticks = 0;
    const timer = setInterval(() => ticks++, 0);
    const started = performance.now();
    const rows = await service.listPrograms({ host: 'local' }, signal);
    const took = performance.now() - started;
    clearInterval(timer);
    const names = new Set(rows.map((row) => row.name));
    for (let i = 0; i < COUNT; i += 37) expect(names).toContain(`slice_${i}`);
    // About one tick per 4 ms slice; a list that never yields gets none.
    expect(ticks, `${ticks} timer ticks during a ${took.toFixed(0)} ms list`).toBeGreaterThanOrEqual(Math.min(3, Math.floor(took / 8)));
    expect(ticks).toBeGreaterThan(0);
  });

  it('answers from the early listing after warmProgramList, with the same programs', async () => {
    service.warmProgramList('local');
    const warm = await service.listPrograms({ host: 'local' }, signal);
    const fresh = await service.listPrograms({ host: 'local' }, signal);
    expect(warm.map((row) => row.id)).toEqual(fresh.map((row) => row.id));
  });
});
