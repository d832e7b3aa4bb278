// A bounded history of numeric samples: one time column and one column per field,
// in typed arrays allocated once, so memory is fixed by capacity × fields.

export type SeriesColumns<F extends string> = { timeMs: number[] } & { [K in F]: number[] };

export class SeriesRing<F extends string> {
  readonly fields: readonly F[];
  readonly capacity: number;
  private readonly times: Float64Array;
  /** Float32: charts need ~7 significant digits, and it halves the history's memory. */
  private readonly columns: Float32Array[];
  private next = 0;
  private count = 0;

  constructor(fields: readonly F[], capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`series ring: bad capacity ${capacity}`);
    this.fields = fields;
    this.capacity = capacity;
    this.times = new Float64Array(capacity);
    this.columns = fields.map(() => new Float32Array(capacity));
  }

  get length(): number {
    return this.count;
  }

  /** Bytes held by the arrays. */
  get byteLength(): number {
    return this.times.byteLength + this.columns.reduce((sum, c) => sum + c.byteLength, 0);
  }

  push(timeMs: number, values: Readonly<Record<F, number>>): void {
    this.times[this.next] = timeMs;
    for (let f = 0; f < this.fields.length; f++) this.columns[f]![this.next] = values[this.fields[f]!];
    this.next = (this.next + 1) % this.capacity;
    if (this.count < this.capacity) this.count++;
  }

  /** Samples in time order, those at or after sinceMs when given. */
  toColumns(sinceMs = -Infinity): SeriesColumns<F> {
    const out: Record<string, number[]> = { timeMs: [] };
    for (const field of this.fields) out[field] = [];
    const first = (this.next - this.count + this.capacity) % this.capacity;
    for (let i = 0; i < this.count; i++) {
      const slot = (first + i) % this.capacity;
      if (this.times[slot]! < sinceMs) continue;
      out.timeMs!.push(this.times[slot]!);
      for (let f = 0; f < this.fields.length; f++) out[this.fields[f]!]!.push(this.columns[f]![slot]!);
    }
    return out as SeriesColumns<F>;
  }
}
