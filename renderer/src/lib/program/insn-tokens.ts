// An instruction's text (bpftool's, as the host formatted it) cut into tokens for
// highlighting: opcode byte, registers, immediates, keywords, the callee of a call (helper,
// kfunc or subprogram), map references and jump targets. The text is not re-read for
// meaning: targets, callee kinds and map ids come from the entry the host built; the
// tokens only say where in the text each one is. Concatenated, the tokens are the text.
import type { ListingEntryView } from '../../../../main/api/view-records.js';

export type TokenKind =
  | 'opcode'
  | 'register'
  | 'immediate'
  | 'keyword'
  | 'helper'
  | 'kfunc'
  | 'subprog'
  | 'map'
  | 'jump'
  | 'memory'
  | 'annotation'
  | 'text';

export interface InsnToken {
  kind: TokenKind;
  text: string;
  /** Jumps and subprogram calls: the instruction they go to. */
  target?: number;
  /** Map references: the map's id. */
  mapId?: number;
}

// One pass, first alternative that matches wins. Order matters: `map[id:3][0]+16` before
// the numbers inside it, `pc+3` before `+3`, the callee after `call ` before plain words.
const PATTERN = new RegExp(
  [
    String.raw`(?<opcode>^\([0-9a-f]{2}\))`,
    String.raw`(?<map>map\[[^\]]*\](?:\[\d+\])?(?:\+\d+)?)`,
    String.raw`(?<jump>\bpc[+-]\d+)`,
    String.raw`(?<callee>(?<=\bcall )[A-Za-z_][\w.]*)`,
    String.raw`(?<annotation>#[\w.-]+)`,
    String.raw`(?<memory>&?\((?:[us](?:8|16|32|64)|void __percpu) ?\*?\))`,
    String.raw`(?<register>\b[rw](?:10|[0-9])\b)`,
    String.raw`(?<keyword>\b(?:goto|gotol|if|call|exit|lock|may_goto|(?:atomic64|atomic)_\w+|(?:be|le|bswap)(?:16|32|64))\b)`,
    String.raw`(?<immediate>-?\b0x[0-9a-f]+\b|-?\b\d+\b)`,
  ].join('|'),
  'g',
);

const KINDS = ['opcode', 'map', 'jump', 'callee', 'annotation', 'memory', 'register', 'keyword', 'immediate'] as const;

function calleeKind(entry: ListingEntryView): TokenKind {
  const callee = entry.call?.callee;
  return callee === 'kfunc' ? 'kfunc' : callee === 'subprog' ? 'subprog' : 'helper';
}

export function insnTokens(entry: ListingEntryView): InsnToken[] {
  const text = entry.text;
  const tokens: InsnToken[] = [];
  let at = 0;
  for (const match of text.matchAll(PATTERN)) {
    const groups = match.groups ?? {};
    const kind = KINDS.find((k) => groups[k] !== undefined);
    if (!kind) continue;
    if (match.index > at) tokens.push({ kind: 'text', text: text.slice(at, match.index) });
    const token: InsnToken = { kind: kind === 'callee' ? calleeKind(entry) : kind, text: match[0] };
    if (kind === 'jump') {
      const target = entry.jumpTarget ?? entry.call?.target;
      if (target !== undefined) token.target = target;
      else token.kind = 'immediate';
    }
    if (kind === 'callee' && entry.call?.target !== undefined) token.target = entry.call.target;
    if (kind === 'map' && entry.map?.id !== undefined) token.mapId = entry.map.id;
    tokens.push(token);
    at = match.index + match[0].length;
  }
  if (at < text.length) tokens.push({ kind: 'text', text: text.slice(at) });
  return tokens;
}

export interface MarkedToken extends InsnToken {
  /** The token's text cut where a find's matches begin and end. */
  parts: Array<{ text: string; match: boolean }>;
}

/** Tokens with the ranges `ranges` ([start, end) in the whole text) marked, for the found line. */
export function markTokens(tokens: readonly InsnToken[], ranges: ReadonlyArray<readonly [number, number]>): MarkedToken[] {
  let offset = 0;
  return tokens.map((token) => {
    const start = offset;
    const end = offset + token.text.length;
    offset = end;
    const parts: MarkedToken['parts'] = [];
    let at = start;
    for (const [from, to] of ranges) {
      const a = Math.max(from, start);
      const b = Math.min(to, end);
      if (a >= b) continue;
      if (a > at) parts.push({ text: token.text.slice(at - start, a - start), match: false });
      parts.push({ text: token.text.slice(a - start, b - start), match: true });
      at = b;
    }
    if (at < end) parts.push({ text: token.text.slice(at - start), match: false });
    return { ...token, parts };
  });
}
