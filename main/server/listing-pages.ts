// Pages of a listing as the bytecode view shows it: display lines, where an instruction
// takes one line, plus one for its function header and one for its source line when it has
// them. A page is the instructions whose lines meet a range of display lines; the renderer
// expands each row into its lines again. Made from the listing's typed arrays once.
import { listingToJson, type JsonListingEntry, type ListingRows } from '../kernel/isa/index.js';

export interface ListingPage {
  /** Instructions in the program. */
  readonly length: number;
  /** Display lines in the whole listing. */
  readonly lineCount: number;
  /** Display line of the first row's first line (its header, source or instruction). */
  readonly firstLine: number;
  readonly rows: JsonListingEntry[];
  /** Display line of the instruction asked for by index. */
  readonly insnLine?: number;
}

export class ListingPages {
  /** Per position: its first display line; one more at the end, the line count. */
  private readonly lineStarts: Int32Array;

  constructor(private readonly listing: ListingRows & { positionOf(index: number): number }) {
    const starts = new Int32Array(listing.length + 1);
    let line = 0;
    for (let p = 0; p < listing.length; p++) {
      starts[p] = line;
      line += 1 + (listing.funcHeader(p) === undefined ? 0 : 1) + (listing.source(p) === undefined ? 0 : 1);
    }
    starts[listing.length] = line;
    this.lineStarts = starts;
  }

  get lineCount(): number {
    return this.lineStarts[this.listing.length];
  }

  /** The first display line of the instruction at `position` (its header, source or itself); the line count past the end. */
  firstLine(position: number): number {
    return this.lineStarts[position];
  }

  /** The position whose lines include `line` (the last position for lines past the end). */
  positionAtLine(line: number): number {
    let low = 0;
    let high = this.listing.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >>> 1;
      if (this.lineStarts[mid] <= line) low = mid;
      else high = mid - 1;
    }
    return low;
  }

  /** The instructions whose lines meet lines `line`..`line + count` (exclusive). */
  page(line: number, count: number): ListingPage {
    const { length } = this.listing;
    const from = Math.min(this.positionAtLine(line), length);
    const last = Math.min(line + count, this.lineCount) - 1;
    const to = count === 0 || last < line ? from : this.positionAtLine(last) + 1;
    return { length, lineCount: this.lineCount, firstLine: this.lineStarts[from] ?? this.lineCount, rows: listingToJson(this.listing, from, to) };
  }

  /** The page starting at the instruction `index` (a slot), with `count` lines; undefined if no instruction starts there. */
  pageAtInstruction(index: number, count: number): ListingPage | undefined {
    const position = this.listing.positionOf(index);
    if (position < 0 || position >= this.listing.length) return undefined;
    return { ...this.page(this.lineStarts[position], count), insnLine: this.lineStarts[position + 1] - 1 };
  }
}
