// Highlighting tokens of instruction texts as bpftool prints them (lines taken from
// `bpftool prog dump xlated` of programs loaded here): each token's kind, targets and map
// ids from the entry, and the tokens always spell the text back.
import { describe, expect, it } from 'vitest';
import type { ListingEntryView } from '../../../main/api/view-records.js';
import { insnTokens, markTokens, type InsnToken } from '../../../renderer/src/lib/program/insn-tokens.js';
import { matchRanges } from '../../../renderer/src/lib/program/listing-lines.js';

const entry = (text: string, more: Partial<ListingEntryView> = {}): ListingEntryView => ({ index: 0, bytes: '', text, ...more });
const kinds = (tokens: InsnToken[]): string => tokens.filter((t) => t.kind !== 'text').map((t) => `${t.kind}:${t.text}`).join(' ');

describe('instruction tokens', () => {
  const table: Array<[string, Partial<ListingEntryView>, string]> = [
    ['(bf) r6 = r1', {}, 'opcode:(bf) register:r6 register:r1'],
    ['(b4) w0 = -7', {}, 'opcode:(b4) register:w0 immediate:-7'],
    ['(63) *(u32 *)(r10 -4) = r0', {}, 'opcode:(63) memory:(u32 *) register:r10 immediate:-4 register:r0'],
    ['(15) if r0 == 0x0 goto pc+3', { jumpTarget: 33 }, 'opcode:(15) keyword:if register:r0 immediate:0x0 keyword:goto jump:pc+3'],
    ['(05) goto pc-43', { jumpTarget: 7 }, 'opcode:(05) keyword:goto jump:pc-43'],
    ['(85) call bpf_get_current_pid_tgid#281872', { call: { callee: 'helper', name: 'bpf_get_current_pid_tgid' } }, 'opcode:(85) keyword:call helper:bpf_get_current_pid_tgid annotation:#281872'],
    ['(85) call bpf_task_acquire#-1234', { call: { callee: 'kfunc' } }, 'opcode:(85) keyword:call kfunc:bpf_task_acquire annotation:#-1234'],
    ['(85) call pc+1#bpf_prog_c1f5cbf1ea066062_store_comm', { call: { callee: 'subprog', target: 12 } }, 'opcode:(85) keyword:call jump:pc+1 annotation:#bpf_prog_c1f5cbf1ea066062_store_comm'],
    ['(18) r2 = map[id:1096][0]+16', { map: { id: 1096 } }, 'opcode:(18) register:r2 map:map[id:1096][0]+16'],
    ['(18) r1 = map[id:1254]', { map: { id: 1254 } }, 'opcode:(18) register:r1 map:map[id:1254]'],
    ['(db) lock *(u64 *)(r7 +0) += r1', {}, 'opcode:(db) keyword:lock memory:(u64 *) register:r7 immediate:0 register:r1'],
    ['(c7) r1 s>>= 56', {}, 'opcode:(c7) register:r1 immediate:56'],
    ['(95) exit', {}, 'opcode:(95) keyword:exit'],
    ['(bf) r0 = &(void __percpu *)(r0)', {}, 'opcode:(bf) register:r0 memory:&(void __percpu *) register:r0'],
    ['(bf) r1 = (s8)r2', {}, 'opcode:(bf) register:r1 memory:(s8) register:r2'],
  ];

  it.each(table)('%s', (text, more, expected) => {
    const tokens = insnTokens(entry(text, more));
    expect(kinds(tokens)).toBe(expected);
    expect(tokens.map((t) => t.text).join('')).toBe(text);
  });

  it('takes targets and map ids from the entry, not from the text', () => {
    const jump = insnTokens(entry('(05) goto pc-43', { jumpTarget: 7 })).find((t) => t.kind === 'jump');
    expect(jump?.target).toBe(7);
    // A wrapped 16-bit call offset: the text says pc-N, the entry knows the real callee.
    const call = insnTokens(entry('(85) call pc-31000#step9', { call: { callee: 'subprog', target: 40_000 } })).find((t) => t.kind === 'jump');
    expect(call?.target).toBe(40_000);
    expect(insnTokens(entry('(18) r1 = map[id:9]', { map: { id: 9 } })).find((t) => t.kind === 'map')?.mapId).toBe(9);
    // Without a known target a pc-relative offset is a plain number, not a link to nowhere.
    expect(insnTokens(entry('(05) goto pc+1')).some((t) => t.kind === 'jump')).toBe(false);
  });

  it('marks a find across token boundaries', () => {
    const tokens = insnTokens(entry('(85) call bpf_ktime_get_ns#1', { call: { callee: 'helper' } }));
    const marked = markTokens(tokens, matchRanges('(85) call bpf_ktime_get_ns#1', 'call bpf_k', false));
    const matched = marked.flatMap((t) => t.parts.filter((p) => p.match).map((p) => `${t.kind}:${p.text}`));
    expect(matched).toEqual(['keyword:call', 'text: ', 'helper:bpf_k']);
    expect(marked.flatMap((t) => t.parts.map((p) => p.text)).join('')).toBe('(85) call bpf_ktime_get_ns#1');
  });
});
