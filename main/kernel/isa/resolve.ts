// How calls and 64-bit immediates are named in a listing: bpftool's xlated_dumper.c
// callbacks (print_call, print_imm) as a pure function of injected lookups.

import type { DisasmCallbacks } from './format.js';
import { signed } from './format.js';
import { helperName } from './helpers.js';
import type { CallInstruction, LoadImm64Instruction } from './instruction.js';
import * as op from './opcode.js';

/** A map as the listing shows it; only `id` is needed, the rest is for the UI. */
export interface MapSummary {
  readonly id: number;
  readonly name?: string;
  readonly type?: string;
}

/** How an ld_imm64 map reference identifies its map: loaded code carries ids, object code fds or indexes. */
export interface MapKey {
  readonly by: 'id' | 'fd' | 'idx';
  readonly value: number;
}

/** Lookups injected into the listing; every one is optional. */
export interface ListingResolvers {
  /** Address of `__bpf_call_base` (kallsyms); helper and kfunc immediates in xlated code are offsets from it. */
  readonly callBase?: bigint;
  /** The kernel symbol at exactly this address (kallsyms, including `[bpf]` program symbols). */
  kernelSymbol?(address: bigint): string | undefined;
  /** jited_ksyms: the address of each JIT-ed subprog; non-empty means the program is JIT-ed. */
  readonly jitedKsyms?: readonly bigint[];
  /** The map an ld_imm64 refers to. */
  map?(key: MapKey): MapSummary | undefined;
  /** A kfunc's name by BTF id, where calls still carry it (object files, un-JIT-ed code); `off` selects the module BTF. */
  kfuncName?(btfId: number, off: number): string | undefined;
}

/** Where the instructions come from: decides what call and ld_imm64 immediates mean. */
export type CodeOrigin = 'xlated' | 'object';

/** What a call instruction calls, for the structured listing. */
export interface CallTarget {
  readonly callee: 'helper' | 'kfunc' | 'subprog';
  /** Helper or kfunc name, or the subprog's symbol, when known. */
  readonly name?: string;
  /** Kernel address called (xlated code with kallsyms). */
  readonly address?: bigint;
  /** First instruction of the called subprog. */
  readonly target?: number;
}

const U64 = (n: bigint): bigint => BigInt.asUintN(64, n);

/** Where a call in xlated code goes: a JIT-ed subprog's address, or an offset from `__bpf_call_base`. */
function xlatedCallSite(callee: CallInstruction['callee'], imm: number, jitedKsyms: readonly bigint[]): { address: bigint } | { offset: number } {
  if (callee === 'subprog' && imm >= 0 && imm < jitedKsyms.length) return { address: jitedKsyms[imm] };
  return { offset: imm };
}

function xlatedCallAddress(insn: CallInstruction, resolvers: ListingResolvers): bigint {
  const site = xlatedCallSite(insn.callee, insn.imm, resolvers.jitedKsyms ?? []);
  return 'address' in site ? site.address : U64((resolvers.callBase ?? 0n) + BigInt(site.offset));
}

const CALL_CODE = op.CLASS_JMP | op.JMP_CALL;
const LD_IMM64_CODE = op.CLASS_LD | op.MODE_IMM | op.SIZE_DW;
const CALLEES = new Map<number, CallInstruction['callee']>([
  [op.CALL_HELPER, 'helper'],
  [op.PSEUDO_CALL, 'subprog'],
  [op.PSEUDO_KFUNC_CALL, 'kfunc'],
]);

/**
 * The kernel addresses a listing of xlated code names (its calls), for kallsyms to answer
 * before the listing is built: JIT-ed subprogs by address, helpers and kfuncs by offset from
 * `__bpf_call_base`. A helper call the verifier left by its id (bpf_tail_call) is named from
 * the helper table, as disasm.c's __func_get_name does. A program that calls nothing needs no
 * kallsyms at all.
 */
export function kernelAddressesOf(insns: Uint8Array, jitedKsyms: readonly bigint[]): { addresses: bigint[]; callBaseOffsets: number[] } {
  const addresses = new Set<bigint>();
  const offsets = new Set<number>();
  for (let at = 0; at + op.INSN_SIZE <= insns.length; at += insns[at] === LD_IMM64_CODE ? 2 * op.INSN_SIZE : op.INSN_SIZE) {
    if (insns[at] !== CALL_CODE) continue;
    const callee = CALLEES.get(insns[at + 1] >> 4);
    if (callee === undefined) continue;
    const imm = insns[at + 4] | (insns[at + 5] << 8) | (insns[at + 6] << 16) | (insns[at + 7] << 24);
    if (callee === 'helper' && helperName(imm) !== undefined) continue;
    const site = xlatedCallSite(callee, imm, jitedKsyms);
    if ('address' in site) addresses.add(site.address);
    else offsets.add(site.offset);
  }
  return { addresses: [...addresses], callBaseOffsets: [...offsets] };
}

interface ResolvedCall {
  readonly name?: string;
  readonly address?: bigint;
}

/** The callee's name and address: kallsyms for loaded code, BTF names for kfuncs in object code. */
function resolveCall(insn: CallInstruction, origin: CodeOrigin, resolvers: ListingResolvers): ResolvedCall {
  if (origin === 'object') {
    const name = insn.callee === 'kfunc' ? resolvers.kfuncName?.(insn.imm, insn.off) : undefined;
    return name === undefined ? {} : { name };
  }
  const address = xlatedCallAddress(insn, resolvers);
  const name = resolvers.kernelSymbol?.(address);
  return name === undefined ? { address } : { name, address };
}

/** bpftool's print_call. */
function callNameFor(origin: CodeOrigin, resolvers: ListingResolvers) {
  return (insn: CallInstruction): string | undefined => {
    const { name, address } = resolveCall(insn, origin, resolvers);
    if (address === undefined) return name;
    const shown = name ?? `0x${address.toString(16)}`;
    if (insn.callee !== 'subprog') return shown;
    return (resolvers.jitedKsyms ?? []).length === 0 ? signed(insn.off) : `${signed(insn.off)}#${shown}`;
  };
}

/** bpftool's print_imm (v7.1). */
function immText(insn: LoadImm64Instruction): string {
  switch (insn.pseudo) {
    case 'map_fd':
      return `map[id:${insn.immLo >>> 0}]`;
    case 'map_value':
      return `map[id:${insn.immLo >>> 0}][0]+${insn.immHi >>> 0}`;
    case 'map_idx_value':
      return `map[idx:${insn.immLo >>> 0}]+${insn.immHi >>> 0}`;
    case 'func':
      return `subprog[${signed(insn.immLo)}]`;
    default:
      return `0x${insn.value.toString(16)}`;
  }
}

/** The callback table the formatter uses for a listing of code from `origin`. */
export function listingCallbacks(origin: CodeOrigin, resolvers: ListingResolvers): DisasmCallbacks {
  return { callName: callNameFor(origin, resolvers), immText };
}

/** The map an ld_imm64 refers to, if any. */
export function mapKeyOf(insn: LoadImm64Instruction, origin: CodeOrigin): MapKey | undefined {
  switch (insn.pseudo) {
    case 'map_fd':
    case 'map_value':
      return { by: origin === 'xlated' ? 'id' : 'fd', value: insn.immLo >>> 0 };
    case 'map_idx':
    case 'map_idx_value':
      return { by: 'idx', value: insn.immLo >>> 0 };
    default:
      return undefined;
  }
}

/** What a call calls: the helper table's name for helper ids, else the resolved symbol. */
export function callTargetOf(insn: CallInstruction, origin: CodeOrigin, resolvers: ListingResolvers): CallTarget {
  const tableName = insn.callee === 'helper' ? helperName(insn.imm) : undefined;
  const resolved = tableName === undefined ? resolveCall(insn, origin, resolvers) : { name: tableName };
  const target: { -readonly [K in keyof CallTarget]: CallTarget[K] } = { callee: insn.callee };
  if (resolved.name !== undefined) target.name = resolved.name;
  if (resolved.address !== undefined) target.address = resolved.address;
  if (insn.target !== undefined) target.target = insn.target;
  return target;
}
