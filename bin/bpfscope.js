#!/usr/bin/env -S -u NODE_EXTRA_CA_CERTS node --interrupt-budget=1081344
// The `bpfscope` command: runs the CLI bundle (npm run build, build/cli.config.ts). CommonJS
// (bin/package.json), as the bundle is: an ES module entry costs Node 20 its module loader, ~4 ms.
// Node 20 parses every CA certificate (its own and NODE_EXTRA_CA_CERTS's) before the first line
// of JS when NODE_EXTRA_CA_CERTS is set, 28 ms here; bpfscope makes no TLS connection, so its
// first line starts Node without it (`env -S`: GNU coreutils 8.30 and later).
const { existsSync, readFileSync } = require('node:fs');
const { join } = require('node:path');
const { useCodeCache } = require('./code-cache.js');

// A quick command is over before optimizing its loops pays: V8 spent ~30 ms of CPU on its
// optimizing compiler's threads for a 1,000-program listing, and a 16x interrupt budget, tiering
// code up later, took ls progs at 1,000 programs from 152 to 126 ms. The `#!` line gives it, as
// setting it from here loads node:v8, and with it Node's streams (6-8 ms of ls maps' 90 ms).
// Long output wants V8's own budget, which the other commands set back: vmlinux's BTF as raw
// text or C (12 MB, 3 MB) took 17-25 ms longer with the larger one, and map dumps seemed slower.
const QUICK_BUDGET = '--interrupt-budget=1081344';
/** V8's own (Node 20). */
const USUAL_BUDGET = '--interrupt-budget=67584';
const [verb, object] = process.argv.slice(2).filter((arg) => !arg.startsWith('-'));
const QUICK_VERBS = new Set(['ls', 'show', 'doctor', 'explain', 'token']);
const quick = QUICK_VERBS.has(verb) || (verb === 'dump' && object === 'prog');
if (quick !== process.execArgv.includes(QUICK_BUDGET) || verb === 'btf') {
  const { setFlagsFromString } = require('node:v8');
  setFlagsFromString(quick ? QUICK_BUDGET : USUAL_BUDGET);
  // BTF's printers run a few dozen small functions hot for 30-100 ms: compiled one by one,
  // without inlining each other, they are optimized sooner (the compiler thread's queue is
  // shorter) and compile in less CPU (vmlinux raw: 46 -> 36 ms of formatting, C: 110 -> 84 ms).
  if (verb === 'btf') setFlagsFromString('--no-turbo-inlining');
}

const bundle = join(__dirname, '../out/cli');
const cli = join(bundle, 'cli.cjs');
if (!existsSync(cli)) {
  console.error('bpfscope: not built yet; run `npm run build` first');
  process.exit(1);
}
/** The bundle's digest (build/cli.config.ts), which names its caches; none from an older build. */
function buildId() {
  try {
    return readFileSync(join(bundle, 'build-id'), 'utf8').trim();
  } catch {
    return undefined;
  }
}
useCodeCache(bundle, process.env.BPFSCOPE_CODE_CACHE ?? join(bundle, 'code-cache'), buildId(), quick ? 'quick' : verb === 'btf' ? 'btf' : undefined);
const entry = require(cli);
// process.stdout made only when something uses it (the CLI writes short output to fd 1
// itself), and then with the CLI's policy for a failed write.
const makeStdout = Object.getOwnPropertyDescriptor(process, 'stdout').get;
Object.defineProperty(process, 'stdout', {
  configurable: true,
  enumerable: true,
  get() {
    const stdout = makeStdout.call(process);
    Object.defineProperty(process, 'stdout', { configurable: true, enumerable: true, writable: false, value: stdout });
    stdout.on('error', entry.outputFailed);
    return stdout;
  },
});
entry
  .main(process.argv.slice(2))
  .then((code) => {
    process.exitCode = code;
    // With nothing left to do (no write still queued for a full pipe, no timer, child or
    // socket), exit at once: Node's own ending frees its heap page by page first, 8-10 ms of
    // a 200 MB map dump here, where the kernel frees it whole. A read still running on the
    // thread pool ends on 'exit' (LocalHost.readChunks stops its read-ahead), not forever.
    if (process.getActiveResourcesInfo().length === 0) process.exit(code);
  });
