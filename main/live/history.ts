// A fixed-capacity ring of (time, value) samples for charting a series: map fields and
// sums, program run counts and times. Memory is two Float64Arrays, whatever runs through it.

export interface HistorySample {
  timeMs: number;
  value: number;
}

export const MAX_HISTORY_CAPACITY = 1 << 20;

export class HistoryRing {
  private readonly times: Float64Array;
  private readonly values: Float64Array;
  private start = 0;
  private length = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1 || capacity > MAX_HISTORY_CAPACITY) {
      throw new RangeError(`history capacity ${capacity}: want 1..${MAX_HISTORY_CAPACITY}`);
    }
    this.times = new Float64Array(capacity);
    this.values = new Float64Array(capacity);
  }

  get size(): number {
    return this.length;
  }

  /** Appends a sample, dropping the oldest when full. */
  push(timeMs: number, value: number): void {
    const at = (this.start + this.length) % this.capacity;
    this.times[at] = timeMs;
    this.values[at] = value;
    if (this.length < this.capacity) this.length++;
    else this.start = (this.start + 1) % this.capacity;
  }

  /** The i-th oldest sample (0 = oldest). */
  at(i: number): HistorySample | undefined {
    if (i < 0 || i >= this.length) return undefined;
    const j = (this.start + i) % this.capacity;
    return { timeMs: this.times[j]!, value: this.values[j]! };
  }

  latest(): HistorySample | undefined {
    return this.at(this.length - 1);
  }

  /** Oldest first, as parallel arrays (what a chart takes). */
  series(): { timesMs: number[]; values: number[] } {
    const timesMs: number[] = new Array(this.length);
    const values: number[] = new Array(this.length);
    for (let i = 0; i < this.length; i++) {
      const j = (this.start + i) % this.capacity;
      timesMs[i] = this.times[j]!;
      values[i] = this.values[j]!;
    }
    return { timesMs, values };
  }

  /** Change per second between the two latest samples, or undefined with fewer than two. */
  ratePerSecond(): number | undefined {
    if (this.length < 2) return undefined;
    const a = this.at(this.length - 2)!;
    const b = this.at(this.length - 1)!;
    return b.timeMs > a.timeMs ? ((b.value - a.value) * 1000) / (b.timeMs - a.timeMs) : undefined;
  }

  clear(): void {
    this.start = 0;
    this.length = 0;
  }
}
