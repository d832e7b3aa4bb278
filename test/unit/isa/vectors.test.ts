// Annotated instruction vectors for every class, including the ISA v4 additions (sdiv/smod,
// movsx, sign-extending loads, bswap, gotol) and later ones (may_goto, addr_space_cast,
// load-acquire/store-release). clang 14 cannot emit v4, so they are hand-encoded; the
// expected text follows the format strings of the kernel's kernel/bpf/disasm.c (Linux 6.18).
//
// Encoding: code | src<<4|dst | off (s16 LE) | imm (s32 LE)

import { describe, expect, it } from 'vitest';
import { buildListing, decodeInstructions, formatInstruction } from '../../../main/kernel/isa/index.js';

function bytes(hex: string): Uint8Array {
  return Uint8Array.from(hex.trim().split(/\s+/), (b) => parseInt(b, 16));
}

// [hex, expected text, what it is]
const VECTORS: readonly (readonly [string, string, string])[] = [
  // ALU64 / ALU
  ['bf 16 00 00 00 00 00 00', '(bf) r6 = r1', 'mov64 reg'],
  ['b7 00 00 00 01 00 00 00', '(b7) r0 = 1', 'mov64 imm'],
  ['b4 00 00 00 ff ff ff ff', '(b4) w0 = -1', 'mov32 imm, negative'],
  ['07 01 00 00 fc ff ff ff', '(07) r1 += -4', 'add64 imm'],
  ['0f 21 00 00 00 00 00 00', '(0f) r1 += r2', 'add64 reg'],
  ['0c 21 00 00 00 00 00 00', '(0c) w1 += w2', 'add32 reg'],
  ['17 01 00 00 05 00 00 00', '(17) r1 -= 5', 'sub64 imm'],
  ['2f 21 00 00 00 00 00 00', '(2f) r1 *= r2', 'mul64 reg'],
  ['37 01 00 00 03 00 00 00', '(37) r1 /= 3', 'div64 imm'],
  ['37 01 01 00 03 00 00 00', '(37) r1 s/= 3', 'v4 sdiv64 imm (off 1)'],
  ['3f 21 01 00 00 00 00 00', '(3f) r1 s/= r2', 'v4 sdiv64 reg'],
  ['3c 21 01 00 00 00 00 00', '(3c) w1 s/= w2', 'v4 sdiv32 reg'],
  ['97 01 00 00 03 00 00 00', '(97) r1 %= 3', 'mod64 imm'],
  ['97 01 01 00 03 00 00 00', '(97) r1 s%= 3', 'v4 smod64 imm'],
  ['9c 21 01 00 00 00 00 00', '(9c) w1 s%= w2', 'v4 smod32 reg'],
  ['4f 21 00 00 00 00 00 00', '(4f) r1 |= r2', 'or64 reg'],
  ['57 01 00 00 ff 00 00 00', '(57) r1 &= 255', 'and64 imm'],
  ['54 07 00 00 0f 00 00 00', '(54) w7 &= 15', 'and32 imm'],
  ['67 01 00 00 20 00 00 00', '(67) r1 <<= 32', 'lsh64 imm'],
  ['77 01 00 00 20 00 00 00', '(77) r1 >>= 32', 'rsh64 imm'],
  ['c7 01 00 00 3f 00 00 00', '(c7) r1 s>>= 63', 'arsh64 imm'],
  ['c4 01 00 00 1f 00 00 00', '(c4) w1 s>>= 31', 'arsh32 imm'],
  ['af 21 00 00 00 00 00 00', '(af) r1 ^= r2', 'xor64 reg'],
  ['ac 00 00 00 00 00 00 00', '(ac) w0 ^= w0', 'xor32 reg'],
  ['87 01 00 00 00 00 00 00', '(87) r1 = -r1', 'neg64'],
  ['84 01 00 00 00 00 00 00', '(84) w1 = -w1', 'neg32'],
  ['bf 21 08 00 00 00 00 00', '(bf) r1 = (s8)r2', 'v4 movsx64 8'],
  ['bf 21 10 00 00 00 00 00', '(bf) r1 = (s16)r2', 'v4 movsx64 16'],
  ['bf 21 20 00 00 00 00 00', '(bf) r1 = (s32)r2', 'v4 movsx64 32'],
  ['bc 21 08 00 00 00 00 00', '(bc) w1 = (s8)w2', 'v4 movsx32 8'],
  ['bc 21 10 00 00 00 00 00', '(bc) w1 = (s16)w2', 'v4 movsx32 16'],
  ['d4 01 00 00 10 00 00 00', '(d4) r1 = le16 r1', 'to little endian'],
  ['dc 01 00 00 20 00 00 00', '(dc) r1 = be32 r1', 'to big endian'],
  ['dc 01 00 00 40 00 00 00', '(dc) r1 = be64 r1', 'to big endian 64'],
  ['d7 01 00 00 10 00 00 00', '(d7) r1 = bswap16 r1', 'v4 bswap16'],
  ['d7 01 00 00 20 00 00 00', '(d7) r1 = bswap32 r1', 'v4 bswap32'],
  ['d7 01 00 00 40 00 00 00', '(d7) r1 = bswap64 r1', 'v4 bswap64'],
  ['bf 21 01 00 01 00 00 00', '(bf) r1 = addr_space_cast(r2, 0, 1)', 'arena: as(1) → as(0)'],
  ['bf 21 01 00 00 00 01 00', '(bf) r1 = addr_space_cast(r2, 1, 0)', 'arena: as(0) → as(1)'],
  ['bf 11 ff ff 00 00 00 00', '(bf) r1 = &(void __percpu *)(r1)', 'internal per-CPU address (xlated only)'],
  ['bc 00 00 00 01 00 00 00', '(bc) w0 = w0', 'internal zero-extension BPF_ZEXT_REG: mov32 with imm 1 (xlated only)'],
  // LDX, including v4 sign-extending loads
  ['79 12 f8 ff 00 00 00 00', '(79) r2 = *(u64 *)(r1 -8)', 'ldx dw'],
  ['61 12 04 00 00 00 00 00', '(61) r2 = *(u32 *)(r1 +4)', 'ldx w'],
  ['69 62 b0 00 00 00 00 00', '(69) r2 = *(u16 *)(r6 +176)', 'ldx h'],
  ['71 a1 f0 ff 00 00 00 00', '(71) r1 = *(u8 *)(r10 -16)', 'ldx b'],
  ['91 12 00 00 00 00 00 00', '(91) r2 = *(s8 *)(r1 +0)', 'v4 ldsx b'],
  ['89 12 02 00 00 00 00 00', '(89) r2 = *(s16 *)(r1 +2)', 'v4 ldsx h'],
  ['81 12 04 00 00 00 00 00', '(81) r2 = *(s32 *)(r1 +4)', 'v4 ldsx w'],
  ['51 12 00 00 00 00 00 00', '(51) r2 = *(s8 *)(r1 +0)', 'internal fault-guarded ldsx b, BPF_PROBE_MEMSX (xlated only)'],
  ['41 12 08 00 00 00 00 00', '(41) r2 = *(s32 *)(r1 +8)', 'internal fault-guarded ldsx w'],
  // ST, STX
  ['7a 0a f8 ff 2a 00 00 00', '(7a) *(u64 *)(r10 -8) = 42', 'st dw'],
  ['62 0a fc ff ff ff ff ff', '(62) *(u32 *)(r10 -4) = -1', 'st w'],
  ['6a 0a fe ff 07 00 00 00', '(6a) *(u16 *)(r10 -2) = 7', 'st h'],
  ['72 0a ff ff 01 00 00 00', '(72) *(u8 *)(r10 -1) = 1', 'st b'],
  ['7b 1a f8 ff 00 00 00 00', '(7b) *(u64 *)(r10 -8) = r1', 'stx dw'],
  ['63 0a fc ff 00 00 00 00', '(63) *(u32 *)(r10 -4) = r0', 'stx w'],
  ['6b 1a fe ff 00 00 00 00', '(6b) *(u16 *)(r10 -2) = r1', 'stx h'],
  ['73 1a ff ff 00 00 00 00', '(73) *(u8 *)(r10 -1) = r1', 'stx b'],
  ['c2 00 00 00 00 00 00 00', '(c2) nospec', 'internal speculation barrier (xlated only)'],
  // Atomics
  ['db 21 00 00 00 00 00 00', '(db) lock *(u64 *)(r1 +0) += r2', 'atomic add64'],
  ['c3 21 08 00 50 00 00 00', '(c3) lock *(u32 *)(r1 +8) &= r2', 'atomic and32'],
  ['db 21 00 00 40 00 00 00', '(db) lock *(u64 *)(r1 +0) |= r2', 'atomic or64'],
  ['db 21 00 00 a0 00 00 00', '(db) lock *(u64 *)(r1 +0) ^= r2', 'atomic xor64'],
  ['db 21 00 00 01 00 00 00', '(db) r2 = atomic64_fetch_add((u64 *)(r1 +0), r2)', 'atomic fetch add64'],
  ['c3 21 00 00 51 00 00 00', '(c3) r2 = atomic_fetch_and((u32 *)(r1 +0), r2)', 'atomic fetch and32'],
  ['db 21 00 00 41 00 00 00', '(db) r2 = atomic64_fetch_or((u64 *)(r1 +0), r2)', 'atomic fetch or64'],
  ['c3 21 00 00 a1 00 00 00', '(c3) r2 = atomic_fetch_xor((u32 *)(r1 +0), r2)', 'atomic fetch xor32'],
  ['db 21 00 00 e1 00 00 00', '(db) r2 = atomic64_xchg((u64 *)(r1 +0), r2)', 'atomic xchg64'],
  ['c3 61 00 00 f1 00 00 00', '(c3) r0 = atomic_cmpxchg((u32 *)(r1 +0), r0, r6)', 'atomic cmpxchg32'],
  ['d3 21 00 00 00 01 00 00', '(d3) r1 = load_acquire((u8 *)(r2 +0))', 'load-acquire b (6.15)'],
  ['db 21 10 00 00 01 00 00', '(db) r1 = load_acquire((u64 *)(r2 +16))', 'load-acquire dw'],
  ['cb 21 00 00 10 01 00 00', '(cb) store_release((u16 *)(r1 +0), r2)', 'store-release h (6.15)'],
  ['c3 21 fc ff 10 01 00 00', '(c3) store_release((u32 *)(r1 -4), r2)', 'store-release w'],
  // LD: ld_imm64 (no callbacks: disasm.c prints the full immediate) and legacy packet loads
  ['18 01 00 00 44 33 22 11 00 00 00 00 88 77 66 55', '(18) r1 = 0x5566778811223344', 'ld_imm64'],
  ['18 11 00 00 0c 00 00 00 00 00 00 00 00 00 00 00', '(18) r1 = 0xc', 'ld_imm64 map fd 12'],
  ['30 00 00 00 0e 00 00 00', '(30) r0 = *(u8 *)skb[14]', 'ld_abs b'],
  ['28 00 00 00 0c 00 00 00', '(28) r0 = *(u16 *)skb[12]', 'ld_abs h'],
  ['20 00 00 00 1a 00 00 00', '(20) r0 = *(u32 *)skb[26]', 'ld_abs w'],
  ['40 10 00 00 0e 00 00 00', '(40) r0 = *(u32 *)skb[r1 + 14]', 'ld_ind w'],
  // JMP / JMP32
  ['05 00 ff ff 00 00 00 00', '(05) goto pc-1', 'ja'],
  ['06 00 00 00 ff ff ff ff', '(06) gotol pc-1', 'v4 gotol (jmp32 ja, imm offset)'],
  ['e5 00 ff ff 00 00 00 00', '(e5) may_goto pc-1', 'may_goto (6.9)'],
  ['95 00 00 00 00 00 00 00', '(95) exit', 'exit'],
  ['85 00 00 00 01 00 00 00', '(85) call bpf_map_lookup_elem#1', 'helper call'],
  ['85 00 00 00 d3 00 00 00', '(85) call bpf_cgrp_storage_delete#211', 'last helper id'],
  ['85 00 00 00 e7 03 00 00', '(85) call unknown#999', 'unknown helper id'],
  ['85 10 00 00 ff ff ff ff', '(85) call pc-1', 'bpf-to-bpf call'],
  ['85 20 00 00 10 27 00 00', '(85) call kernel-function#10000', 'kfunc call (BTF id)'],
  ['15 01 ff ff 00 00 00 00', '(15) if r1 == 0x0 goto pc-1', 'jeq imm'],
  ['25 01 ff ff 05 00 00 00', '(25) if r1 > 0x5 goto pc-1', 'jgt imm'],
  ['35 01 ff ff 05 00 00 00', '(35) if r1 >= 0x5 goto pc-1', 'jge imm'],
  ['45 01 ff ff 01 00 00 00', '(45) if r1 & 0x1 goto pc-1', 'jset imm'],
  ['55 01 ff ff 00 08 00 00', '(55) if r1 != 0x800 goto pc-1', 'jne imm'],
  ['65 01 ff ff ff ff ff ff', '(65) if r1 s> 0xffffffff goto pc-1', 'jsgt imm, negative'],
  ['75 00 ff ff 00 00 00 00', '(75) if r0 s>= 0x0 goto pc-1', 'jsge imm'],
  ['a5 01 ff ff 05 00 00 00', '(a5) if r1 < 0x5 goto pc-1', 'jlt imm'],
  ['b5 01 ff ff 05 00 00 00', '(b5) if r1 <= 0x5 goto pc-1', 'jle imm'],
  ['c5 01 ff ff 05 00 00 00', '(c5) if r1 s< 0x5 goto pc-1', 'jslt imm'],
  ['d5 01 ff ff 05 00 00 00', '(d5) if r1 s<= 0x5 goto pc-1', 'jsle imm'],
  ['1d 21 ff ff 00 00 00 00', '(1d) if r1 == r2 goto pc-1', 'jeq reg'],
  ['2d 21 ff ff 00 00 00 00', '(2d) if r1 > r2 goto pc-1', 'jgt reg'],
  ['4d 21 ff ff 00 00 00 00', '(4d) if r1 & r2 goto pc-1', 'jset reg'],
  ['6d 21 ff ff 00 00 00 00', '(6d) if r1 s> r2 goto pc-1', 'jsgt reg'],
  ['dd 21 ff ff 00 00 00 00', '(dd) if r1 s<= r2 goto pc-1', 'jsle reg'],
  ['16 01 ff ff 00 00 00 00', '(16) if w1 == 0x0 goto pc-1', 'jmp32 jeq imm'],
  ['56 02 ff ff 08 00 00 00', '(56) if w2 != 0x8 goto pc-1', 'jmp32 jne imm'],
  ['c6 02 ff ff fb ff ff ff', '(c6) if w2 s< 0xfffffffb goto pc-1', 'jmp32 jslt imm, negative'],
  ['ae 12 ff ff 00 00 00 00', '(ae) if w2 < w1 goto pc-1', 'jmp32 jlt reg'],
  ['be 12 ff ff 00 00 00 00', '(be) if w2 <= w1 goto pc-1', 'jmp32 jle reg'],
];

describe('instruction vectors (kernel disasm.c text)', () => {
  it.each(VECTORS)('%s → %s (%s)', (hex, text) => {
    const insns = decodeInstructions(bytes(hex));
    expect(insns).toHaveLength(1);
    expect(insns[0].kind).not.toBe('invalid');
    expect(insns[0].problem).toBeUndefined();
    expect(formatInstruction(insns[0])).toBe(text);
  });

  it('normalises encodings: div with off 1 is sdiv, jmp32 ja is a long goto, alu64 end is a swap', () => {
    const [sdiv, gotol, bswap, movsx] = decodeInstructions(bytes(
      '3f 21 01 00 00 00 00 00  06 00 00 00 ff ff ff ff  d7 01 00 00 20 00 00 00  bf 21 10 00 00 00 00 00'));
    expect(sdiv).toMatchObject({ kind: 'alu', op: 'sdiv', width: 64, dst: 1, operand: { kind: 'reg', reg: 2 } });
    expect(gotol).toMatchObject({ kind: 'goto', long: true, offset: -1, target: 1 });
    expect(bswap).toMatchObject({ kind: 'endian', order: 'swap', bits: 32 });
    expect(movsx).toMatchObject({ kind: 'movsx', fromBits: 16, src: 2, dst: 1 });
  });

  it('decodes the kernel-internal forms as the instruction they run, marked internal', () => {
    const [zext, probe, mov32, ldsx] = decodeInstructions(bytes(
      'bc 33 00 00 01 00 00 00  49 12 02 00 00 00 00 00  bc 21 00 00 00 00 00 00  89 12 02 00 00 00 00 00'));
    expect(zext).toMatchObject({ kind: 'alu', op: 'mov', width: 32, dst: 3, operand: { kind: 'reg', reg: 3 }, internal: 'zext' });
    expect(probe).toMatchObject({ kind: 'load', signed: true, size: 2, dst: 2, base: 1, off: 2, internal: 'probe_memsx' });
    expect(mov32.internal).toBeUndefined();
    expect(ldsx.internal).toBeUndefined();
  });

  it('takes r11 (BPF_REG_AX) in xlated code, where constant blinding puts it, and nowhere else', () => {
    const blinded = bytes('b7 0b 00 00 2a 00 00 00  af b1 00 00 00 00 00 00');
    const xlated = decodeInstructions(blinded, { xlated: true });
    expect(xlated.map((i) => [formatInstruction(i), i.problem])).toEqual([['(b7) r11 = 42', undefined], ['(af) r1 ^= r11', undefined]]);
    expect(decodeInstructions(blinded).map((i) => i.problem)).toEqual(['invalid register r11', 'invalid register r11']);
    expect(decodeInstructions(bytes('b7 0c 00 00 2a 00 00 00'), { xlated: true })[0]!.problem).toBe('invalid register r12');
  });

  it('still refuses an imm on other register moves: only mov32 with imm 1 is the zero-extension marker', () => {
    const [mov64, mov32, add32] = decodeInstructions(bytes(
      'bf 10 00 00 01 00 00 00  bc 10 00 00 02 00 00 00  0c 10 00 00 01 00 00 00'));
    expect(mov64.problem).toBe('alu uses reserved imm');
    expect(mov32.problem).toBe('alu uses reserved imm');
    expect(add32.problem).toBe('alu uses reserved imm');
  });
});

// ld_imm64 pseudo sources as bpftool (v7.1) names them after the kernel's bpf_insn_prepare_dump.
const PSEUDO_VECTORS: readonly (readonly [string, string, string])[] = [
  ['18 11 00 00 0c 00 00 00 00 00 00 00 00 00 00 00', '(18) r1 = map[id:12]', 'map fd → id'],
  ['18 21 00 00 0c 00 00 00 00 00 00 00 10 00 00 00', '(18) r1 = map[id:12][0]+16', 'map value'],
  ['18 31 00 00 00 10 00 81 00 00 00 00 ff ff ff ff', '(18) r1 = 0xffffffff81001000', 'btf id (ksym address)'],
  ['18 41 00 00 01 00 00 00 00 00 00 00 00 00 00 00', '(18) r1 = subprog[+1]', 'func (callback subprog)'],
  ['18 51 00 00 02 00 00 00 00 00 00 00 00 00 00 00', '(18) r1 = 0x2', 'map idx'],
  ['18 61 00 00 02 00 00 00 00 00 00 00 08 00 00 00', '(18) r1 = map[idx:2]+8', 'map idx value'],
];

describe('ld_imm64 pseudo sources in a listing (bpftool print_imm)', () => {
  it.each(PSEUDO_VECTORS)('%s → %s (%s)', (hex, text) => {
    const listing = buildListing({ insns: bytes(`${hex} 95 00 00 00 00 00 00 00`) });
    expect(listing.entry(0).text).toBe(text);
    expect(listing.entry(0).problem).toBeUndefined();
  });

  it('records the referenced map with the resolver’s answer', () => {
    const listing = buildListing(
      { insns: bytes('18 21 00 00 0c 00 00 00 00 00 00 00 10 00 00 00 95 00 00 00 00 00 00 00') },
      { map: (key) => (key.by === 'id' && key.value === 12 ? { id: 12, name: 'counts', type: 'hash' } : undefined) },
    );
    expect(listing.entry(0).map).toEqual({ by: 'id', value: 12, valueOffset: 16, map: { id: 12, name: 'counts', type: 'hash' } });
  });
});
