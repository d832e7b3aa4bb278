// The bytecode lines the renderer holds: pages of display lines around what is on
// screen (a bounded cache), never the whole listing; a jump's target is located by
// the host, which knows on which line each instruction is.
import type { BpfscopeApi } from '../../../../main/api/contract.js';
import { toErrorData, type ApiErrorData } from '../../../../main/api/errors.js';
import { listingLines, type ListingLine } from './listing-lines.js';

export const PAGE_LINES = 200;
const MAX_PAGES = 20;

export class ListingPager {
  /** Display lines in the whole listing; null until the first page arrives. */
  lineCount = $state<number | null>(null);
  pages = $state.raw(new Map<number, ListingLine[]>());
  /** Line to scroll to (a located instruction). */
  focus = $state<number | undefined>();
  error = $state.raw<ApiErrorData | null>(null);
  /** The first line on screen. */
  firstVisible = 0;
  private loading = new Set<number>();

  constructor(private readonly api: BpfscopeApi, private readonly host: string, private readonly id: number) {
    this.load(0);
  }

  line(index: number): ListingLine | undefined {
    return this.pages.get(Math.floor(index / PAGE_LINES))?.[index % PAGE_LINES];
  }

  /** Loads the pages covering lines [first, last). */
  want(first: number, last: number): void {
    this.firstVisible = first;
    for (let page = Math.floor(first / PAGE_LINES); page * PAGE_LINES < last; page++) this.load(page);
  }

  /** Scrolls to display line `line`, again if it was the last one shown (the view may have moved since). */
  show(line: number): void {
    this.focus = undefined;
    this.focus = line;
  }

  /** Scrolls to the instruction starting at slot `index`. */
  locate(index: number): void {
    this.api.readProgramListing({ host: this.host, id: this.id, line: 0, count: 0, insn: index }).then(
      (page) => (this.focus = page.insnLine),
      (e: unknown) => (this.error = toErrorData(e)),
    );
  }

  private load(page: number): void {
    if (this.pages.has(page) || this.loading.has(page)) return;
    this.loading.add(page);
    const start = page * PAGE_LINES;
    this.api.readProgramListing({ host: this.host, id: this.id, line: start, count: PAGE_LINES }).then(
      (result) => {
        this.loading.delete(page);
        // The first row may begin before the page (its header or source line on the page before).
        const lines = listingLines(result.rows);
        const pages = new Map(this.pages);
        pages.set(page, lines.slice(start - result.firstLine, start - result.firstLine + PAGE_LINES));
        while (pages.size > MAX_PAGES) pages.delete(pages.keys().next().value as number);
        this.pages = pages;
        this.lineCount = result.lineCount;
      },
      (e: unknown) => {
        this.loading.delete(page);
        this.error = toErrorData(e);
      },
    );
  }
}
