// What `bpfscope VERB` loads: the CLI bundle's entry alone for help, and for each read verb
// only its own chunks — never the API schemas (zod), the SSH client, the web server or the x86
// disassembler — with the native addon opened once. Observed through a preload that records
// Node's module cache as the real command exits.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureKernelEnv } from '../helpers/kernel-env.js';
import { BIN, bpfscope } from '../helpers/cli.js';
import { loadManyPrograms } from '../helpers/many-programs.js';
import { loadBigProgram } from '../helpers/big-program.js';

const skip = ensureKernelEnv();
let work: string;
let pinDir: string;
let progId: number;
let btfId: number;
let callsProgId: number;
let bigProgId: number;

const PRELOAD = `const { writeFileSync } = require('node:fs');
process.on('exit', () => writeFileSync(process.env.BPFSCOPE_TEST_MODULES, JSON.stringify(Object.keys(require.cache))));
`;

/** The files in Node's module cache when `bpfscope …args` exits. */
async function loadedBy(args: string[]): Promise<string[]> {
  const list = join(work, 'modules.json');
  process.env.BPFSCOPE_TEST_MODULES = list;
  process.env.NODE_OPTIONS = `--require=${join(work, 'preload.cjs')}`;
  try {
    const result = await bpfscope(args);
    expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(0);
  } finally {
    delete process.env.NODE_OPTIONS;
  }
  return JSON.parse(readFileSync(list, 'utf8')) as string[];
}

/** Runs the command its arguments name with O_NONBLOCK set on its stdout (a pipe shared with the reader). */
const NON_BLOCKING = 'import fcntl, os, sys; fcntl.fcntl(1, fcntl.F_SETFL, fcntl.fcntl(1, fcntl.F_GETFL) | os.O_NONBLOCK); os.execv(sys.argv[1], sys.argv[1:])';

const UNWANTED = /node_modules\/(zod|ssh2|ssh-config|ws|iced-x86)\//;

/** What the command itself loaded: not the preload, not bin/ (bpfscope.js and its code cache). */
function ours(files: string[]): string[] {
  return files.filter((f) => !f.endsWith('/preload.cjs') && !/\/bin\/(bpfscope|code-cache)\.js$/.test(f));
}

describe.skipIf(skip)('CLI start', () => {
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'bpfscope-cli-start-'));
    writeFileSync(join(work, 'preload.cjs'), PRELOAD);
    pinDir = `/sys/fs/bpf/bpfscope-cli-start-${process.pid}`;
    loadManyPrograms(work, 2, pinDir, 'cli_start_');
    const show = JSON.parse(execFileSync('bpftool', ['-j', 'prog', 'show', 'pinned', join(pinDir, 'cli_start_0')], { encoding: 'utf8' })) as { id: number; btf_id: number };
    progId = show.id;
    btfId = show.btf_id;
    // A .rodata of a plain constant, no bpf_metadata_ variable: bpftool shows no metadata for it.
    writeFileSync(join(work, 'rodata.bpf.c'), '#include <linux/bpf.h>\n#include <bpf/bpf_helpers.h>\nchar LICENSE[] SEC("license") = "GPL";\nconst volatile int limit = 3;\nSEC("socket") int cli_start_rodata(struct __sk_buff *skb) { return skb->len > limit; }\n');
    execFileSync('clang', ['-O2', '-g', '-target', 'bpf', '-I/usr/include/x86_64-linux-gnu', '-c', join(work, 'rodata.bpf.c'), '-o', join(work, 'rodata.bpf.o')]);
    execFileSync('bpftool', ['prog', 'loadall', join(work, 'rodata.bpf.o'), join(pinDir, 'rodata')]);
    // Helper calls, which show prog names from kallsyms.
    writeFileSync(join(work, 'calls.bpf.c'), '#include <linux/bpf.h>\n#include <bpf/bpf_helpers.h>\nchar LICENSE[] SEC("license") = "GPL";\nSEC("socket") int cli_start_calls(struct __sk_buff *skb) { return (bpf_get_prandom_u32() + bpf_ktime_get_ns()) & 1; }\n');
    execFileSync('clang', ['-O2', '-g', '-target', 'bpf', '-I/usr/include/x86_64-linux-gnu', '-c', join(work, 'calls.bpf.c'), '-o', join(work, 'calls.bpf.o')]);
    execFileSync('bpftool', ['prog', 'loadall', join(work, 'calls.bpf.o'), join(pinDir, 'calls')]);
    callsProgId = (JSON.parse(execFileSync('bpftool', ['-j', 'prog', 'show', 'pinned', join(pinDir, 'calls', 'cli_start_calls')], { encoding: 'utf8' })) as { id: number }).id;
    // A listing of thousands of instructions, written to fd 1 at once, larger than a pipe holds,
    // calling a helper (named from kallsyms, read ahead on the thread pool).
    bigProgId = loadBigProgram(work, join(pinDir, 'big'), 5, 100, true).id;
  });

  afterAll(() => {
    if (pinDir) rmSync(pinDir, { recursive: true, force: true });
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('help loads the bundle entry and nothing else', async () => {
    expect(ours(await loadedBy(['help']))).toEqual([expect.stringMatching(/\/out\/cli\/cli\.cjs$/)]);
  });

  it.each(['ls progs --json', 'ls maps', 'ls links', 'show prog ID', 'dump prog ID', 'dump prog ID --json', 'dump prog ID --cfg', 'btf BTF --raw', 'doctor'])(
    '%s loads its own chunks, no dependency it does not use, and the addon once',
    async (command) => {
      const args = command.split(' ').map((w) => (w === 'ID' ? String(progId) : w === 'BTF' ? String(btfId) : w));
      const files = await loadedBy(args);
      expect(files.filter((f) => UNWANTED.test(f))).toEqual([]);
      expect(files.filter((f) => f.endsWith('.node'))).toEqual([expect.stringMatching(/\/native\/build\/Release\/bpfscope\.node$/)]);
      expect(ours(files).filter((f) => !f.endsWith('.node') && !/\/out\/cli\/[^/]+\.cjs$/.test(f))).toEqual([]);
    },
  );

  it('bytes that fill a pipe read late reach the reader whole, the pipe blocking or not (the CLI exits once they are written)', () => {
    const vmlinux = (JSON.parse(execFileSync('bpftool', ['-j', 'btf', 'show'], { encoding: 'utf8', maxBuffer: 1 << 26 })) as Array<{ id: number; name?: string }>).find((b) => b.name === 'vmlinux');
    expect(vmlinux, 'vmlinux BTF').toBeDefined();
    // vmlinux as C: 3 MB, written as pieces of bytes, that stay the same from one run to the next.
    const args = ['btf', String(vmlinux!.id), '--c'];
    const direct = execFileSync(BIN, args, { maxBuffer: 1 << 28 });
    // The reader starts after the pipe's 64 KiB are long full.
    const late = execFileSync('sh', ['-c', `"$@" | (sleep 0.5; cat)`, 'sh', BIN, ...args], { maxBuffer: 1 << 28 });
    expect(late.length).toBe(direct.length);
    expect(late.equals(direct)).toBe(true);
    const lateNonBlocking = execFileSync('sh', ['-c', `python3 -c '${NON_BLOCKING}' "$@" | (sleep 1; cat)`, 'sh', BIN, ...args], { maxBuffer: 1 << 28 });
    expect(lateNonBlocking.length).toBe(direct.length);
    expect(lateNonBlocking.equals(direct)).toBe(true);
  });

  it('text written at once reaches a pipe, a file, and a non-blocking pipe read late (the rest through a stream), whole and in order', () => {
    const args = ['dump', 'prog', String(bigProgId), '--json'];
    const byNode = execFileSync(process.execPath, [BIN, ...args], { maxBuffer: 1 << 26 });
    expect(byNode.length).toBeGreaterThan(2 * 65536);
    expect(execFileSync(BIN, args, { maxBuffer: 1 << 26 }).equals(byNode)).toBe(true);
    const file = join(work, 'out.json');
    execFileSync('sh', ['-c', `'${BIN}' "$@" > '${file}'`, 'sh', ...args]);
    expect(readFileSync(file).equals(byNode)).toBe(true);
    // O_NONBLOCK on the pipe, and a reader that starts late: the write to fd 1 stops at EAGAIN.
    const late = execFileSync('sh', ['-c', `python3 -c '${NON_BLOCKING}' "$@" | (sleep 1; cat)`, 'sh', BIN, ...args], { maxBuffer: 1 << 26 });
    expect(late.length).toBe(byNode.length);
    expect(late.equals(byNode)).toBe(true);
  });

  it('a pipe closed by its reader ends the output quietly, with status 0, each time, its kallsyms read-ahead stopped or not', () => {
    const stderr = join(work, 'stderr');
    const status = join(work, 'status');
    // An exit from within the command waited forever on the read-ahead: every run hung.
    for (let run = 0; run < 4; run++) {
      for (const json of ['', '--json']) {
        execFileSync('bash', ['-c', `"$0" dump prog ${bigProgId} ${json} 2> '${stderr}' | head -c 100 > /dev/null; echo \${PIPESTATUS[0]} > '${status}'`, BIN], { timeout: 20_000 });
        expect(readFileSync(stderr, 'utf8')).toBe('');
        expect(readFileSync(status, 'utf8').trim(), `run ${run} ${json}`).toBe('0');
      }
    }
  });

  it('a full device ends the output with one line and status 1', () => {
    const result = spawnSync('sh', ['-c', `"$0" dump prog ${bigProgId} > /dev/full`, BIN], { encoding: 'utf8', timeout: 20_000 });
    expect(result.status).toBe(1);
    expect(result.stderr).toBe('bpfscope: cannot write the output: ENOSPC: no space left on device, write\n');
  });

  it('show prog of a program with helper calls exits, each time, with its kallsyms read still under way or done', () => {
    // The read of kallsyms starts before the command knows whether it needs it; an exit that
    // did not wait for it hung about one run in five (process.exit joins the thread pool).
    for (let run = 0; run < 8; run++) {
      for (const json of [true, false]) {
        const out = execFileSync(BIN, ['show', 'prog', String(callsProgId), ...(json ? ['--json'] : [])], { encoding: 'utf8', timeout: 20_000 });
        expect(out, `run ${run}`).toContain('cli_start_calls');
      }
    }
  });

  it('show prog reads prog arrays (its tail-call attach points) without the value formatter', async () => {
    const files = await loadedBy(['show', 'prog', String(progId)]);
    expect(files.filter((f) => /\/out\/cli\/map-stream-[^/]+\.cjs$/.test(f))).toHaveLength(1);
    expect(files.filter((f) => /\/out\/cli\/btf-values-[^/]+\.cjs$/.test(f))).toEqual([]);
  });

  it('ls progs reads a .rodata and loads the value formatter only where bpftool finds metadata', async () => {
    const listed = JSON.parse(execFileSync('bpftool', ['-j', 'prog', 'show'], { encoding: 'utf8', maxBuffer: 1 << 28 })) as Array<{ name?: string; map_ids?: number[]; metadata?: unknown }>;
    expect(listed.find((p) => p.name === 'cli_start_rodata')?.map_ids?.length).toBe(1);
    const files = await loadedBy(['ls', 'progs']);
    const formatterAndReader = files.filter((f) => /\/out\/cli\/(btf-values|map-stream)-[^/]+\.cjs$/.test(f));
    // On a clean machine this program's .rodata is the only one: its BTF alone says it holds no metadata.
    expect(formatterAndReader.length).toBe(listed.some((p) => p.metadata !== undefined) ? 2 : 0);
  });
});
