// The per-program state of ProgramSampler, kept in reusable slots.
import type { Owner } from '../kernel/info/index.js';

/** The history kept beside the slots (series-block.ts): grows and restarts with them. */
export interface SlotHistory {
  reserve(count: number): void;
  start(slot: number): void;
}

/**
 * What the sampler keeps per program, in slots: typed arrays indexed by slot (counters of the
 * last reading, tag) and plain arrays for what is computed once per program (strings, owners).
 * A vanished program's slot is reused by the next new one.
 */
export class ProgramSlots {
  readonly slotOf = new Map<number, number>();
  ids = new Uint32Array(0);
  runCnt = new Float64Array(0);
  runTimeNs = new Float64Array(0);
  recursionMisses = new Float64Array(0);
  tagHigh = new Uint32Array(0);
  tagLow = new Uint32Array(0);
  /** The sample that last saw the slot's program. */
  seen = new Uint32Array(0);
  readonly names: string[] = [];
  readonly tags: string[] = [];
  readonly types: string[] = [];
  readonly owners: Owner[][] = [];
  private readonly free: number[] = [];
  private used = 0;

  get capacity(): number {
    return this.ids.length;
  }

  /** A slot for a new program; grows the arrays (and history) when none is free. */
  allocate(id: number, history: SlotHistory, minCapacity: number): number {
    let slot = this.free.pop();
    if (slot === undefined) {
      slot = this.used++;
      if (slot >= this.capacity) this.grow(Math.max(Math.ceil(this.capacity * 1.5), minCapacity, slot + 1), history);
    }
    this.slotOf.set(id, slot);
    this.ids[slot] = id;
    history.start(slot);
    return slot;
  }

  release(slot: number): void {
    this.slotOf.delete(this.ids[slot]!);
    this.owners[slot] = [];
    this.free.push(slot);
  }

  private grow(capacity: number, history: SlotHistory): void {
    const grown = <T extends Float64Array | Uint32Array>(old: T, make: (n: number) => T): T => {
      const next = make(capacity);
      next.set(old);
      return next;
    };
    const f64 = (n: number) => new Float64Array(n);
    const u32 = (n: number) => new Uint32Array(n);
    this.ids = grown(this.ids, u32);
    this.runCnt = grown(this.runCnt, f64);
    this.runTimeNs = grown(this.runTimeNs, f64);
    this.recursionMisses = grown(this.recursionMisses, f64);
    this.tagHigh = grown(this.tagHigh, u32);
    this.tagLow = grown(this.tagLow, u32);
    this.seen = grown(this.seen, u32);
    history.reserve(capacity);
  }
}
