// What the command palette offers and how it ranks it: the hosts, the current host's programs,
// maps and links (by name, id or tag), BTF types the host found, and the views. Pure.
import type { HostSummary, LinkSummary, MapSummary, ProgramSummary } from '../../../../main/api/records.js';
import type { BtfTypeRef } from '../../../../main/api/view-records.js';
import type { Route, ViewName } from '../app/route.js';
import { fuzzyMatch, type FuzzyMatch } from './fuzzy.js';

export type PaletteKind = 'host' | 'view' | 'program' | 'map' | 'link' | 'btf';

export interface PaletteItem {
  kind: PaletteKind;
  /** The name shown, matched first. */
  title: string;
  /** Shown muted beside the title: id, type, tag. */
  detail: string;
  /** Other texts the query may match (a tag); ids are matched by `id`. */
  also: string[];
  id?: number;
  /** Where Enter goes. */
  route: Partial<Route>;
}

export interface RankedItem {
  item: PaletteItem;
  /** Positions matched in the title (empty when another text matched). */
  positions: number[];
  score: number;
}

/** Items whose ids start with a query of digits: the exact id first. */
const ID_EXACT = 1500;
const ID_PREFIX = 300;
/** A kind's weight on equal matches: objects before views, views before hosts. */
const KIND_WEIGHT: Record<PaletteKind, number> = { program: 3, map: 2.5, link: 2, btf: 1.5, view: 1, host: 0.5 };

const VIEWS: Array<[ViewName, string]> = [
  ['overview', 'Overview'], ['programs', 'Programs'], ['maps', 'Maps'], ['links', 'Links'], ['graph', 'Host graph'], ['tracelog', 'Trace log'], ['btf', 'BTF types'], ['diagnostics', 'Diagnostics'], ['fleet', 'All hosts'],
];

const str = (value: unknown): string => (value === undefined || value === null ? '' : String(value));

export function hostItems(hosts: readonly HostSummary[]): PaletteItem[] {
  return hosts.map((h) => ({ kind: 'host', title: h.label, detail: h.status, also: h.id === h.label ? [] : [h.id], route: { host: h.id, view: 'overview' } }));
}

export function viewItems(host: string): PaletteItem[] {
  return VIEWS.map(([view, title]) => ({ kind: 'view', title, detail: view === 'fleet' ? 'programs of every host' : `on ${host}`, also: [], route: { host, view } }));
}

export function objectItems(host: string, programs: readonly ProgramSummary[], maps: readonly MapSummary[], links: readonly LinkSummary[]): PaletteItem[] {
  return [
    ...programs.map((p): PaletteItem => ({
      kind: 'program', title: str(p.name) || `program ${p.id}`, detail: `${str(p.type)} · id ${p.id} · tag ${str(p.tag)}`, also: [str(p.tag)], id: p.id,
      route: { host, view: 'programs', id: p.id },
    })),
    ...maps.map((m): PaletteItem => ({
      kind: 'map', title: str(m.name) || `map ${m.id}`, detail: `${str(m.type)} · id ${m.id}`, also: [], id: m.id, route: { host, view: 'maps', id: m.id },
    })),
    ...links.map((l): PaletteItem => ({
      kind: 'link', title: `link ${l.id}: ${str(l.attach_type ?? l.tp_name ?? l.func_name ?? l.target_name ?? l.type)}`, detail: `${str(l.type)} · program ${str(l.prog_id)}`,
      also: [str(l.type)], id: l.id, route: { host, view: 'programs', id: Number(l.prog_id) },
    })),
  ];
}

export function btfItems(host: string, btf: number | undefined, types: readonly BtfTypeRef[]): PaletteItem[] {
  return types.map((t) => ({ kind: 'btf', title: `${t.kind} ${t.name}`, detail: `BTF type ${t.id}${btf ? ` of object ${btf}` : ''}`, also: [t.name], id: t.id, route: { host, view: 'btf', id: t.id, ...(btf ? { btf } : {}) } }));
}

function scoreOf(item: PaletteItem, query: string): RankedItem | undefined {
  let best: FuzzyMatch | undefined;
  let positions: number[] = [];
  const title = fuzzyMatch(query, item.title);
  if (title) [best, positions] = [title, title.positions];
  for (const text of item.also) {
    const match = fuzzyMatch(query, text);
    if (!match || (best && match.score <= best.score)) continue;
    // Marked in the title where the text appears there (a BTF name inside `struct name`).
    const at = item.title.indexOf(text);
    [best, positions] = [match, at === -1 ? [] : match.positions.map((p) => p + at)];
  }
  let score = best?.score;
  if (item.id !== undefined && /^\d+$/.test(query)) {
    const id = String(item.id);
    const byId = id === query ? ID_EXACT : id.startsWith(query) ? ID_PREFIX - id.length : undefined;
    if (byId !== undefined && (score === undefined || byId > score)) [score, positions] = [byId, []];
  }
  return score === undefined ? undefined : { item, positions, score: score + KIND_WEIGHT[item.kind] };
}

/** The best `limit` items for `query` (all, in order, for an empty query). */
export function rankItems(items: readonly PaletteItem[], query: string, limit = 50): RankedItem[] {
  const q = query.trim().toLowerCase();
  if (q === '') return items.slice(0, limit).map((item) => ({ item, positions: [], score: 0 }));
  const ranked: RankedItem[] = [];
  for (const item of items) {
    const scored = scoreOf(item, q);
    if (scored) ranked.push(scored);
  }
  return ranked.sort((a, b) => b.score - a.score).slice(0, limit);
}
