// The abstract values of the map-access analysis: what a register or a spilled stack slot may
// hold, as far as maps are concerned. A join of two values is their least upper bound:
//
//              unknown                       (could be anything, including a map pointer)
//     /     /     |      \        \
//  scalar stack  map     mem      ring  func (pointers of one kind, sets of maps)
//    |
//  const n
//     \     \     |      /        /
//               none                         (not set on any path yet)
//
// The constant 0 joins with a pointer as that pointer (`p = NULL` on one path, a lookup on the
// other), which is how the verifier's null checks look from here.

/**
 * Which maps a pointer refers to. A positive number is a map id; `-id` stands for "a map held
 * in the map-in-map `id`" (which one is known only at run time).
 */
export type MapRefs = readonly number[];

/**
 * How far an inlined lookup has got. The verifier replaces array lookups, and the first step of
 * hash lookups, with instructions that walk the map's own structures; those walks are not the
 * program's accesses, the pointer they end with is.
 * - `value`: a map value (or global data) the program reads and writes.
 * - `elem`:  a hash element (`__htab_map_lookup_elem`'s result): key, LRU bits, then the value.
 * - `slot`:  a slot holding a pointer to the value (per-CPU maps) or to an inner map (map-in-map).
 * - `any`:   one of these, not known which (an inner map of unknown type, paths that disagree):
 *            its loads and stores count as the program's.
 */
export type MemStage = 'value' | 'elem' | 'slot' | 'any';

export type AbsValue =
  | { readonly k: 'none' }
  | { readonly k: 'scalar'; readonly c?: number }
  | { readonly k: 'stack'; readonly frame: number; readonly off?: number }
  | { readonly k: 'map'; readonly refs: MapRefs }
  | { readonly k: 'mem'; readonly refs: MapRefs; readonly stage: MemStage; readonly direct: boolean }
  | { readonly k: 'ring'; readonly refs: MapRefs }
  | { readonly k: 'func'; readonly target: number }
  | { readonly k: 'unknown' };

/** More maps than this in one value is no longer worth telling apart. */
const MAX_REFS = 16;
/** Constants are tracked while they stay small integers (offsets, flags, indexes). */
const MAX_CONST = 2 ** 31;

export const NONE: AbsValue = { k: 'none' };
export const SCALAR: AbsValue = { k: 'scalar' };
export const UNKNOWN: AbsValue = { k: 'unknown' };

export function constant(c: number): AbsValue {
  return Number.isSafeInteger(c) && Math.abs(c) < MAX_CONST ? { k: 'scalar', c } : SCALAR;
}

export function stackAt(frame: number, off: number | undefined): AbsValue {
  return off === undefined ? { k: 'stack', frame } : { k: 'stack', frame, off };
}

/** True for values that carry a map identity (pointers to maps, into maps, ring records). */
export function refsOf(v: AbsValue): MapRefs | undefined {
  return v.k === 'map' || v.k === 'mem' || v.k === 'ring' ? v.refs : undefined;
}

function unionRefs(a: MapRefs, b: MapRefs): MapRefs | undefined {
  if (a === b) return a;
  const out = [...new Set([...a, ...b])].sort((x, y) => x - y);
  return out.length > MAX_REFS ? undefined : out;
}

function sameRefs(a: MapRefs, b: MapRefs): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function sameValue(a: AbsValue, b: AbsValue): boolean {
  if (a === b) return true;
  switch (a.k) {
    case 'none':
    case 'unknown':
      return a.k === b.k;
    case 'scalar':
      return b.k === 'scalar' && a.c === b.c;
    case 'stack':
      return b.k === 'stack' && a.frame === b.frame && a.off === b.off;
    case 'map':
    case 'ring':
      return b.k === a.k && sameRefs(a.refs, b.refs);
    case 'mem':
      return b.k === 'mem' && a.stage === b.stage && a.direct === b.direct && sameRefs(a.refs, b.refs);
    case 'func':
      return b.k === 'func' && a.target === b.target;
  }
}

function isNull(v: AbsValue): boolean {
  return v.k === 'scalar' && v.c === 0;
}

function isPointer(v: AbsValue): boolean {
  return v.k === 'stack' || v.k === 'map' || v.k === 'mem' || v.k === 'ring' || v.k === 'func';
}

function joinStage(a: MemStage, b: MemStage): MemStage {
  return a === b ? a : 'any';
}

export function join(a: AbsValue, b: AbsValue): AbsValue {
  if (sameValue(a, b)) return a;
  if (a.k === 'none') return b;
  if (b.k === 'none') return a;
  if (a.k === 'unknown' || b.k === 'unknown') return UNKNOWN;
  if (isNull(a) && isPointer(b)) return b;
  if (isNull(b) && isPointer(a)) return a;
  if (a.k === 'scalar' && b.k === 'scalar') return SCALAR;
  if (a.k === 'stack' && b.k === 'stack') return a.frame === b.frame ? stackAt(a.frame, undefined) : UNKNOWN;
  if ((a.k === 'map' && b.k === 'map') || (a.k === 'ring' && b.k === 'ring')) {
    const refs = unionRefs(a.refs, b.refs);
    return refs ? { k: a.k, refs } : UNKNOWN;
  }
  if (a.k === 'mem' && b.k === 'mem') {
    const refs = unionRefs(a.refs, b.refs);
    return refs ? { k: 'mem', refs, stage: joinStage(a.stage, b.stage), direct: a.direct && b.direct } : UNKNOWN;
  }
  return UNKNOWN;
}

/** A short stable text of a value, for memo keys. */
export function valueKey(v: AbsValue): string {
  switch (v.k) {
    case 'none':
    case 'unknown':
      return v.k;
    case 'scalar':
      return v.c === undefined ? 's' : `s${v.c}`;
    case 'stack':
      return `st${v.frame}:${v.off ?? '?'}`;
    case 'map':
    case 'ring':
      return `${v.k}${v.refs.join(',')}`;
    case 'mem':
      return `mem${v.stage}${v.direct ? 'd' : ''}${v.refs.join(',')}`;
    case 'func':
      return `f${v.target}`;
  }
}

/** Registers r0..r10 and the 8-byte stack slots of one frame (by offset from r10, negative). */
export class FrameState {
  constructor(
    readonly regs: AbsValue[],
    readonly slots: Map<number, AbsValue>,
  ) {}

  static entry(frame: number, args: readonly AbsValue[]): FrameState {
    const regs: AbsValue[] = new Array<AbsValue>(11).fill(NONE);
    args.forEach((v, i) => (regs[i + 1] = v));
    regs[10] = stackAt(frame, 0);
    return new FrameState(regs, new Map());
  }

  clone(): FrameState {
    return new FrameState(this.regs.slice(), new Map(this.slots));
  }

  /** Joins `other` into this state; true when anything changed. */
  joinFrom(other: FrameState): boolean {
    let changed = false;
    for (let r = 0; r < 11; r++) {
      const joined = join(this.regs[r], other.regs[r]);
      if (!sameValue(joined, this.regs[r])) {
        this.regs[r] = joined;
        changed = true;
      }
    }
    for (const [off, v] of other.slots) {
      const mine = this.slots.get(off) ?? NONE;
      const joined = join(mine, v);
      if (!sameValue(joined, mine)) {
        this.slots.set(off, joined);
        changed = true;
      }
    }
    return changed;
  }
}
