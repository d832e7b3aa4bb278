/// <reference lib="dom" />
// The host graph on a busy host (BENCH_GRAPH_PROGRAMS programs, three times as many maps, held by
// no process, plus the fixtures): `bpfscope graph --json` against the bpftool listings it
// contains (prog, map and link show), cold (every program's code read and analysed) and warm
// (analyses kept by program tag, as the dashboard's server keeps them); and in Debian's Chromium
// through `serve`: the graph view's first picture (the host's answer, then layout and drawing in
// the worker) and opening the lane of the programs with no owner (500 nodes drawn).
// Run as root after `npm run build`:  node out/node/test/bench/graph.js
import { chromium } from '@playwright/test';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadBusyHost } from '../helpers/busy-host.js';
import { median } from '../helpers/median.js';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const PROGRAMS = Number(process.env.BENCH_GRAPH_PROGRAMS ?? 1000);
const RUNS = 5;
const PIN_DIR = `/sys/fs/bpf/bpfscope-bench-graph-${process.pid}`;
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

function timed(command: string, args: string[]): number {
  const started = performance.now();
  const result = spawnSync(command, args, { stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 1 << 30 });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')}: ${result.stderr}`);
  return performance.now() - started;
}

function startServe(): Promise<{ url: string; stop: () => void }> {
  const child = spawn(process.execPath, [join(ROOT, 'bin/bpfscope.js'), 'serve', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => (child.kill('SIGKILL'), reject(new Error(`serve printed no URL:\n${output}`))), 30_000);
    child.stdout.on('data', (c: Buffer) => {
      output += c.toString();
      const url = /serving the dashboard at (http:\/\/\S+)/.exec(output)?.[1];
      if (!url) return;
      clearTimeout(timer);
      resolve({ url, stop: () => child.kill('SIGTERM') });
    });
  });
}

const work = mkdtempSync(join(tmpdir(), 'bpfscope-bench-graph-'));
try {
  loadBusyHost(work, PROGRAMS, PROGRAMS * 3, PIN_DIR, 'bgraph_');
  const bin = join(ROOT, 'bin/bpfscope.js');
  const peer = median(Array.from({ length: RUNS }, () => ['prog', 'map', 'link'].reduce((sum, kind) => sum + timed('bpftool', ['-j', kind, 'show']), 0)));
  const graph = median(Array.from({ length: RUNS }, () => timed(process.execPath, [bin, 'graph', '--json'])));
  console.log(`graph --json, ${PROGRAMS} programs and ${PROGRAMS * 3} maps, each process cold: ${graph.toFixed(0)} ms; bpftool prog+map+link show -j: ${peer.toFixed(0)} ms (${(graph / peer).toFixed(1)}x, reading and analysing every program's code besides)`);

  const server = await startServe();
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  try {
    const fetches: number[] = [];
    const draws: number[] = [];
    const opens: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      const page = await browser.newPage({ viewport: { width: 1500, height: 950 } });
      await page.goto(new URL('#/local/graph', server.url).href);
      const frame = page.locator('[data-graph-draw-ms]');
      await frame.waitFor({ timeout: 120_000 });
      fetches.push(Number(await frame.getAttribute('data-graph-fetch-ms')));
      draws.push(Number(await frame.getAttribute('data-graph-draw-ms')));
      const cluster = page.locator('[data-graph-node="cluster:unowned"]');
      const started = await page.evaluate(() => performance.now());
      await cluster.click();
      await page.waitForFunction(() => Number(document.querySelector('svg[data-nodes]')?.getAttribute('data-nodes')) >= 500);
      opens.push(await page.evaluate(() => new Promise<number>((resolve) => requestAnimationFrame(() => resolve(performance.now())))) - started);
      await page.close();
    }
    console.log(`graph view: the host's answer ${median(fetches).toFixed(0)} ms (first of ${RUNS}: ${fetches[0]} ms, the server then keeps every program's analysis by tag), laid out and drawn ${median(draws).toFixed(0)} ms after it`);
    console.log(`graph view: opening the lane of ${PROGRAMS}+ programs with no owner, 500 nodes drawn: ${median(opens).toFixed(0)} ms (median of ${RUNS})`);
  } finally {
    await browser.close();
    server.stop();
  }
} finally {
  rmSync(PIN_DIR, { recursive: true, force: true });
  rmSync(work, { recursive: true, force: true });
}
