// Live-layer benchmarks: one run-stats sample of ~1000 loaded programs in process vs
// `bpftool prog show -j` and a plain C loop of the same syscalls; the CPU cost of sampling
// at 1 Hz; the history memory of 1000 programs × 10 minutes. Run as root after
// `npx tsc -p tsconfig.json` and `npm run build:native`:  node --expose-gc out/node/test/bench/live.js
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalHost } from '../../main/hosts/local-host.js';
import { decodeProgStatsSample } from '../../main/kernel/live/index.js';
import { PROGRAM_FIELDS, ProgramSampler } from '../../main/live/program-sampler.js';
import { SeriesRing } from '../../main/live/series-ring.js';
import { median } from '../helpers/median.js';
import { loadManyPrograms } from '../helpers/many-programs.js';

const PROGRAMS = Number(process.env.BENCH_PROGRAMS ?? 1000);
const SAMPLE_SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const PIN_DIR = `/sys/fs/bpf/bpfscope-bench-live-${process.pid}`;

/** The same four syscalls per program as native/src/prog_info_all.c, timed in C: the floor. */
const C_LOOP = `#include <linux/bpf.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
static long sys_bpf(int cmd, union bpf_attr *a) { return syscall(__NR_bpf, cmd, a, sizeof(*a)); }
int main(void) {
  unsigned char info[512]; union bpf_attr a; unsigned id = 0; int n = 0; struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  for (;;) {
    memset(&a, 0, sizeof(a)); a.start_id = id;
    if (sys_bpf(BPF_PROG_GET_NEXT_ID, &a)) break;
    id = a.next_id;
    memset(&a, 0, sizeof(a)); a.prog_id = id;
    int fd = (int)sys_bpf(BPF_PROG_GET_FD_BY_ID, &a);
    if (fd < 0) continue;
    memset(&a, 0, sizeof(a)); memset(info, 0, sizeof(info));
    a.info.bpf_fd = fd; a.info.info_len = sizeof(info); a.info.info = (unsigned long)info;
    if (sys_bpf(BPF_OBJ_GET_INFO_BY_FD, &a) == 0) n++;
    close(fd);
  }
  clock_gettime(CLOCK_MONOTONIC, &t1);
  printf("%d %.3f\\n", n, ((t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec)) / 1e6);
  return 0;
}
`;


function timeMs(runs: number, fn: () => void): number {
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    ms.push(performance.now() - t0);
  }
  return median(ms);
}

async function timeMsAsync(runs: number, fn: () => Promise<unknown>): Promise<number> {
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    ms.push(performance.now() - t0);
  }
  return median(ms);
}

/** Before anything else runs, so the heap figures are this alone. */
function historyMemory(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const before = process.memoryUsage();
  const rings = Array.from({ length: 1000 }, () => new SeriesRing(PROGRAM_FIELDS, 600));
  for (let t = 0; t < 600; t++) for (const ring of rings) ring.push(t * 1000, { eventsPerSec: t, avgRunNs: t, cpuPercent: t, recursionMisses: 0 });
  gc?.();
  const after = process.memoryUsage();
  const ringBytes = rings.reduce((sum, r) => sum + r.byteLength, 0);
  const measured = after.arrayBuffers - before.arrayBuffers + (after.heapUsed - before.heapUsed);
  console.log(
    `history of 1000 programs × 10 min at 1 s: ${(ringBytes / 2 ** 20).toFixed(1)} MiB in rings, ` +
      `${(measured / 2 ** 20).toFixed(1)} MiB measured (heap + array buffers)${gc ? '' : ' (run with --expose-gc for a stable figure)'}`,
  );
}

function cLoopMs(work: string): { progs: number; ms: number } {
  writeFileSync(join(work, 'loop.c'), C_LOOP);
  execFileSync('gcc', ['-O2', '-o', join(work, 'loop'), join(work, 'loop.c')]);
  const runs = Array.from({ length: 9 }, () => execFileSync(join(work, 'loop'), { encoding: 'utf8' }).trim().split(' ').map(Number));
  return { progs: runs[0]![0]!, ms: median(runs.map((r) => r[1]!)) };
}

async function main(): Promise<void> {
  historyMemory();
  const work = mkdtempSync(join(tmpdir(), 'bpfscope-bench-live-'));
  const host = new LocalHost();
  try {
    const pinned = loadManyPrograms(work, PROGRAMS, PIN_DIR, 'bench_');
    const total = (await host.listIds('prog')).length;
    console.log(`loaded ${pinned} programs (bpftool prog loadall of one object); ${total} on the host`);

    const native = await timeMsAsync(21, () => host.progInfoAll(100_000));
    const decoded = await timeMsAsync(21, async () => decodeProgStatsSample(await host.progInfoAll(100_000)));
    const sampler = new ProgramSampler(host, { intervalMs: 1000 });
    await sampler.sample();
    const full = await timeMsAsync(11, () => sampler.sample());
    const c = cLoopMs(work);
    const bpftool = timeMs(5, () => execFileSync('bpftool', ['prog', 'show', '-j'], { maxBuffer: 1 << 28, stdio: ['ignore', 'pipe', 'ignore'] }));
    console.log(`stats sample of ${total} programs (median):`);
    console.log(`  native progInfoAll            ${native.toFixed(2)} ms`);
    console.log(`  + decode                      ${decoded.toFixed(2)} ms`);
    console.log(`  ProgramSampler.sample()       ${full.toFixed(2)} ms (rates, history, owners only on change)`);
    console.log(`  C loop, same syscalls         ${c.ms.toFixed(2)} ms (${c.progs} programs)`);
    console.log(`  bpftool prog show -j          ${bpftool.toFixed(2)} ms  → ${(bpftool / full).toFixed(1)}× ours`);
    const ownersMs = await timeMsAsync(5, () => host.owners());
    console.log(`  owner scan (every 30 s, or when ids appear): ${ownersMs.toFixed(2)} ms`);

    const running = new ProgramSampler(host, { intervalMs: 1000 });
    await running.start();
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    await new Promise((resolve) => setTimeout(resolve, SAMPLE_SECONDS * 1000));
    const cpu = process.cpuUsage(cpu0);
    const wall = performance.now() - t0;
    await running.stop();
    const percent = ((cpu.user + cpu.system) / 1000 / wall) * 100;
    const withOwners = percent + (ownersMs / 30_000) * 100;
    console.log(`1 Hz sampling for ${SAMPLE_SECONDS} s: ${percent.toFixed(2)}% of one core (${(withOwners).toFixed(2)}% with the 30 s owner rescan amortised)`);

  } finally {
    rmSync(PIN_DIR, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
