// Metrics endpoint benchmarks: what a scrape of `bpfscope metrics` costs on a host with
// ~1000 loaded programs and a 1 M-entry hash map (wall time and the exporter's CPU), against
// what a script exporter would pay to get the same lists from bpftool in the same run; and
// counting the 1 M-entry map's entries against `bpftool map dump -j`. Run as root after
// `npm run build`:  node out/node/test/bench/metrics.js
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LocalHost } from '../../main/hosts/local-host.js';
import { EntryCounts } from '../../main/metrics/entry-counts.js';
import { loadBigHash } from '../helpers/big-hash.js';
import { loadManyPrograms } from '../helpers/many-programs.js';
import { median } from '../helpers/median.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
const BIN = join(ROOT, 'bin/bpfscope.js');
const PROGRAMS = Number(process.env.BENCH_PROGRAMS ?? 1000);
const ENTRIES = Number(process.env.BENCH_ENTRIES ?? 1_000_000);
const ROUNDS = 31;
const PIN_DIR = `/sys/fs/bpf/bpfscope-bench-metrics-${process.pid}`;
const TICKS_PER_S = 100;

/** utime + stime of a process (or, `children`, of its waited-for children), ms; clock ticks of 10 ms, so read over many rounds. */
function cpuMs(pid: number | 'self', children = false): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const at = children ? 13 : 11;
  return ((Number(fields[at]) + Number(fields[at + 1])) * 1000) / TICKS_PER_S;
}

async function startExporter(): Promise<{ pid: number; url: string; stop: () => void }> {
  const child = spawn(process.execPath, [BIN, 'metrics', '--listen', '127.0.0.1:0'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let text = '';
  const url = await new Promise<string>((done, fail) => {
    child.stderr.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      const m = /metrics at (http:\/\/\S+)/.exec(text);
      if (m) done(m[1]!);
    });
    child.once('exit', (code) => fail(new Error(`bpfscope metrics exited with ${code}: ${text}`)));
  });
  return { pid: child.pid!, url, stop: () => child.kill('SIGTERM') };
}

async function scrape(url: string): Promise<{ ms: number; bytes: number; text: string }> {
  const t0 = performance.now();
  const text = await (await fetch(url)).text();
  return { ms: performance.now() - t0, bytes: text.length, text };
}

function bpftoolLists(): void {
  for (const what of ['prog', 'map']) execFileSync('bpftool', [what, 'show', '-j'], { maxBuffer: 1 << 28, stdio: ['ignore', 'pipe', 'ignore'] });
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'bpfscope-bench-metrics-'));
  const big = await loadBigHash(ENTRIES);
  try {
    const pinned = loadManyPrograms(work, PROGRAMS, PIN_DIR, 'bench_m');
    const host = new LocalHost();
    const programs = (await host.listIds('prog')).length;
    const maps = (await host.listIds('map')).length;
    console.log(`loaded ${pinned} programs and a ${ENTRIES}-entry hash map; ${programs} programs and ${maps} maps on the host`);

    // Counting: one complete walk of the big map, in process, against bpftool's dump.
    const counts = new EntryCounts(host, { budgetMs: Infinity });
    const t0 = performance.now();
    await counts.refresh([{ id: big.id, maxEntries: ENTRIES, entryBytes: 36 }]);
    const walkMs = performance.now() - t0;
    const t1 = performance.now();
    execFileSync('bpftool', ['map', 'dump', 'id', String(big.id), '-j'], { maxBuffer: 1 << 30, stdio: ['ignore', 'pipe', 'ignore'] });
    const dumpMs = performance.now() - t1;
    console.log(
      `counting ${counts.entries(big.id)} entries: ${walkMs.toFixed(0)} ms (batch walk) vs bpftool map dump -j ${dumpMs.toFixed(0)} ms → ${(dumpMs / walkMs).toFixed(1)}× ours; ` +
        `at 1% duty it is recounted every ${((walkMs / 0.01) / 1000).toFixed(0)} s at most, 250 ms of it per scrape`,
    );

    const exporter = await startExporter();
    try {
      const first = await scrape(exporter.url);
      const series = first.text.split('\n').filter((l) => l && !l.startsWith('#')).length;
      console.log(`first scrape (program details read once, counting begins): ${first.ms.toFixed(0)} ms, ${series} series, ${(first.bytes / 1024).toFixed(0)} KiB`);
      let untilCounted = 1;
      const counted = new RegExp(`bpf_map_entries\\{[^}]*id="${big.id}"`);
      for (let text = first.text; !counted.test(text) && untilCounted < 100; untilCounted++) text = (await scrape(exporter.url)).text;
      console.log(`the ${ENTRIES}-entry map counted by scrape ${untilCounted} (walks spread at 250 ms a scrape)`);
      // Steady scrapes and the peer in turns, so a busy machine slows both alike.
      const ours: number[] = [];
      const peer: number[] = [];
      let ourCpu = 0;
      let peerCpu = 0;
      for (let round = 0; round < ROUNDS; round++) {
        const c0 = cpuMs(exporter.pid);
        ours.push((await scrape(exporter.url)).ms);
        ourCpu += cpuMs(exporter.pid) - c0;
        const p0 = performance.now();
        const b0 = cpuMs('self', true);
        bpftoolLists();
        peerCpu += cpuMs('self', true) - b0;
        peer.push(performance.now() - p0);
      }
      const cpuPerScrape = ourCpu / ROUNDS;
      const peerCpuPerRound = peerCpu / ROUNDS;
      const m = median(ours);
      const b = median(peer);
      console.log(`steady scrape of ${programs} programs and ${maps} maps (medians of ${ROUNDS} interleaved rounds):`);
      console.log(`  bpfscope metrics, HTTP GET /metrics  ${m.toFixed(1)} ms wall (the client reading the text included), ${cpuPerScrape.toFixed(1)} ms exporter CPU`);
      console.log(
        `  bpftool prog show -j + map show -j   ${b.toFixed(1)} ms wall, ${peerCpuPerRound.toFixed(1)} ms CPU → CPU ${(peerCpuPerRound / cpuPerScrape).toFixed(1)}× ours ` +
          '(what a script exporter would run per scrape: lists only, no counts, no exposition written)',
      );
      console.log(`  at a 15 s scrape interval: ${((cpuPerScrape / 15_000) * 100).toFixed(2)}% of one core`);
    } finally {
      exporter.stop();
    }
  } finally {
    rmSync(PIN_DIR, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
    await big.stop();
  }
}

await main();
