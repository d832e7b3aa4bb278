// Text search in a listing's display lines (main/server/listing-pages.ts): the next or
// previous line holding the query, and how many lines hold it, counted up to a limit.
// Lines are read row by row through the listing's on-demand text, never as one string,
// and the scan gives the event loop back every few milliseconds: a 1 M-instruction
// listing takes a second or so to walk. The first MATCH_COUNT_LIMIT matches of the last
// few queries are kept, so stepping through them is a binary search.
import type { ListingRows } from '../kernel/isa/index.js';
import { TimeSlices } from '../hosts/time-slices.js';
import type { ListingPages } from './listing-pages.js';

/** Matches counted at most; past it the count says "more". */
export const MATCH_COUNT_LIMIT = 10_000;
/** Queries whose matches are kept per listing. */
const CACHED_QUERIES = 4;
/** Longest run of scanning before the event loop gets a turn. */
const SLICE_MS = 4;
/** Rows scanned between two looks at the clock. */
const ROWS_PER_CHECK = 512;

export interface ListingSearchRequest {
  query: string;
  /** The line to search after (before, backwards); default: before the first line (after the last). */
  from?: number | undefined;
  backwards?: boolean | undefined;
  caseSensitive?: boolean | undefined;
}

export interface ListingSearchResult {
  /** Display line of the match found; absent when no line matches. */
  line?: number;
  /** 1-based place of that match among all matches; absent when it lies past the counted ones. */
  ordinal?: number;
  /** Lines matching, counted up to MATCH_COUNT_LIMIT. */
  matches: number;
  /** Counting stopped at the limit: more lines match. */
  more: boolean;
  /** The search went past the end (the start, backwards) and came round. */
  wrapped: boolean;
}

/** The first matches of one query: every match before `knownEnd` is in `lines`. */
interface MatchPrefix {
  readonly lines: Int32Array;
  /** Lines before this are all accounted for; the line count when the count is complete. */
  readonly knownEnd: number;
  readonly more: boolean;
}

/** A line matcher: the query as the user typed it, case folded unless asked otherwise. */
function matcherOf(query: string, caseSensitive: boolean): (text: string) => boolean {
  // A query with nothing to fold (no letters) is matched as is: includes() is the faster test.
  if (caseSensitive || query.toLowerCase() === query.toUpperCase()) return (text) => text.includes(query);
  const pattern = new RegExp(query.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'i');
  return (text) => pattern.test(text);
}

/** First index in sorted `lines` whose value is greater than `line` (lines.length if none). */
function firstAfter(lines: Int32Array, line: number): number {
  let low = 0;
  let high = lines.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (lines[mid] <= line) low = mid + 1;
    else high = mid;
  }
  return low;
}

export class ListingSearch {
  /** Kept match prefixes by query key, least recently used first. */
  private readonly prefixes = new Map<string, Promise<MatchPrefix>>();

  constructor(private readonly listing: ListingRows, private readonly pages: ListingPages) {}

  async search(request: ListingSearchRequest, signal?: AbortSignal): Promise<ListingSearchResult> {
    const caseSensitive = request.caseSensitive ?? false;
    const matches = matcherOf(request.query, caseSensitive);
    const prefix = await this.prefix(request.query, caseSensitive, matches);
    const lineCount = this.pages.lineCount;
    const count = { matches: prefix.lines.length, more: prefix.more };
    const found = (line: number | undefined, wrapped: boolean): ListingSearchResult => {
      if (line === undefined) return { ...count, wrapped: false };
      const at = firstAfter(prefix.lines, line) - 1;
      return { line, ...(line < prefix.knownEnd && at >= 0 ? { ordinal: at + 1 } : {}), ...count, wrapped };
    };
    if (prefix.lines.length === 0 && !prefix.more) return found(undefined, false);
    const { lines, knownEnd } = prefix;

    if (!request.backwards) {
      const from = Math.max(-1, request.from ?? -1);
      const next = firstAfter(lines, from);
      if (next < lines.length) return found(lines[next], false);
      const beyond = await this.scan(Math.max(from + 1, knownEnd), lineCount, false, matches, signal);
      // Past the last match: round to the first, which is always known.
      return beyond === undefined ? found(lines[0], true) : found(beyond, false);
    }
    const from = Math.min(lineCount, request.from ?? lineCount);
    if (from > knownEnd) {
      const between = await this.scan(knownEnd, from, true, matches, signal);
      if (between !== undefined) return found(between, false);
    }
    const before = firstAfter(lines, Math.min(from, knownEnd) - 1) - 1;
    if (before >= 0) return found(lines[before], false);
    // Before the first match: round to the last one, found from the end when not all are known.
    const last = prefix.more ? await this.scan(knownEnd, lineCount, true, matches, signal) : lines[lines.length - 1];
    return found(last, true);
  }

  private prefix(query: string, caseSensitive: boolean, matches: (text: string) => boolean): Promise<MatchPrefix> {
    const key = `${caseSensitive ? 'c' : 'i'}${query}`;
    const kept = this.prefixes.get(key);
    if (kept) {
      this.prefixes.delete(key);
      this.prefixes.set(key, kept);
      return kept;
    }
    // Not cut short by the asker going away: the count is one bounded pass, kept for the next ask.
    const counting = this.count(matches);
    this.prefixes.set(key, counting);
    while (this.prefixes.size > CACHED_QUERIES) this.prefixes.delete(this.prefixes.keys().next().value as string);
    counting.catch(() => {
      if (this.prefixes.get(key) === counting) this.prefixes.delete(key);
    });
    return counting;
  }

  /** The first MATCH_COUNT_LIMIT matching lines, and where the next one is if there are more. */
  private async count(matches: (text: string) => boolean): Promise<MatchPrefix> {
    const lines = new Int32Array(MATCH_COUNT_LIMIT);
    let found = 0;
    let knownEnd = this.pages.lineCount;
    await this.walk(0, this.pages.lineCount, false, matches, undefined, (line) => {
      if (found === MATCH_COUNT_LIMIT) {
        knownEnd = line;
        return false;
      }
      lines[found++] = line;
      return true;
    });
    return { lines: lines.slice(0, found), knownEnd, more: knownEnd < this.pages.lineCount };
  }

  /** The first matching line in [start, end), or the last one when `backwards`. */
  private async scan(start: number, end: number, backwards: boolean, matches: (text: string) => boolean, signal?: AbortSignal): Promise<number | undefined> {
    let hit: number | undefined;
    await this.walk(start, end, backwards, matches, signal, (line) => {
      hit = line;
      return false;
    });
    return hit;
  }

  /**
   * Calls `onMatch` with each matching line in [start, end), in order (reverse order when
   * `backwards`), until it returns false. A row's lines are its function header, its source
   * line and its instruction, matched on the text the view shows of each.
   */
  private async walk(start: number, end: number, backwards: boolean, matches: (text: string) => boolean, signal: AbortSignal | undefined, onMatch: (line: number) => boolean): Promise<void> {
    const { listing, pages } = this;
    end = Math.min(end, pages.lineCount);
    if (start >= end) return;
    const first = pages.positionAtLine(start);
    const last = pages.positionAtLine(end - 1);
    const step = backwards ? -1 : 1;
    const stop = backwards ? first - 1 : last + 1;
    /** True when the scan is to stop: `line` is in range, matches, and `onMatch` has had enough. */
    const stopsAt = (line: number, text: string): boolean => line >= start && line < end && matches(text) && !onMatch(line);
    const slices = new TimeSlices(SLICE_MS);
    for (let p = backwards ? last : first, rows = 0; p !== stop; p += step, rows++) {
      if (rows === ROWS_PER_CHECK) {
        rows = 0;
        const turn = slices.due();
        if (turn) {
          await turn;
          signal?.throwIfAborted();
        }
      }
      const top = pages.firstLine(p);
      const insnLine = pages.firstLine(p + 1) - 1;
      const funcHeader = insnLine > top ? listing.funcHeader(p) : undefined;
      const sourceLine = insnLine - top === (funcHeader === undefined ? 1 : 2) ? insnLine - 1 : -1;
      if (backwards) {
        if (stopsAt(insnLine, listing.text(p))) return;
        if (sourceLine >= start && sourceLine < end && stopsAt(sourceLine, listing.source(p)?.text ?? '')) return;
        if (funcHeader !== undefined && stopsAt(top, funcHeader)) return;
      } else {
        if (funcHeader !== undefined && stopsAt(top, funcHeader)) return;
        if (sourceLine >= start && sourceLine < end && stopsAt(sourceLine, listing.source(p)?.text ?? '')) return;
        if (stopsAt(insnLine, listing.text(p))) return;
      }
    }
  }
}
