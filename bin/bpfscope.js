#!/usr/bin/env -S -u NODE_EXTRA_CA_CERTS node
// The `bpfscope` command: runs the CLI bundle (npm run build, build/cli.config.ts). CommonJS
// (bin/package.json), as the bundle is: an ES module entry costs Node 20 its module loader, ~4 ms.
// Node 20 parses every CA certificate (its own and NODE_EXTRA_CA_CERTS's) before the first line
// of JS when NODE_EXTRA_CA_CERTS is set, 28 ms here; bpfscope makes no TLS connection, so its
// first line starts Node without it (`env -S`: GNU coreutils 8.30 and later).
const { existsSync, readFileSync } = require('node:fs');
const { join } = require('node:path');
const { setFlagsFromString } = require('node:v8');
const { useCodeCache } = require('./code-cache.js');

// A quick command is over before optimizing its loops pays: V8 spent ~30 ms of CPU on its
// optimizing compiler's threads for a 1,000-program listing, and an 8x interrupt budget, tiering
// code up later, saves listings and a program's dump 2-3 ms. Long output wants the opposite:
// vmlinux's BTF as raw text or C (12 MB, 3 MB) took 17-25 ms longer with it, and servers run on.
const [verb, object] = process.argv.slice(2).filter((arg) => !arg.startsWith('-'));
const QUICK_VERBS = new Set(['ls', 'show', 'doctor', 'explain', 'token']);
const quick = QUICK_VERBS.has(verb) || (verb === 'dump' && object === 'prog');
if (quick) setFlagsFromString('--interrupt-budget=1081344');
// BTF's printers run a few dozen small functions hot for 30-100 ms: compiled one by one, without
// inlining each other, they are optimized sooner (the compiler thread's queue is shorter) and
// compile in less CPU (vmlinux raw: 46 -> 36 ms of formatting, C: 110 -> 84 ms).
if (verb === 'btf') setFlagsFromString('--no-turbo-inlining');

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
// A closed pipe (`bpfscope … | head`) ends the output, not the process with a stack trace; any
// other write error (a full device) ends it with the error in one line and status 1.
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  process.stderr.write(`bpfscope: cannot write the output: ${error.message}\n`);
  process.exit(1);
});
require(cli)
  .main(process.argv.slice(2))
  .then((code) => {
    // Not process.exit(): reads still running on the thread pool (a kallsyms read-ahead a
    // command no longer needs) must end first, or the exit waits on them forever.
    process.exitCode = code;
  });
