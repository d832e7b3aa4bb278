// Fuzzy matching for the command palette: the query's characters in order, case-insensitive,
// scored so that what a person means ranks first: an exact text, then a prefix, then
// characters at word starts (after _ . - / space, or a lower→upper or letter→digit change) and
// runs of consecutive characters; gaps cost a little. Pure: no DOM.

export interface FuzzyMatch {
  score: number;
  /** Indexes of the matched characters in the text, for highlighting. */
  positions: number[];
}

const EXACT = 1000;
const PREFIX = 200;
const WORD_START = 30;
const CONSECUTIVE = 20;
const FIRST_CHAR = 15;
const GAP = 1;
/** Texts longer than this are matched on their start only (bounded work per keystroke). */
const MAX_TEXT = 256;

function isWordStart(text: string, i: number): boolean {
  if (i === 0) return true;
  const before = text[i - 1]!;
  const at = text[i]!;
  if (/[\s_.\-/:()[\]]/.test(before)) return true;
  if (before >= 'a' && before <= 'z' && at >= 'A' && at <= 'Z') return true;
  return /\D/.test(before) && /\d/.test(at);
}

/** Scores `text` for `query` (already lower-cased); undefined when the characters are not all there in order. */
export function fuzzyMatch(query: string, text: string): FuzzyMatch | undefined {
  if (query === '') return { score: 0, positions: [] };
  const subject = text.length > MAX_TEXT ? text.slice(0, MAX_TEXT) : text;
  const lower = subject.toLowerCase();
  if (lower === query) return { score: EXACT + query.length, positions: [...query].map((_, i) => i) };
  // Greedy from the left, preferring a word start for each character when one comes before
  // the next plain occurrence would force a longer gap.
  const positions: number[] = [];
  let from = 0;
  for (const ch of query) {
    let at = lower.indexOf(ch, from);
    if (at === -1) return undefined;
    for (let j = at; j !== -1 && j - at < 16; j = lower.indexOf(ch, j + 1)) {
      if (isWordStart(subject, j)) {
        at = positions.length > 0 && positions.at(-1) === at - 1 ? at : j;
        break;
      }
    }
    positions.push(at);
    from = at + 1;
  }
  let score = lower.startsWith(query) ? PREFIX : 0;
  positions.forEach((p, i) => {
    if (i === 0 && p === 0) score += FIRST_CHAR;
    if (isWordStart(subject, p)) score += WORD_START;
    if (i > 0 && p === positions[i - 1]! + 1) score += CONSECUTIVE;
    else if (i > 0) score -= GAP * (p - positions[i - 1]! - 1);
  });
  // Shorter texts rank above longer ones that match as well.
  return { score: score - subject.length * 0.1, positions };
}
