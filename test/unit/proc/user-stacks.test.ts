// User frames named from ELF files: symbols read from real binaries and libraries against nm and
// addr2line (binutils), build ids against readelf, stripped files, /proc/PID/maps lines, and
// build-id stack frames.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { functionAt, programSymbols, vaddrOfOffset } from '../../../main/kernel/elf/program-symbols.js';
import { decodeBuildIdFrames, parseProcMaps, symbolizeBuildIdFrame, symbolizeUserAddress } from '../../../main/kernel/proc/user-stacks.js';
import { buildFixtures, LOADER_PATH } from '../../helpers/fixtures.js';

const LIBC = '/usr/lib/x86_64-linux-gnu/libc.so.6';
/** The fixture loader: built with -g, not stripped (it has main, and a build id). */
const BINARY = LOADER_PATH;
const work = mkdtempSync(join(tmpdir(), 'bpfscope-user-stacks-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** nm's function symbols (T/t/W/i) of a file: address → name. */
function nmFunctions(path: string, dynamic: boolean): Map<number, string> {
  const out = execFileSync('nm', [...(dynamic ? ['-D'] : []), '--defined-only', path], { encoding: 'utf8', maxBuffer: 1 << 28 });
  const found = new Map<number, string>();
  for (const line of out.split('\n')) {
    const m = /^([0-9a-f]+) ([Tti]) (\S+)$/.exec(line);
    if (m) found.set(parseInt(m[1]!, 16), m[3]!.replace(/@.*$/, ''));
  }
  return found;
}

describe.runIf(existsSync(LIBC))('ELF symbols of programs and libraries', () => {
  beforeAll(() => buildFixtures());

  it('reads the functions nm lists, from .symtab where there is one and .dynsym where not', () => {
    for (const [path, dynamic] of [[LIBC, true], [BINARY, false]] as const) {
      const symbols = programSymbols(new Uint8Array(readFileSync(path)));
      const theirs = nmFunctions(path, dynamic);
      expect(theirs.size, path).toBeGreaterThan(50);
      let checked = 0;
      for (const [address, name] of theirs) {
        const at = functionAt(symbols, address);
        expect(at?.endsWith('+0x0') ? at.slice(0, -4) : at, `${path} ${address.toString(16)}`).toBeDefined();
        if (at === `${name}+0x0`) checked++;
      }
      // Aliases share an address (one name each is ours): most nm names are found as written.
      expect(checked / theirs.size, path).toBeGreaterThan(0.5);
    }
  });

  it('names an address as addr2line -f does, and its build id as readelf -n', () => {
    const symbols = programSymbols(new Uint8Array(readFileSync(BINARY)));
    const nm = [...nmFunctions(BINARY, false)].filter(([, name]) => !name.startsWith('_')).slice(0, 40);
    // A byte inside each function: the third, or the last of one shorter than that (the skeletons' 3-byte object()).
    const sizes = new Map(execFileSync('nm', ['-S', '--defined-only', BINARY], { encoding: 'utf8' }).split('\n').flatMap((line) => {
      const m = /^([0-9a-f]+) ([0-9a-f]+) [Tt] /.exec(line);
      return m ? [[parseInt(m[1]!, 16), parseInt(m[2]!, 16)] as const] : [];
    }));
    for (const [address, name] of nm) {
      const inside = address + Math.min(3, (sizes.get(address) ?? 4) - 1);
      const theirs = execFileSync('addr2line', ['-f', '-e', BINARY, `0x${inside.toString(16)}`], { encoding: 'utf8' }).split('\n')[0];
      expect(functionAt(symbols, inside)?.replace(/\+0x[0-9a-f]+$/, ''), name).toBe(theirs);
    }
    const note = execFileSync('readelf', ['-n', BINARY], { encoding: 'utf8' });
    expect(symbols.buildId).toBe(/Build ID: ([0-9a-f]+)/.exec(note)?.[1]);
  });

  it('names PLT stubs as objdump -d does (free@plt, *ABS*+0x…@plt), not after the symbol before the .plt', () => {
    // x86-64: lazy .plt, .plt.got, IRELATIVE slots (libc), an executable; arm64: adrp/ldr stubs.
    const files: Array<[string, string]> = [[LIBC, 'objdump'], ['/bin/bash', 'objdump'], ['/usr/bin/python3', 'objdump'], ['/usr/aarch64-linux-gnu/lib/libc.so.6', 'aarch64-linux-gnu-objdump']];
    for (const [path, objdump] of files.filter(([p]) => existsSync(p))) {
      const symbols = programSymbols(new Uint8Array(readFileSync(path)));
      const out = execFileSync(objdump, ['-d', '-j', '.plt', '-j', '.plt.got', '-j', '.plt.sec', path], { encoding: 'utf8', maxBuffer: 1 << 28 });
      const stubs = [...out.matchAll(/^([0-9a-f]+) <(\S+@plt)>:$/gm)].map((m) => [parseInt(m[1]!, 16), m[2]!] as const);
      expect(stubs.length, path).toBeGreaterThan(10);
      for (const [address, name] of stubs) {
        expect(functionAt(symbols, address), `${path} ${address.toString(16)}`).toBe(`${name}+0x0`);
        expect(functionAt(symbols, address + 4), `${path} ${address.toString(16)}+4`).toBe(`${name}+0x4`);
      }
      // The resolver's PLT0 before the first stub is no function's (objdump says `_init+0x…` there).
      const plt0 = stubs[0]![0] - 16;
      expect(functionAt(symbols, plt0), `${path} PLT0`).toBeUndefined();
    }
  });

  it('keeps a file\'s symbols when its PLT relocations are damaged (the stubs then go unnamed)', () => {
    const bytes = new Uint8Array(readFileSync(LIBC));
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const index = Number(/\[\s*(\d+)\] \.rela\.plt /.exec(execFileSync('readelf', ['-SW', LIBC], { encoding: 'utf8' }))![1]);
    // sh_size of .rela.plt, far past the end of the file.
    view.setBigUint64(Number(view.getBigUint64(40, true)) + index * 64 + 32, 1n << 40n, true);
    const symbols = programSymbols(bytes);
    const intact = programSymbols(new Uint8Array(readFileSync(LIBC)));
    const addresses = [...nmFunctions(LIBC, true).keys()].slice(0, 200);
    expect(addresses.map((a) => functionAt(symbols, a))).toEqual(addresses.map((a) => functionAt(intact, a)));
    expect(addresses.filter((a) => functionAt(symbols, a) !== undefined).length).toBeGreaterThan(150);
    const out = execFileSync('objdump', ['-d', '-j', '.plt', LIBC], { encoding: 'utf8', maxBuffer: 1 << 28 });
    const stub = parseInt(/^([0-9a-f]+) <\S+@plt>:$/m.exec(out)![1]!, 16);
    expect(functionAt(symbols, stub) ?? '').not.toMatch(/@plt/);
  });

  it('says a stripped file has no symbol table; keeps .dynsym where strip leaves it', () => {
    const copy = join(work, 'stripped');
    copyFileSync(BINARY, copy);
    execFileSync('strip', ['--strip-all', copy]);
    const symbols = programSymbols(new Uint8Array(readFileSync(copy)));
    expect(symbols.table).toBe('dynsym');
    // A static function of the loader: named before stripping, not after.
    const [address] = [...nmFunctions(BINARY, false)].find(([, name]) => name === 'repeat_syscall' || name.startsWith('fixture_'))!;
    const text = symbols.segments.find((s) => address >= s.vaddr && address < s.vaddr + s.filesz)!;
    const mappings = parseProcMaps(`555555554000-555555700000 r-xp 00000000 08:01 42 ${copy}\n`);
    const frame = symbolizeUserAddress(0x555555554000n + BigInt(address - text.vaddr + text.offset), mappings, () => symbols);
    expect(frame).toMatchObject({ module: 'stripped', note: 'stripped: only exported symbols, none covers it' });
    expect(functionAt(programSymbols(new Uint8Array(readFileSync(BINARY))), address)).toMatch(/\+0x0$/);
    expect(() => programSymbols(new Uint8Array(16))).toThrow(/elf: not an ELF file/);
  });
});

describe('process mappings and frames', () => {
  it('parses /proc/PID/maps lines, this process\'s own included', () => {
    const [m] = parseProcMaps('7f1c2a000000-7f1c2a028000 r-xp 00028000 fd:01 1835043                    /usr/lib/x86_64-linux-gnu/libc.so.6\n');
    expect(m).toEqual({ start: 0x7f1c2a000000n, end: 0x7f1c2a028000n, perms: 'r-xp', offset: 0x28000, inode: 1835043, path: '/usr/lib/x86_64-linux-gnu/libc.so.6' });
    const own = parseProcMaps(readFileSync('/proc/self/maps', 'utf8'));
    expect(own.length).toBe(readFileSync('/proc/self/maps', 'utf8').trim().split('\n').length);
    expect(own.some((x) => x.path === '[stack]')).toBe(true);
  });

  it('says why a frame has no name: not mapped, anonymous, not code', () => {
    const mappings = parseProcMaps(['1000-2000 r-xp 00000000 00:00 0 ', '3000-4000 rw-p 00000000 08:01 7 /usr/bin/x'].join('\n'));
    expect(symbolizeUserAddress(0x9000n, mappings, () => undefined).note).toMatch(/not in any mapping/);
    expect(symbolizeUserAddress(0x1800n, mappings, () => undefined).note).toMatch(/anonymous memory/);
    expect(symbolizeUserAddress(0x3800n, mappings, () => undefined).note).toMatch(/not code/);
  });

  it('decodes build-id frames and names them by a file of that build id', () => {
    buildFixtures();
    const symbols = programSymbols(new Uint8Array(readFileSync(BINARY)));
    const [address, name] = [...nmFunctions(BINARY, false)].find(([, n]) => n === 'main')!;
    const segment = symbols.segments.find((s) => address >= s.vaddr && address < s.vaddr + s.filesz)!;
    const offset = address - segment.vaddr + segment.offset + 4;
    expect(vaddrOfOffset(symbols, offset)).toBe(address + 4);
    const value = new Uint8Array(32 * 3);
    const view = new DataView(value.buffer);
    view.setInt32(0, 1, true);
    value.set(Uint8Array.from(symbols.buildId!.match(/../g)!.map((h) => parseInt(h, 16))), 4);
    view.setBigUint64(24, BigInt(offset), true);
    view.setInt32(32, 2, true);
    view.setBigUint64(56, 0x7fff1234n, true);
    const frames = decodeBuildIdFrames(value);
    expect(frames.map((f) => f.status)).toEqual([1, 2]);
    expect(symbolizeBuildIdFrame(frames[0]!, { path: BINARY, symbols })).toMatchObject({ symbol: `${name}+0x4`, module: 'bpfscope-fixtures' });
    expect(symbolizeBuildIdFrame(frames[0]!, undefined).note).toMatch(/no file of a running process has it/);
    expect(symbolizeBuildIdFrame(frames[1]!, undefined).note).toMatch(/only the address/);
  });
});
