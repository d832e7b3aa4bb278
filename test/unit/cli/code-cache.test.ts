// The CLI bundle's V8 code cache (bin/code-cache.js): written by the first command that loads a
// chunk, used by the next, written again when V8 refuses it, and never a reason for a command to
// fail or print anything different — also where the cache cannot be written.
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, bpfscope, runCommand, type CommandResult } from '../../helpers/cli.js';

let cacheDir: string;
/** The bundle's digest, which names its caches (build/cli.config.ts). */
const buildIdFile = join(dirname(BIN), '../out/cli/build-id');
const buildIdText = readFileSync(buildIdFile, 'utf8');
const build = buildIdText.trim();
const cacheFile = (variant?: string, of = build) => join(cacheDir, `${['cli.cjs', of, variant].filter(Boolean).join('.')}.v8`);

/** `bpfscope …` as users run it, by its `#!` line (which gives V8 the quick budget), or `byNode`: `node bin/bpfscope.js …`. */
async function run(args: string[], dir = cacheDir, byNode = false): Promise<CommandResult> {
  const saved = process.env.BPFSCOPE_CODE_CACHE;
  process.env.BPFSCOPE_CODE_CACHE = dir;
  try {
    return await (byNode ? bpfscope(args) : runCommand(BIN, args));
  } finally {
    if (saved === undefined) delete process.env.BPFSCOPE_CODE_CACHE;
    else process.env.BPFSCOPE_CODE_CACHE = saved;
  }
}

describe('CLI code cache', () => {
  const args = ['explain', 'bpf_map_lookup_elem'];
  let uncached: CommandResult;

  beforeAll(async () => {
    cacheDir = join(mkdtempSync(join(tmpdir(), 'bpfscope-code-cache-')), 'cache');
    uncached = await run(args);
  });

  afterAll(() => rmSync(join(cacheDir, '..'), { recursive: true, force: true }));

  it('the first command writes a cache for each chunk it loaded', () => {
    expect(uncached.code).toBe(0);
    expect(uncached.stdout).toMatch(/bpf_map_lookup_elem/);
    const files = readdirSync(cacheDir);
    // Run by its #! line, with a larger interrupt budget: its caches are its own.
    expect(files).toContain(basename(cacheFile('quick')));
    expect(files.length).toBeGreaterThan(1);
    expect(files.every((f) => f.endsWith(`.cjs.${build}.quick.v8`))).toBe(true);
  });

  it('the next command reads it, prints the same and leaves it as it was', async () => {
    const before = statSync(cacheFile('quick')).mtimeMs;
    const cached = await run(args);
    expect(cached).toEqual(uncached);
    expect(statSync(cacheFile('quick')).mtimeMs).toBe(before);
  });

  it('a command run with the usual V8 flags (node bin/bpfscope.js) keeps a cache of its own, and neither rewrites the other', async () => {
    const quick = statSync(cacheFile('quick')).mtimeMs;
    const usage = await run(['dump', 'map'], cacheDir, true);
    expect(usage.stderr).toMatch(/missing map id/);
    const usual = statSync(cacheFile()).mtimeMs;
    expect(await run(args)).toEqual(uncached);
    expect(await run(args, cacheDir, true)).toEqual(uncached);
    expect(await run(['dump', 'map'], cacheDir, true)).toEqual(usage);
    expect(statSync(cacheFile('quick')).mtimeMs).toBe(quick);
    expect(statSync(cacheFile()).mtimeMs).toBe(usual);
  });

  it('btf, run without inlining, keeps a third cache, and no command rewrites another\'s', async () => {
    const quick = statSync(cacheFile('quick')).mtimeMs;
    const usual = statSync(cacheFile()).mtimeMs;
    const usage = await run(['btf']);
    expect(usage.stderr).toMatch(/missing btf id/);
    const btf = statSync(cacheFile('btf')).mtimeMs;
    expect(await run(['btf'], cacheDir, true)).toEqual(usage);
    expect(await run(['dump', 'map'], cacheDir, true)).not.toEqual(usage);
    expect(await run(args)).toEqual(uncached);
    expect(await run(['btf'])).toEqual(usage);
    expect(statSync(cacheFile('quick')).mtimeMs).toBe(quick);
    expect(statSync(cacheFile()).mtimeMs).toBe(usual);
    expect(statSync(cacheFile('btf')).mtimeMs).toBe(btf);
  });

  it('a damaged cache is refused by V8 and written again', async () => {
    const file = cacheFile('quick');
    const garbage = Buffer.alloc(statSync(file).size, 0x5a);
    writeFileSync(file, garbage);
    expect(await run(args)).toEqual(uncached);
    expect(readFileSync(file).equals(garbage)).toBe(false);
    expect(await run(args)).toEqual(uncached);
  });

  it('another build (another digest, as a rebuilt cli.cjs of the same length would be) neither reads nor rewrites this one\'s caches', async () => {
    const mine = readFileSync(cacheFile('quick'));
    const before = statSync(cacheFile('quick')).mtimeMs;
    try {
      writeFileSync(buildIdFile, 'feedfacefeedface\n');
      expect(await run(args)).toEqual(uncached);
      expect(readdirSync(cacheDir)).toContain(basename(cacheFile('quick', 'feedfacefeedface')));
    } finally {
      writeFileSync(buildIdFile, buildIdText);
    }
    expect(statSync(cacheFile('quick')).mtimeMs).toBe(before);
    expect(readFileSync(cacheFile('quick')).equals(mine)).toBe(true);
  });

  it('a directory that cannot be made only means no cache', async () => {
    // /proc refuses mkdir with ENOENT, on which Node 20's recursive mkdir spins forever.
    expect(await run(args, '/proc/bpfscope-code-cache')).toEqual(uncached);
  });
});
