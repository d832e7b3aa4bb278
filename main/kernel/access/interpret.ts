// Map access from the bytecode: an abstract interpretation of the instructions over their
// basic blocks. Registers and 8-byte stack slots hold abstract values (values.ts); a block is
// interpreted again whenever the state reaching it grows, until nothing changes (every join
// moves up a finite lattice, and a step limit bounds the work). Subprogram calls are followed
// with the caller's argument values (a context each, memoised); callbacks with what the
// helper passes them. Accesses are recorded where they happen; whatever cannot be followed is
// reported as untracked, never guessed.
import type { DecodeOptions } from '../isa/decode.js';
import type { CallInstruction, Instruction } from '../isa/instruction.js';
import { helperReference } from '../reference/helpers.js';
import { funcTarget, programBlocks, type ProgramBlocks } from './blocks.js';
import { resolveHelper, type CallbackArg, type ResolvedHelper } from './helper-effects.js';
import type { KfuncParam } from './kfunc-params.js';
import type { AccessKind, MapAccessReport } from './model.js';
import { AccessRecorder } from './recorder.js';
import {
  constant, FrameState, join, NONE, refsOf, SCALAR, stackAt, UNKNOWN, valueKey,
  type AbsValue, type MapRefs, type MemStage,
} from './values.js';

export interface AccessEnvironment {
  /** The helper, kfunc or kernel function a call reaches (the listing's call name). */
  callName(insn: CallInstruction): string | undefined;
  /** The `bpf_map_type` of a map id. */
  mapType(id: number): number | undefined;
  /** The type of the maps a map-in-map holds, when known. */
  innerMapType?(outerId: number): number | undefined;
  /** What a kfunc does with each argument (from its BTF prototype), when known. */
  kfuncParams?(name: string): readonly KfuncParam[] | undefined;
}

export interface AccessInput {
  /** Xlated instructions (as loaded, map references by id), or an object's linked program. */
  readonly insns: Uint8Array;
  readonly decode?: DecodeOptions;
  /** Instruction steps before giving up (default 2 M). */
  readonly maxSteps?: number;
}

const DEFAULT_MAX_STEPS = 2_000_000;
/** The verifier's MAX_CALL_FRAMES. */
const MAX_DEPTH = 8;
/** Argument contexts analysed per function before falling back to "any argument". */
const MAX_CONTEXTS = 8;
const STACK_SIZE = 512;

const enum MapType {
  hash = 1, array = 2, percpuHash = 5, percpuArray = 6, lruHash = 9, lruPercpuHash = 10, arrayOfMaps = 12, hashOfMaps = 13,
}

class StepLimit extends Error {}

/** A small binary min-heap of block ids: blocks are visited roughly in program order. */
class BlockQueue {
  private readonly heap: number[] = [];
  private readonly queued = new Set<number>();

  push(block: number): void {
    if (this.queued.has(block)) return;
    this.queued.add(block);
    const h = this.heap;
    h.push(block);
    for (let i = h.length - 1; i > 0; ) {
      const parent = (i - 1) >> 1;
      if (h[parent] <= h[i]) break;
      [h[parent], h[i]] = [h[i], h[parent]];
      i = parent;
    }
  }

  pop(): number | undefined {
    const h = this.heap;
    if (h.length === 0) return undefined;
    const top = h[0];
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      for (let i = 0; ; ) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && h[l] < h[m]) m = l;
        if (r < h.length && h[r] < h[m]) m = r;
        if (m === i) break;
        [h[m], h[i]] = [h[i], h[m]];
        i = m;
      }
    }
    this.queued.delete(top);
    return top;
  }
}

/** One function being interpreted: its frame number and the frames of its callers (read-only). */
interface Frame {
  readonly depth: number;
  readonly callers: readonly FrameState[];
}

function slotOf(off: number): number {
  return Math.floor(off / 8) * 8;
}

class Interpreter {
  private steps = 0;
  private readonly memo = new Map<string, AbsValue>();
  private readonly active = new Set<string>();
  private readonly contexts = new Map<number, number>();
  /** Function entries (slots) interpreted in some context. */
  readonly entered = new Set<number>();

  constructor(
    private readonly program: ProgramBlocks,
    private readonly env: AccessEnvironment,
    readonly recorder: AccessRecorder,
    private readonly maxSteps: number,
  ) {}

  get stepCount(): number {
    return this.steps;
  }

  private typeOf(ref: number): number | undefined {
    return ref > 0 ? this.env.mapType(ref) : this.env.innerMapType?.(-ref);
  }

  /** One stage for all refs, or `any` when they disagree or are unknown. */
  private stageFor(refs: MapRefs, pick: (type: number | undefined) => MemStage): MemStage {
    const stages = new Set(refs.map((r) => pick(this.typeOf(r))));
    return stages.size === 1 ? [...stages][0] : 'any';
  }

  /** Where pointer arithmetic on a map pointer lands: the verifier's inlined array lookups. */
  private afterMapArithmetic(refs: MapRefs): AbsValue {
    const stage = this.stageFor(refs, (t) => (t === MapType.array ? 'value' : t === MapType.percpuArray || t === MapType.arrayOfMaps ? 'slot' : 'any'));
    return { k: 'mem', refs, stage, direct: false };
  }

  /** Where arithmetic on a hash element lands: the value, or the slot holding its address. */
  private afterElementArithmetic(refs: MapRefs): MemStage {
    return this.stageFor(refs, (t) =>
      t === MapType.hash || t === MapType.lruHash ? 'value'
        : t === MapType.percpuHash || t === MapType.lruPercpuHash || t === MapType.hashOfMaps ? 'slot' : 'any');
  }

  private isMapInMap(ref: number): boolean {
    const t = this.typeOf(ref);
    return t === MapType.arrayOfMaps || t === MapType.hashOfMaps;
  }

  /** What a lookup of these maps returns: a value pointer, or the inner map of a map-in-map. */
  private lookupResult(refs: MapRefs, stage: MemStage = 'value'): AbsValue {
    const inner = refs.filter((r) => this.isMapInMap(r));
    if (inner.length === 0) return { k: 'mem', refs, stage, direct: false };
    if (inner.length === refs.length) return { k: 'map', refs: inner.map((r) => -Math.abs(r)) };
    return UNKNOWN;
  }

  /** Interprets the function starting at `entry` with these arguments; returns what it may return in r0. */
  callFunction(entry: number, args: AbsValue[], depth: number, callers: readonly FrameState[], at: number): AbsValue {
    if (depth >= MAX_DEPTH) {
      this.recorder.untracked(at, `calls deeper than ${MAX_DEPTH} frames are not followed`);
      return UNKNOWN;
    }
    const block = this.program.blockAtSlot(entry);
    if (block < 0) {
      this.recorder.untracked(at, `call to instruction ${entry}, which does not start one`);
      return UNKNOWN;
    }
    let key = `${entry}|${args.map(valueKey).join(';')}`;
    const referenced = args.flatMap((a) => (a.k === 'stack' && a.frame < depth ? [a.frame] : []));
    for (const f of new Set(referenced)) key += `|${f}:${[...(callers[f]?.slots ?? [])].map(([o, v]) => `${o}=${valueKey(v)}`).join(',')}`;
    const known = this.memo.get(key);
    if (known) return known;
    if (this.active.has(key)) return UNKNOWN;
    const seen = this.contexts.get(entry) ?? 0;
    if (seen >= MAX_CONTEXTS) {
      // Too many argument shapes: once more with arguments that may be anything.
      const anyKey = `${entry}|*`;
      const any = this.memo.get(anyKey);
      if (any) return any;
      args = args.map(() => UNKNOWN);
      key = anyKey;
      callers = [];
    }
    this.contexts.set(entry, seen + 1);
    this.active.add(key);
    this.entered.add(entry);
    const result = this.interpret(block, FrameState.entry(depth, args), { depth, callers });
    this.active.delete(key);
    this.memo.set(key, result);
    return result;
  }

  private interpret(entryBlock: number, entryState: FrameState, frame: Frame): AbsValue {
    const { blocks } = this.program;
    const states = new Map<number, FrameState>([[entryBlock, entryState]]);
    const queue = new BlockQueue();
    queue.push(entryBlock);
    let returned: AbsValue = NONE;
    for (let b = queue.pop(); b !== undefined; b = queue.pop()) {
      const state = states.get(b)!.clone();
      const block = blocks[b];
      for (let p = block.first; p < block.last; p++) this.step(this.program.insns[p], state, frame);
      const last = this.program.insns[block.last];
      const outcome = this.finish(last, state, frame, block.next);
      if (outcome.returned) returned = join(returned, outcome.returned);
      for (const [next, out] of outcome.next) {
        const known = states.get(next);
        if (!known) {
          states.set(next, out);
          queue.push(next);
        } else if (known.joinFrom(out)) {
          queue.push(next);
        }
      }
    }
    return returned;
  }

  /** The block's last instruction: exit, a branch (with null checks refined per edge), or any other. */
  private finish(insn: Instruction, state: FrameState, frame: Frame, next: readonly number[]): { returned?: AbsValue; next: Array<[number, FrameState]> } {
    if (insn.kind === 'exit') {
      this.tick();
      return { returned: state.regs[0], next: [] };
    }
    if (insn.kind !== 'jump') {
      this.step(insn, state, frame);
      return { next: next.map((b, i) => [b, i === next.length - 1 ? state : state.clone()]) };
    }
    this.tick();
    const [fallthrough, taken] = next.length === 2 ? next : [next[0], undefined];
    const nullTest = insn.operand.kind === 'imm' && insn.operand.value === 0 && insn.width === 64 && (insn.condition === 'eq' || insn.condition === 'ne');
    const tested = state.regs[insn.dst];
    const pointer = tested.k === 'mem' || tested.k === 'map' || tested.k === 'ring';
    const out: Array<[number, FrameState]> = [];
    const add = (block: number | undefined, isNullEdge: boolean): void => {
      if (block === undefined) return;
      const copy = state.clone();
      if (nullTest && pointer && isNullEdge) copy.regs[insn.dst] = constant(0);
      out.push([block, copy]);
    };
    // `if r == 0 goto`: the taken edge has the null; `if r != 0 goto`: the fallthrough has it.
    add(fallthrough, insn.condition === 'ne');
    add(taken, insn.condition === 'eq');
    return { next: out };
  }

  private tick(): void {
    if (++this.steps > this.maxSteps) throw new StepLimit();
  }

  private step(insn: Instruction, state: FrameState, frame: Frame): void {
    this.tick();
    const regs = state.regs;
    switch (insn.kind) {
      case 'alu':
        regs[insn.dst] = this.alu(insn, regs[insn.dst], insn.operand.kind === 'reg' ? regs[insn.operand.reg] : constant(insn.width === 32 ? insn.operand.value >>> 0 : insn.operand.value));
        return;
      case 'neg':
      case 'endian':
      case 'movsx':
        regs[insn.dst] = SCALAR;
        return;
      case 'percpu_addr':
        regs[insn.dst] = regs[insn.src];
        return;
      case 'addr_space_cast':
        regs[insn.dst] = UNKNOWN;
        return;
      case 'load':
        regs[insn.dst] = this.load(regs[insn.base], insn.off, insn.size, insn.index, state, frame);
        return;
      case 'store':
        this.store(regs[insn.base], insn.off, insn.size, insn.value.kind === 'reg' ? regs[insn.value.reg] : constant(insn.value.value), insn.index, state, frame);
        return;
      case 'atomic':
        this.atomic(insn, state, frame);
        return;
      case 'ld_imm64':
        regs[insn.dst] = this.immediate(insn);
        return;
      case 'ld_abs':
      case 'ld_ind':
        regs[0] = SCALAR;
        for (let r = 1; r <= 5; r++) regs[r] = NONE;
        return;
      case 'call':
        this.call(insn, state, frame);
        return;
      default:
        return;
    }
  }

  private immediate(insn: Extract<Instruction, { kind: 'ld_imm64' }>): AbsValue {
    switch (insn.pseudo) {
      case 'map_fd':
        return { k: 'map', refs: [insn.immLo >>> 0] };
      case 'map_value':
        return { k: 'mem', refs: [insn.immLo >>> 0], stage: 'value', direct: true };
      case 'func':
        return { k: 'func', target: funcTarget(insn) };
      case 'map_idx':
      case 'map_idx_value':
        // Object code before relocation; the host links programs before they get here.
        return UNKNOWN;
      case 'none':
        if (insn.immHi === 0) return constant(insn.immLo >>> 0);
        return insn.immHi === -1 && insn.immLo < 0 ? constant(insn.immLo) : SCALAR;
      default:
        return SCALAR;
    }
  }

  private alu(insn: Extract<Instruction, { kind: 'alu' }>, dst: AbsValue, src: AbsValue): AbsValue {
    if (insn.op === 'mov') {
      if (insn.width === 64) return src;
      return src.k === 'scalar' && src.c !== undefined ? constant(src.c >>> 0) : SCALAR;
    }
    if (insn.width === 32) {
      if (dst.k === 'scalar' && src.k === 'scalar' && dst.c !== undefined && src.c !== undefined) return fold(insn.op, dst.c, src.c, 32);
      return SCALAR;
    }
    if (dst.k === 'scalar' && src.k === 'scalar') {
      return dst.c !== undefined && src.c !== undefined ? fold(insn.op, dst.c, src.c, 64) : SCALAR;
    }
    if (insn.op !== 'add' && insn.op !== 'sub') return dst.k === 'none' || src.k === 'none' ? SCALAR : UNKNOWN;
    if (insn.op === 'sub' && dst.k !== 'scalar' && src.k !== 'scalar') return SCALAR;
    // Pointer plus or minus a scalar (either side for add).
    const [pointer, offset] = dst.k === 'scalar' && insn.op === 'add' ? [src, dst] : [dst, src];
    if (offset.k !== 'scalar' && offset.k !== 'none') return UNKNOWN;
    const c = offset.k === 'scalar' ? offset.c : undefined;
    switch (pointer.k) {
      case 'stack':
        return stackAt(pointer.frame, pointer.off !== undefined && c !== undefined ? pointer.off + (insn.op === 'add' ? c : -c) : undefined);
      case 'map':
        // Only the verifier's inlined lookups do arithmetic on a map pointer: this is a lookup.
        this.recorder.access(pointer.refs, 'read', insn.index);
        return this.afterMapArithmetic(pointer.refs);
      case 'mem':
        return pointer.stage === 'elem' ? { ...pointer, stage: this.afterElementArithmetic(pointer.refs) } : pointer;
      case 'ring':
        return pointer;
      case 'scalar':
      case 'none':
        return SCALAR;
      default:
        return UNKNOWN;
    }
  }

  private stackSlots(pointer: Extract<AbsValue, { k: 'stack' }>, state: FrameState, frame: Frame): Map<number, AbsValue> | undefined {
    return pointer.frame === frame.depth ? state.slots : frame.callers[pointer.frame]?.slots;
  }

  private load(base: AbsValue, off: number, size: number, insn: number, state: FrameState, frame: Frame): AbsValue {
    switch (base.k) {
      case 'stack': {
        const slots = this.stackSlots(base, state, frame);
        if (!slots) return UNKNOWN;
        if (base.off === undefined) return [...slots.values()].some((v) => refsOf(v) || v.k === 'unknown') ? UNKNOWN : SCALAR;
        const at = base.off + off;
        return size === 8 && at % 8 === 0 ? slots.get(at) ?? SCALAR : SCALAR;
      }
      case 'mem':
        return this.loadMem(base, insn);
      case 'unknown':
        this.recorder.untracked(insn, 'load through a pointer of unknown origin');
        return UNKNOWN;
      default:
        // Context, packet, kernel objects, a map's own fields (max_entries …), a ring record.
        return SCALAR;
    }
  }

  private loadMem(base: Extract<AbsValue, { k: 'mem' }>, insn: number): AbsValue {
    switch (base.stage) {
      case 'elem':
        return SCALAR;
      case 'slot':
        return this.lookupResult(base.refs);
      case 'value':
        this.recorder.access(base.refs, 'read', insn, base.direct);
        return SCALAR;
      case 'any':
        this.recorder.access(base.refs, 'read', insn, base.direct);
        return base.refs.every((r) => this.isMapInMap(r)) ? this.lookupResult(base.refs) : { k: 'mem', refs: base.refs, stage: 'any', direct: false };
    }
  }

  private store(base: AbsValue, off: number, size: number, value: AbsValue, insn: number, state: FrameState, frame: Frame): void {
    switch (base.k) {
      case 'stack': {
        if (base.frame !== frame.depth) {
          if (refsOf(value)) this.recorder.untracked(insn, 'a map pointer stored into a calling function\'s stack', refsOf(value));
          return;
        }
        if (base.off === undefined) {
          if (refsOf(value) || value.k === 'unknown') this.recorder.untracked(insn, 'a map pointer stored at a variable stack offset', refsOf(value));
          return;
        }
        this.writeStack(state, base.off + off, size, value);
        return;
      }
      case 'mem':
        if (base.stage === 'value' || base.stage === 'any') this.recorder.access(base.refs, 'write', insn, base.direct);
        return;
      case 'unknown':
        this.recorder.untracked(insn, 'store through a pointer of unknown origin');
        return;
      default:
        return;
    }
  }

  private writeStack(state: FrameState, at: number, size: number, value: AbsValue): void {
    if (at < -STACK_SIZE || at >= 0) return;
    if (size === 8 && at % 8 === 0) {
      state.slots.set(at, value);
      return;
    }
    for (let slot = slotOf(at); slot < at + size; slot += 8) state.slots.set(slot, SCALAR);
  }

  private atomic(insn: Extract<Instruction, { kind: 'atomic' }>, state: FrameState, frame: Frame): void {
    const regs = state.regs;
    const base = regs[insn.base];
    if (insn.op === 'load_acquire') {
      regs[insn.dst] = this.load(base, insn.off, insn.size, insn.index, state, frame);
      return;
    }
    this.store(base, insn.off, insn.size, insn.op === 'store_release' ? regs[insn.src] : SCALAR, insn.index, state, frame);
    if (insn.op === 'cmpxchg') regs[0] = SCALAR;
    else if (insn.fetch) regs[insn.src] = SCALAR;
  }

  private call(insn: CallInstruction, state: FrameState, frame: Frame): void {
    const regs = state.regs;
    if (insn.callee === 'subprog') {
      const args = regs.slice(1, 6);
      const result = insn.target === undefined ? UNKNOWN : this.callFunction(insn.target, args, frame.depth + 1, [...frame.callers, state], insn.index);
      this.clobber(regs, result);
      return;
    }
    const name = this.env.callName(insn);
    const helper = insn.callee === 'helper' && name !== undefined ? resolveHelper(name) : undefined;
    if (helper) {
      this.clobber(regs, this.helperCall(helper, insn.index, state, frame));
      return;
    }
    // A kfunc, or a call we cannot name: memory its prototype says it only reads is read; maps
    // handed to it otherwise are flows we cannot follow.
    const params = name !== undefined && insn.callee === 'kfunc' ? this.env.kfuncParams?.(name) : undefined;
    const what = name ?? `an unresolved ${insn.callee} call`;
    const refs: number[] = [];
    for (let r = 1; r <= (params?.length ?? 5); r++) {
      if (params?.[r - 1] === 'reads') this.touch(regs[r], 'read', insn.index, what, state, frame);
      else refs.push(...(refsOf(regs[r]) ?? []));
    }
    if (refs.length > 0) this.recorder.untracked(insn.index, `map passed to ${what}, whose effect on it is not known`, refs);
    this.clobber(regs, refs.length > 0 ? UNKNOWN : SCALAR);
  }

  private clobber(regs: AbsValue[], r0: AbsValue): void {
    regs[0] = r0;
    for (let r = 1; r <= 5; r++) regs[r] = NONE;
  }

  private helperCall({ name, effect, arity }: ResolvedHelper, at: number, state: FrameState, frame: Frame): AbsValue {
    const regs = state.regs;
    const pointers = helperReference(name)?.pointerArgs;
    let mapRefs: MapRefs | undefined;
    let ringRefs: MapRefs | undefined;
    for (let r = 1; r <= arity; r++) {
      const v = regs[r];
      const role = effect.roles[r];
      switch (role) {
        case 'map': {
          const refs = v.k === 'map' ? v.refs : undefined;
          if (!refs) {
            this.recorder.untracked(at, `${name} on a map that could not be identified`, refsOf(v));
            break;
          }
          mapRefs = refs;
          if (effect.onMap) this.recorder.access(refs, effect.onMap, at);
          const flag = effect.createFlag && regs[effect.createFlag.arg];
          if (effect.createFlag && flag?.k === 'scalar' && flag.c !== undefined && (flag.c & effect.createFlag.bit) !== 0) this.recorder.access(refs, 'write', at);
          break;
        }
        case 'out':
          this.touch(v, 'write', at, name, state, frame);
          break;
        case 'value':
          if (v.k === 'mem') this.recorder.access(v.refs, 'write', at);
          else if (v.k === 'unknown') this.recorder.untracked(at, `${name} on a map value of unknown origin`);
          break;
        case 'ring':
          if (v.k === 'ring') ringRefs = v.refs;
          else if (effect.submits) this.recorder.untracked(at, `${name} of a ring buffer record of unknown origin`, refsOf(v));
          break;
        case 'ring-dynptr': {
          const held = v.k === 'stack' && v.off !== undefined ? this.stackSlots(v, state, frame)?.get(v.off) : undefined;
          if (held?.k === 'ring') ringRefs = held.refs;
          else if (effect.submits && (held === undefined || held.k === 'unknown')) this.recorder.untracked(at, `${name} of a dynptr whose ring buffer is not known`);
          break;
        }
        case 'dynptr-init':
          if (v.k === 'stack' && v.frame === frame.depth && v.off !== undefined && mapRefs) this.writeStack(state, v.off, 8, { k: 'ring', refs: mapRefs });
          break;
        case 'callback':
          this.callback(v, effect.callback ?? [], at, state, frame);
          break;
        default:
          if (pointers?.[r - 1]) this.touch(v, 'read', at, name, state, frame);
      }
    }
    if (effect.submits && ringRefs) this.recorder.access(ringRefs, 'emit', at);
    switch (effect.returns) {
      case 'lookup':
        return mapRefs ? this.lookupResult(mapRefs) : UNKNOWN;
      case 'element':
        return mapRefs ? { k: 'mem', refs: mapRefs, stage: 'elem', direct: false } : UNKNOWN;
      case 'ring':
        return mapRefs ? { k: 'ring', refs: mapRefs } : UNKNOWN;
      case 'dynptr-data':
        return ringRefs ? { k: 'ring', refs: ringRefs } : SCALAR;
      default:
        return SCALAR;
    }
  }

  /** Memory a helper reads or fills: a map value is a read or a write of its map. */
  private touch(v: AbsValue, kind: AccessKind, at: number, name: string, state: FrameState, frame: Frame): void {
    switch (v.k) {
      case 'mem':
        if (v.stage === 'value' || v.stage === 'any') this.recorder.access(v.refs, kind, at, v.direct);
        return;
      case 'map':
        this.recorder.untracked(at, `map passed to ${name} as memory`, v.refs);
        return;
      case 'unknown':
        this.recorder.untracked(at, `${name} ${kind === 'write' ? 'fills' : 'reads'} memory of unknown origin`);
        return;
      case 'stack':
        // A filled stack buffer no longer holds the pointers spilled there.
        if (kind === 'write' && v.frame === frame.depth) {
          for (const [off, held] of state.slots) if (v.off === undefined || off >= slotOf(v.off)) if (refsOf(held)) state.slots.set(off, SCALAR);
        }
        return;
      default:
        return;
    }
  }

  private callback(fn: AbsValue, params: readonly CallbackArg[], at: number, state: FrameState, frame: Frame): void {
    if (fn.k !== 'func') {
      this.recorder.untracked(at, 'callback of unknown origin');
      return;
    }
    const regs = state.regs;
    const args = params.map((p): AbsValue => {
      if (p.from === 'scalar') return SCALAR;
      const v = regs[p.arg];
      if (p.from === 'arg') return v;
      const refs = refsOf(v);
      if (!refs) return UNKNOWN;
      return p.from === 'map-of' ? { k: 'map', refs } : { k: 'mem', refs, stage: 'value', direct: false };
    });
    this.callFunction(fn.target, args, frame.depth + 1, [...frame.callers, state], at);
  }
}

function fold(op: string, a: number, b: number, width: 32 | 64): AbsValue {
  let r: number;
  switch (op) {
    case 'add': r = a + b; break;
    case 'sub': r = a - b; break;
    case 'mul': r = a * b; break;
    case 'and': r = Number(BigInt(a) & BigInt(b)); break;
    case 'or': r = Number(BigInt(a) | BigInt(b)); break;
    case 'xor': r = Number(BigInt(a) ^ BigInt(b)); break;
    case 'lsh': r = b >= 0 && b < 32 ? a * 2 ** b : NaN; break;
    default: return SCALAR;
  }
  return constant(width === 32 ? r >>> 0 : r);
}

/** Which maps a program reads, writes, emits to and jumps through, found from its instructions. */
export function analyzeMapAccess(input: AccessInput, env: AccessEnvironment): MapAccessReport {
  const program = programBlocks(input.insns, input.decode);
  const recorder = new AccessRecorder();
  const interpreter = new Interpreter(program, env, recorder, input.maxSteps ?? DEFAULT_MAX_STEPS);
  let complete = true;
  try {
    if (program.insns.length > 0) {
      interpreter.callFunction(0, [SCALAR, NONE, NONE, NONE, NONE], 0, [], 0);
      // Callbacks no call reached (kfunc callbacks): their arguments may be anything.
      for (const target of program.funcRefs) {
        if (!interpreter.entered.has(target)) interpreter.callFunction(target, [UNKNOWN, UNKNOWN, UNKNOWN, UNKNOWN, UNKNOWN], 1, [], target);
      }
    }
  } catch (error) {
    if (!(error instanceof StepLimit)) throw error;
    complete = false;
    recorder.untracked(0, `analysis stopped after ${input.maxSteps ?? DEFAULT_MAX_STEPS} steps; accesses past that point are not listed`);
  }
  return { maps: recorder.maps(), untracked: recorder.untrackedFlows(), complete, steps: interpreter.stepCount };
}
