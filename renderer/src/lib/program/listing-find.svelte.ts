// Find in the bytecode listing: the host searches its display lines (the renderer holds a
// few pages only) and answers with the next or previous matching line and the count of
// matches; the view scrolls to that line and marks it.
import type { BpfscopeApi } from '../../../../main/api/contract.js';
import { toErrorData, type ApiErrorData } from '../../../../main/api/errors.js';
import type { ListingSearchView } from '../../../../main/api/view-records.js';

const count = (n: number): string => n.toLocaleString('en-US');

/** "k of n", "no match", or where the match lies when it is past the counted ones. */
export function findStatus(result: ListingSearchView): string {
  if (result.line === undefined) return 'no match';
  const total = `${count(result.matches)}${result.more ? '+' : ''}`;
  return result.ordinal === undefined ? `past ${count(result.matches)} of ${total}` : `${count(result.ordinal)} of ${total}`;
}

export class ListingFind {
  query = $state('');
  caseSensitive = $state(false);
  /** The answer for the current query; null before a search or once the query changes. */
  result = $state.raw<ListingSearchView | null>(null);
  searching = $state(false);
  error = $state.raw<ApiErrorData | null>(null);
  /** Display line of the current match, marked in the view. */
  readonly line = $derived(this.result?.line);
  readonly status = $derived(this.result ? findStatus(this.result) : '');
  /** Answers to asks made before the query last changed are dropped. */
  private edits = 0;
  private queue: Promise<void> = Promise.resolve();
  /** Steps asked and not yet answered. */
  private waiting = 0;
  /** A found line not yet brought into the page's view (the listing may be below the fold). */
  private unrevealed: number | undefined;

  constructor(
    private readonly api: BpfscopeApi,
    private readonly host: string,
    private readonly id: number,
    /** Scrolls the view to a found line. */
    private readonly show: (line: number) => void,
    /** The first line on screen: where a new search starts. */
    private readonly firstVisible: () => number,
  ) {}

  /** The query or case changed: the last answer no longer holds. */
  edited(): void {
    this.edits++;
    this.result = null;
    this.error = null;
    this.searching = false;
  }

  /** Goes to the next match (the previous one, `backwards`) from the current match, else from the screen's top line. */
  step(backwards = false): void {
    if (this.query === '') return;
    // Steps asked in quick succession go one after the other, each from where the last one landed.
    const edits = this.edits;
    this.waiting++;
    this.searching = true;
    this.queue = this.queue.then(async () => {
      if (edits === this.edits) await this.ask(backwards, edits);
      if (--this.waiting === 0) this.searching = false;
    });
  }

  private async ask(backwards: boolean, edits: number): Promise<void> {
    const current = this.result?.line;
    const from = current ?? (backwards ? this.firstVisible() : this.firstVisible() - 1);
    try {
      const result = await this.api.searchProgramListing({ host: this.host, id: this.id, query: this.query, from, backwards, caseSensitive: this.caseSensitive });
      if (edits !== this.edits) return;
      this.error = null;
      this.result = result;
      if (result.line === undefined) return;
      this.unrevealed = result.line;
      this.show(result.line);
    } catch (e) {
      if (edits === this.edits) this.error = toErrorData(e);
    }
  }

  /** Whether line `line`, just drawn, is a found line to bring into view (once: later redraws leave the page where the user put it). */
  reveal(line: number): boolean {
    if (line !== this.unrevealed) return false;
    this.unrevealed = undefined;
    return true;
  }

  clear(): void {
    this.query = '';
    this.edited();
  }
}
