// A program's code for the detail view: the structured listing (source lines,
// function headers, jumps, map references) served in pages, its control-flow graph
// (unless too large to draw), and the JIT image disassembled (x86-64), or why there is
// none. The built listing of the last few programs viewed is kept, so paging through a
// 1 M-instruction program decodes each page's rows only.
import { ApiError, toErrorData } from '../api/errors.js';
import type { ListingPage, ProgramCodeView } from '../api/view-records.js';
import { decodeProgInfo } from '../kernel/info/index.js';
import { buildCfg } from '../kernel/isa/index.js';
import type { HostSession } from '../hosts/host-session.js';
import { programCode, type ProgramCode } from '../hosts/program-code.js';
import { programJit } from '../hosts/program-jit.js';
import { wire } from './inspect-service.js';
import { ListingPages } from './listing-pages.js';
import { ListingSearch, type ListingSearchRequest, type ListingSearchResult } from './listing-search.js';

/** Listings kept built: a few programs (a 1 M-instruction one holds ~60 MB). */
const CACHED_PROGRAMS = 3;
/** Above this many blocks the graph is not sent: no layout draws it legibly. */
export const CFG_MAX_BLOCKS = 2000;
/** Disassembled JIT lines sent at most; the rest is cut (a 1 M-instruction image has millions). */
export const JIT_MAX_LINES = 10_000;

interface CachedCode {
  readonly session: HostSession;
  readonly code: ProgramCode;
  readonly pages: ListingPages;
  readonly search: ListingSearch;
}

function gone(session: HostSession, id: number): ApiError {
  return new ApiError({ code: 'EGONE', message: `prog ${id}: not loaded on ${session.label}`, id });
}

/** Built listings by (host, program id), least recently used first; rebuilt when the tag or session changes. */
export class ProgramListings {
  private readonly entries = new Map<string, Promise<CachedCode>>();

  async get(hostId: string, session: HostSession, id: number): Promise<CachedCode> {
    const key = `${hostId}\0${id}`;
    const raw = await session.host.progInfo(id, false);
    if (!raw) {
      this.entries.delete(key);
      throw gone(session, id);
    }
    const tag = decodeProgInfo(raw.info).tag;
    const cached = this.entries.get(key);
    const entry = cached && (await cached.catch(() => undefined));
    if (cached && entry && entry.session === session && entry.code.info.tag === tag) {
      this.entries.delete(key);
      this.entries.set(key, cached);
      return entry;
    }
    const building = this.build(session, id);
    this.entries.delete(key);
    this.entries.set(key, building);
    while (this.entries.size > CACHED_PROGRAMS) this.entries.delete(this.entries.keys().next().value as string);
    building.catch(() => {
      if (this.entries.get(key) === building) this.entries.delete(key);
    });
    return building;
  }

  dropHost(hostId: string): void {
    for (const key of [...this.entries.keys()]) if (key.startsWith(`${hostId}\0`)) this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }

  private async build(session: HostSession, id: number): Promise<CachedCode> {
    const code = await programCode(session, id);
    if (!code) throw gone(session, id);
    const pages = new ListingPages(code.listing);
    return { session, code, pages, search: new ListingSearch(code.listing, pages) };
  }
}

async function jitFunctions(session: HostSession, code: ProgramCode): Promise<Pick<ProgramCodeView, 'jit' | 'jitTruncated'>> {
  if (code.jited.byteLength === 0) return { jit: [] };
  const listing = await programJit(session, code);
  const jit: ProgramCodeView['jit'] = [];
  let lines = 0;
  for (const fn of listing.functions) {
    if (lines >= JIT_MAX_LINES) return { jit, jitTruncated: true };
    const text = fn.instructions.map((insn) => ({ offset: insn.offset, text: insn.text }));
    lines += text.length;
    jit.push({ name: fn.name ?? '', lines: text });
  }
  return { jit };
}

export async function programCodeView(listings: ProgramListings, hostId: string, session: HostSession, id: number): Promise<ProgramCodeView> {
  const { code, pages } = await listings.get(hostId, session, id);
  const cfg = buildCfg(code.listing);
  const view: ProgramCodeView = {
    length: code.listing.length,
    lineCount: pages.lineCount,
    cfgBlocks: cfg.blocks.length,
    jit: [],
  };
  if (cfg.blocks.length <= CFG_MAX_BLOCKS) view.cfg = wire(cfg) as ProgramCodeView['cfg'];
  try {
    Object.assign(view, await jitFunctions(session, code));
  } catch (error) {
    view.jitError = toErrorData(error);
  }
  return view;
}

export interface ListingPageRequest {
  id: number;
  line: number;
  count: number;
  /** When given, the page starts at this instruction (by index) and `line` is not used. */
  insn?: number | undefined;
}

export async function programListingPage(listings: ProgramListings, hostId: string, session: HostSession, request: ListingPageRequest): Promise<ListingPage> {
  const { pages } = await listings.get(hostId, session, request.id);
  if (request.insn === undefined) return wire(pages.page(request.line, request.count)) as ListingPage;
  const page = pages.pageAtInstruction(request.insn, request.count);
  if (!page) throw new ApiError({ code: 'EINVAL', message: `prog ${request.id}: no instruction starts at ${request.insn}` });
  return wire(page) as ListingPage;
}

export async function searchProgramListing(
  listings: ProgramListings, hostId: string, session: HostSession, id: number, request: ListingSearchRequest, signal?: AbortSignal,
): Promise<ListingSearchResult> {
  const { search } = await listings.get(hostId, session, id);
  return search.search(request, signal);
}
