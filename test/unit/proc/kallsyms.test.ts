// The kallsyms scan answers a query as the index of the whole file does, whatever the pieces
// the text arrives in, and says it is done as soon as the last symbol asked for has been read.
import { describe, expect, it } from 'vitest';
import { bpfFunctionSymbols, KallsymsIndex, KallsymsScan, withBpfFunctions, type KallsymsQuery, type KernelSymbols } from '../../../main/kernel/proc/kallsyms.js';

// Shaped like /proc/kallsyms: vmlinux sorted by address, then modules, then BPF programs;
// two names at one address; __pfx___bpf_call_base before the real one.
const TEXT = [
  'ffffffff81000000 T _stext',
  'ffffffff81000000 T startup_64',
  'ffffffff81000100 t helper_before_base',
  'ffffffff814ded40 T __pfx___bpf_call_base',
  'ffffffff814ded50 T __bpf_call_base',
  'ffffffff814ded60 T bpf_map_lookup_elem',
  'ffffffff81500000 T bpf_get_current_pid_tgid',
  'ffffffffc0100000 t veth_xmit\t[veth]',
  'ffffffffc0027980 t bpf_dispatcher_xdp\t[bpf]',
  'ffffffffc0030000 t bpf_prog_6deef7357e7b4530_count_getpid\t[bpf]',
  'ffffffffc0030800 t bpf_prog_0123456789abcdef_F\t[bpf]',
].join('\n') + '\n';

const BASE = 0xffffffff814ded50n;

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

function scanned(query: KallsymsQuery, pieceSize: number): { symbols: KernelSymbols; readTo: number } {
  const scan = new KallsymsScan(query);
  let at = 0;
  while (at < TEXT.length) {
    const done = scan.push(bytes(TEXT.slice(at, at + pieceSize)));
    at += pieceSize;
    if (done) break;
  }
  return { symbols: scan.result(), readTo: Math.min(at, TEXT.length) };
}

const QUERIES: Record<string, KallsymsQuery> = {
  'helpers by offset, one before the base': {
    addresses: [],
    callBaseOffsets: [Number(0xffffffff814ded60n - BASE), Number(0xffffffff81500000n - BASE), Number(0xffffffff81000100n - BASE)],
  },
  'subprogs by address': { addresses: [0xffffffffc0030000n, 0xffffffffc0030800n], callBaseOffsets: [] },
  'a shared address and a module symbol': { addresses: [0xffffffff81000000n, 0xffffffffc0100000n], callBaseOffsets: [] },
  'an address no line has': { addresses: [0xffffffff81234567n], callBaseOffsets: [16] },
  // More than a scan searches for one by one: it looks at every line instead.
  'every line and twenty that none has': {
    addresses: [...[...TEXT.matchAll(/^([0-9a-f]{16}) /gm)].map((m) => BigInt(`0x${m[1]}`)), ...Array.from({ length: 20 }, (_, i) => 0xffffffff90000000n + BigInt(i))],
    callBaseOffsets: [],
  },
};

describe('KallsymsScan', () => {
  const index = KallsymsIndex.parse(TEXT);

  for (const [name, query] of Object.entries(QUERIES)) {
    it(`${name}: as the index answers, in pieces of any size`, () => {
      const wanted = [...query.addresses, ...query.callBaseOffsets.map((o) => BigInt.asUintN(64, BASE + BigInt(o)))];
      for (const size of [1, 7, 16, 17, 40, 64, TEXT.length]) {
        const { symbols } = scanned(query, size);
        if (query.callBaseOffsets.length > 0) expect(symbols.callBase).toBe(index.callBase);
        for (const address of wanted) {
          expect(symbols.exact(address), `${address.toString(16)} in pieces of ${size}`).toEqual(index.exact(address));
          expect(symbols.symbolAt(address)).toBe(index.symbolAt(address));
        }
      }
    });
  }

  it('finds an address before __bpf_call_base that lies outside the range of the piece holding it, as the index does', () => {
    // scripts/kallsyms sorts vmlinux's lines, so a piece's first and last addresses bound what it
    // holds; should a line be out of order, the scan still finds it (in every held piece).
    const pieces = ['ffffffff81000100 t a\nffffffff81000400 t b\n', 'ffffffff81000500 t c\nffffffff81000250 t odd\nffffffff81000600 t d\n', 'ffffffff814ded50 T __bpf_call_base\n'];
    const wanted = [0xffffffff81000250n, 0xffffffff81000400n, 0xffffffff81000500n, 0xffffffff81000350n];
    const scan = new KallsymsScan({ addresses: [], callBaseOffsets: wanted.map((a) => Number(a - BASE)) });
    for (const piece of pieces) scan.push(bytes(piece));
    const symbols = scan.result();
    const unsortedIndex = KallsymsIndex.parse(pieces.join(''));
    for (const address of wanted) expect(symbols.symbolAt(address), address.toString(16)).toBe(unsortedIndex.symbolAt(address));
    expect(symbols.symbolAt(0xffffffff81000250n)).toBe('odd');
  });

  it('names the first line at a shared address, with its module', () => {
    const { symbols } = scanned(QUERIES['a shared address and a module symbol']!, 16);
    expect(symbols.exact(0xffffffff81000000n)).toEqual({ address: 0xffffffff81000000n, name: '_stext' });
    expect(symbols.exact(0xffffffffc0100000n)).toEqual({ address: 0xffffffffc0100000n, name: 'veth_xmit', module: 'veth' });
  });

  it('stops at the last symbol it needs', () => {
    const helpers = scanned({ addresses: [], callBaseOffsets: [Number(0xffffffff814ded60n - BASE)] }, 8);
    expect(helpers.readTo).toBeLessThan(TEXT.indexOf('bpf_get_current_pid_tgid'));
    expect(helpers.symbols.symbolAt(0xffffffff814ded60n)).toBe('bpf_map_lookup_elem');
    const missing = scanned(QUERIES['an address no line has']!, 8);
    expect(missing.readTo).toBe(TEXT.length);
  });

  it('needs no text for an empty query', () => {
    const scan = new KallsymsScan({ addresses: [], callBaseOffsets: [] });
    expect(scan.done).toBe(true);
    expect(scan.result().callBase).toBeUndefined();
  });

  it('says when kernel.kptr_restrict hides every address, as the index does', () => {
    const hidden = TEXT.replace(/^[0-9a-f]{16}/gm, '0000000000000000');
    const query = { addresses: [], callBaseOffsets: [16] };
    const scan = new KallsymsScan(query);
    scan.push(bytes(hidden));
    expect(scan.result().restricted).toBe(true);
    expect(KallsymsIndex.parse(hidden).restricted).toBe(true);
    expect(scanned(query, 64).symbols.restricted).toBe(false);
  });

  it('finds nothing without __bpf_call_base, but still the absolute addresses', () => {
    const text = TEXT.replace(/^.* __bpf_call_base\n/m, '');
    const scan = new KallsymsScan({ addresses: [0xffffffffc0030000n], callBaseOffsets: [16] });
    expect(scan.push(bytes(text))).toBe(false);
    const symbols = scan.result();
    expect(symbols.callBase).toBeUndefined();
    expect(symbols.symbolAt(0xffffffffc0030000n)).toBe('bpf_prog_6deef7357e7b4530_count_getpid');
  });

  it("names a program's functions as bpf_prog_ksym_set_name does, leaving out what kallsyms must say", () => {
    const addresses = [0xffffffffc0030000n, 0xffffffffc0030800n, 0n, 0xffffffffc0031000n, 0xffffffffc0032000n];
    const tags = ['6deef7357e7b4530', '0123456789abcdef', 'aaaaaaaaaaaaaaaa', 'bbbbbbbbbbbbbbbb', 'cccccccccccccccc'];
    // An address hidden (kptr_restrict), a function without a name, one whose symbol kernels before 6.1 cut.
    const names = ['count_getpid', 'sub', 'hidden', undefined, 'x'.repeat(102)];
    const symbols = bpfFunctionSymbols(addresses, tags, names);
    expect([...symbols]).toEqual([
      [0xffffffffc0030000n, 'bpf_prog_6deef7357e7b4530_count_getpid'],
      [0xffffffffc0030800n, 'bpf_prog_0123456789abcdef_sub'],
    ]);
    // 'bpf_prog_' + 16 hex digits + '_' is 26 bytes: names up to 101 bytes fit in 127.
    expect(bpfFunctionSymbols(addresses, tags, ['x'.repeat(101)]).get(addresses[0]!)).toHaveLength(127);
    expect(bpfFunctionSymbols(addresses, tags, ['x'.repeat(102)]).size).toBe(0);
  });

  it('answers for the named functions first, then as kallsyms', () => {
    const index = KallsymsIndex.parse(TEXT);
    const symbols = withBpfFunctions(index, new Map([[0xffffffffc0040000n, 'bpf_prog_1111111111111111_mine']]));
    expect(symbols.symbolAt(0xffffffffc0040000n)).toBe('bpf_prog_1111111111111111_mine');
    expect(symbols.exact(0xffffffffc0040000n)).toEqual({ address: 0xffffffffc0040000n, name: 'bpf_prog_1111111111111111_mine', module: 'bpf' });
    expect(symbols.symbolAt(0xffffffffc0030000n)).toBe('bpf_prog_6deef7357e7b4530_count_getpid');
    expect(symbols.callBase).toBe(BASE);
    expect(symbols.restricted).toBe(false);
  });
});
