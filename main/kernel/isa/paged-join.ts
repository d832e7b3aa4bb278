// Long texts built from millions of short pieces (a 1 M-instruction listing is ~40 MB of text):
// pieces are joined a page at a time as they come, so each page is one flat string and the
// pieces die young, instead of millions of strings living on until one final join.

const PAGE_PIECES = 1024;

export class PagedJoin {
  private readonly pages: string[] = [];
  private pieces: string[] = [];

  constructor(private readonly separator: string) {}

  push(piece: string): void {
    this.pieces.push(piece);
    if (this.pieces.length === PAGE_PIECES) {
      this.pages.push(this.pieces.join(this.separator));
      this.pieces = [];
    }
  }

  get empty(): boolean {
    return this.pages.length === 0 && this.pieces.length === 0;
  }

  /** Every piece pushed, joined by the separator. */
  join(): string {
    if (this.pieces.length > 0) this.pages.push(this.pieces.join(this.separator));
    this.pieces = [];
    return this.pages.join(this.separator);
  }
}
