// The hex printer of bitfields and odd-width integers (bpftool's btf_dumper_bitfield and
// btf_int128_print) against BigInt arithmetic on the same bytes: every width up to 128 bits
// at every bit offset, on random bytes, zeros and all-ones (where a wrong mask or shift
// shows), with other bytes around the field.
import { describe, expect, it } from 'vitest';
import { writeLeafBits } from '../../../main/kernel/btf/value-leaves.js';
import { prng } from '../../helpers/prng.js';

const decoder = new TextDecoder();

/** bits [bitOffset, bitOffset + bits) of the little-endian bytes, as BigInt reads them. */
function reference(bytes: Uint8Array, bitOffset: number, bits: number): string {
  let v = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[i]!);
  return `0x${BigInt.asUintN(bits, v >> BigInt(bitOffset)).toString(16)}`;
}

function printed(bytes: Uint8Array, bitOffset: number, bits: number, text: boolean): string {
  const source = new Uint8Array(bytes.length + 6).fill(0xa5);
  source.set(bytes, 3);
  const out = new Uint8Array(64);
  const end = writeLeafBits(out, 0, source, 3, true, bitOffset, bits, text);
  return decoder.decode(out.subarray(0, end));
}

describe('bitfield hex', () => {
  it('prints every width at every bit offset as BigInt does, in text and JSON', () => {
    const next = prng(20261206);
    for (let bits = 1; bits <= 128; bits++) {
      for (let bitOffset = 0; bitOffset < 8; bitOffset++) {
        const nbytes = (bitOffset + bits + 7) >>> 3;
        const samples = [new Uint8Array(nbytes).fill(0xff), new Uint8Array(nbytes), Uint8Array.from({ length: nbytes }, () => Math.floor(next() * 256))];
        for (const bytes of samples) {
          const want = reference(bytes, bitOffset, bits);
          expect(printed(bytes, bitOffset, bits, true), `${bits} bits at ${bitOffset}`).toBe(want);
          expect(printed(bytes, bitOffset, bits, false)).toBe(`"${want}"`);
        }
      }
    }
  });

});
