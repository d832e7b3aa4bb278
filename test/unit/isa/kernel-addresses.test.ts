// kernelAddressesOf says beforehand which kernel addresses a listing of xlated code will look
// up, so kallsyms can be read only that far: every address the built listing asks for, in text,
// JSON and entries, must be in it, on programs full of calls, ld_imm64 halves and bad bytes.
import { describe, expect, it } from 'vitest';
import { buildListing, kernelAddressesOf, listingJsonText, renderListingText } from '../../../main/kernel/isa/index.js';

const BASE = 0xffffffff814ded50n;
const KSYMS = [0xffffffffc0030000n, 0xffffffffc0030800n];

function bytes(hex: string): Uint8Array {
  return Uint8Array.from(hex.trim().split(/\s+/).map((b) => parseInt(b, 16)));
}

/** Random slots biased to calls (helper, subprog, kfunc, bad kinds) and ld_imm64 whose second half looks like a call. */
function program(seed: number, slots: number): Uint8Array {
  let state = seed;
  const random = (n: number) => (state = (Math.imul(state, 1103515245) + 12345) >>> 0) % n;
  const out = new Uint8Array(slots * 8);
  for (let at = 0; at + 8 <= out.length; at += 8) {
    const code = [0x85, 0x85, 0x18, 0x95, 0xbf, 0x05][random(6)];
    const imm = random(3) === 0 ? random(5) - 1 : random(1 << 20) - (1 << 19);
    const off = random(7) - 3;
    out.set([code, random(4) << 4, off & 0xff, (off >> 8) & 0xff, imm & 0xff, (imm >> 8) & 0xff, (imm >> 16) & 0xff, imm >>> 24], at);
  }
  return out;
}

/** Every address the listing looks up while rendered every way. */
function lookedUp(insns: Uint8Array, jitedKsyms: readonly bigint[]): Set<bigint> {
  const looked = new Set<bigint>();
  const listing = buildListing({ insns, origin: 'xlated' }, { callBase: BASE, jitedKsyms, kernelSymbol: (a) => void looked.add(a) });
  renderListingText(listing);
  listingJsonText(listing);
  for (let p = 0; p < listing.length; p++) listing.entry(p);
  return looked;
}

function queried(insns: Uint8Array, jitedKsyms: readonly bigint[]): Set<bigint> {
  const query = kernelAddressesOf(insns, jitedKsyms);
  return new Set([...query.addresses, ...query.callBaseOffsets.map((o) => BigInt.asUintN(64, BASE + BigInt(o)))]);
}

describe('kernelAddressesOf', () => {
  it('names helper and kfunc calls by offset and JIT-ed subprogs by address, skipping ld_imm64 halves and helpers left by id', () => {
    const insns = bytes(`
      85 00 00 00 10 4d 04 00
      85 20 00 00 f0 ff ff ff
      85 10 00 00 01 00 00 00
      85 00 00 00 0c 00 00 00
      18 00 00 00 00 00 00 00  85 00 00 00 44 00 00 00
      95 00 00 00 00 00 00 00`);
    expect(kernelAddressesOf(insns, KSYMS)).toEqual({ addresses: [KSYMS[1]], callBaseOffsets: [0x44d10, -16] });
    // Not JIT-ed: a subprog call is an offset like the rest (the listing shows no address for it).
    expect(kernelAddressesOf(insns, [])).toEqual({ addresses: [], callBaseOffsets: [0x44d10, -16, 1] });
    expect(kernelAddressesOf(bytes('95 00 00 00 00 00 00 00'), KSYMS)).toEqual({ addresses: [], callBaseOffsets: [] });
  });

  for (const jited of [false, true]) {
    it(`covers every address the listing looks up (${jited ? 'JIT-ed' : 'interpreted'})`, () => {
      let looked = 0;
      for (let seed = 1; seed <= 200; seed++) {
        const insns = program(seed, 40);
        const ksyms = jited ? KSYMS : [];
        const wanted = queried(insns, ksyms);
        for (const address of lookedUp(insns, ksyms)) {
          expect(wanted.has(address), `seed ${seed}: 0x${address.toString(16)}`).toBe(true);
          looked++;
        }
      }
      expect(looked).toBeGreaterThan(1000);
    });
  }
});
