// The histories of many series sampled at the same instants (every program of a host, one
// point each per tick): one time ring shared by all, and per field one Float32 block laid
// out row after row, so a tick writes contiguous memory and allocates nothing. Series live
// in numbered slots that the owner hands out; a slot started again forgets its old points.
import type { SeriesColumns } from './series-ring.js';

export class SeriesBlock<F extends string> {
  readonly fields: readonly F[];
  /** Rows (ticks) kept. */
  readonly capacity: number;
  private slotCapacity = 0;
  private readonly times: Float64Array;
  /** Per field: capacity rows of slotCapacity values. */
  private columns: Float32Array[];
  /** Per slot: the number of the first row that holds its points; Infinity while it has none. */
  private firstRow = new Float64Array(0);
  /** Rows begun so far; the current one is rows - 1. */
  private rows = 0;
  private rowOffset = 0;

  constructor(fields: readonly F[], capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`series block: bad capacity ${capacity}`);
    this.fields = fields;
    this.capacity = capacity;
    this.times = new Float64Array(capacity);
    this.columns = fields.map(() => new Float32Array(0));
  }

  get slots(): number {
    return this.slotCapacity;
  }

  /** Bytes held by the arrays. */
  get byteLength(): number {
    return this.times.byteLength + this.firstRow.byteLength + this.columns.reduce((sum, c) => sum + c.byteLength, 0);
  }

  /** Makes room for slots 0 … count - 1, keeping every point. */
  reserve(count: number): void {
    if (count <= this.slotCapacity) return;
    const old = this.slotCapacity;
    this.columns = this.columns.map((column) => {
      const grown = new Float32Array(this.capacity * count);
      for (let row = 0; row < this.capacity; row++) grown.set(column.subarray(row * old, (row + 1) * old), row * count);
      return grown;
    });
    const firstRow = new Float64Array(count).fill(Infinity);
    firstRow.set(this.firstRow);
    this.firstRow = firstRow;
    this.slotCapacity = count;
    this.rowOffset = ((this.rows - 1 + this.capacity) % this.capacity) * count;
  }

  /** A series starts in the slot: its points are those of rows begun from now on. */
  start(slot: number): void {
    this.firstRow[slot] = this.rows;
  }

  /** Starts a row at timeMs (overwriting the oldest when full); set() fills it. */
  beginRow(timeMs: number): void {
    const row = this.rows % this.capacity;
    this.times[row] = timeMs;
    this.rowOffset = row * this.slotCapacity;
    this.rows++;
  }

  /** A value in the current row; field is an index into fields. */
  set(slot: number, field: number, value: number): void {
    this.columns[field]![this.rowOffset + slot] = value;
  }

  /** The slot's points in time order, those at or after sinceMs when given; undefined without any. */
  series(slot: number, sinceMs = -Infinity): SeriesColumns<F> | undefined {
    const first = Math.max(this.firstRow[slot] ?? Infinity, this.rows - this.capacity);
    if (!(first < this.rows)) return undefined;
    const out: Record<string, number[]> = { timeMs: [] };
    for (const field of this.fields) out[field] = [];
    for (let row = first; row < this.rows; row++) {
      const at = row % this.capacity;
      if (this.times[at]! < sinceMs) continue;
      out.timeMs!.push(this.times[at]!);
      for (let f = 0; f < this.fields.length; f++) out[this.fields[f]!]!.push(this.columns[f]![at * this.slotCapacity + slot]!);
    }
    return out as SeriesColumns<F>;
  }
}
