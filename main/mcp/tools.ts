// What the MCP tools answer: the CLI's --json structures (built by the same functions as
// `ls`, `show`, `dump` and `top`), in pages so an assistant cannot ask for gigabytes: lists
// and map dumps take an offset and a limit, listings a range of instructions, and every
// answer stops at MAX_ANSWER_BYTES (with where to go on from). Nothing here writes.
import { bpftoolEntryAsJson } from '../kernel/btf/bpftool-map-json.js';
import { listingToBpftoolJson } from '../kernel/isa/index.js';
import { stringifyJson, type JsonObject } from '../kernel/info/index.js';
import type { HostSession } from '../hosts/host-session.js';
import { bpftoolJsonPages } from '../hosts/map-dump.js';
import { mapGoneError, openLoadedMapDump } from '../cli/maps.js';
import { listJson, showJson, type Kind } from '../cli/objects.js';
import { withInstructions } from '../cli/program.js';
import type { ProgramListings } from '../server/code-service.js';
import { topSample, type TopSort } from '../cli/top.js';

/** Bound on one answer's text: the page ends early, saying where the next one starts. */
export const MAX_ANSWER_BYTES = 256 << 10;
export const LIST_LIMIT = { default: 100, max: 1000 } as const;
export const MAP_ENTRY_LIMIT = { default: 100, max: 1000 } as const;
export const INSN_LIMIT = { default: 200, max: 2000 } as const;
export const TOP_LIMIT = { default: 20, max: 200 } as const;
export const TOP_INTERVAL_MS = { default: 1000, min: 250, max: 5000 } as const;

export interface Page {
  offset?: number;
  limit?: number;
}

/** Items from `offset`, at most `limit` of them and MAX_ANSWER_BYTES of text, at least one. */
function pageOf<T>(items: readonly T[], offset: number, limit: number, text: (item: T) => string): { texts: string[]; next: number | undefined } {
  const texts: string[] = [];
  let bytes = 0;
  let at = offset;
  for (; at < items.length && texts.length < limit; at++) {
    const t = text(items[at]!);
    if (texts.length > 0 && bytes + t.length > MAX_ANSWER_BYTES) break;
    texts.push(t);
    bytes += t.length + 1;
  }
  return { texts, next: at < items.length ? at : undefined };
}

function pageText(head: Record<string, string | number>, key: string, texts: readonly string[], next: number | undefined, tail: Record<string, string | number> = {}): string {
  const fields = Object.entries({ ...head }).map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`);
  fields.push(`${JSON.stringify(key)}:[${texts.join(',')}]`);
  for (const [k, v] of Object.entries(tail)) fields.push(`${JSON.stringify(k)}:${JSON.stringify(v)}`);
  if (next !== undefined) fields.push(`"next_offset":${next}`);
  return `{${fields.join(',')}}`;
}

/** list_programs, list_maps, list_links: `ls … --json`, a page of it. */
export async function listTool(session: HostSession, kind: Kind, page: Page): Promise<string> {
  const offset = page.offset ?? 0;
  const all = await listJson(session, kind);
  const { texts, next } = pageOf(all, offset, page.limit ?? LIST_LIMIT.default, (o: JsonObject) => stringifyJson(o));
  return pageText({ host: session.label, total: all.length, offset }, 'items', texts, next);
}

/** show_program, show_map: `show … ID --json`. */
export async function showTool(session: HostSession, kind: Kind, id: number): Promise<string> {
  return stringifyJson(await showJson(session, kind, id));
}

/**
 * dump_program: instructions of `dump prog ID --json`, from index `offset`. The built listings
 * of the last few programs are kept (`listings`, as the dashboard keeps them), so paging
 * through a large program decodes it once.
 */
export async function dumpProgramTool(
  listings: ProgramListings,
  host: string,
  session: HostSession,
  id: number,
  page: Page,
  options: { linum?: boolean; opcodes?: boolean },
): Promise<string> {
  const code = withInstructions((await listings.get(host, session, id)).code);
  const offset = page.offset ?? 0;
  const end = Math.min(code.listing.length, offset + (page.limit ?? INSN_LIMIT.default));
  const rows = listingToBpftoolJson(code.listing, { linum: options.linum === true, opcodes: options.opcodes === true }, offset, end);
  const { texts, next } = pageOf(rows, 0, rows.length, (row) => JSON.stringify(row));
  const following = next !== undefined ? offset + next : end < code.listing.length ? end : undefined;
  return pageText({ host: session.label, prog_id: id, total: code.listing.length, offset }, 'insns', texts, following);
}

/**
 * dump_map: entries of `dump map ID --json` from the `offset`-th on. The map is read from
 * its start each time (the kernel's own order; entries added or removed meanwhile shift
 * it), stopping once the page is full.
 */
export async function dumpMapTool(session: HostSession, id: number, page: Page): Promise<string> {
  const offset = page.offset ?? 0;
  const limit = page.limit ?? MAP_ENTRY_LIMIT.default;
  const source = await openLoadedMapDump(session, id);
  const texts: string[] = [];
  let seen = 0;
  let bytes = 0;
  let more = false;
  const pages = bpftoolJsonPages(source);
  for (let step = await pages.next(); ; step = await pages.next()) {
    if (step.done) {
      if (step.value === 'gone') throw mapGoneError(session, id);
      break;
    }
    for (const entry of step.value) {
      if (seen++ < offset) continue;
      if (texts.length >= limit || (texts.length > 0 && bytes + entry.length > MAX_ANSWER_BYTES)) {
        more = true;
        break;
      }
      const json = bpftoolEntryAsJson(entry);
      texts.push(json);
      bytes += json.length + 1;
    }
    if (more) {
      await pages.return('done');
      break;
    }
  }
  return pageText({ host: session.label, map_id: id, offset }, 'entries', texts, more ? offset + texts.length : undefined);
}

/** top: `top --json` over `intervalMs`, its busiest `limit` programs. */
export async function topTool(session: HostSession, intervalMs: number, sort: TopSort, limit: number): Promise<string> {
  const sample = await topSample(session, intervalMs, sort);
  return JSON.stringify({ ...sample, programs: sample.programs.slice(0, limit), programs_total: sample.programs.length });
}
