// `ls progs|maps|links` and `show prog|map|link ID`: bpftool's show, as text or -j JSON.
import {
  formatLocalTime,
  renderLinkJson,
  renderLinkText,
  renderMapJson,
  renderMapText,
  renderProgJson,
  renderProgText,
  stringifyJson,
  type JsonObject,
  type LinkShow,
  type ProgShow,
  type ShowOptions,
} from '../kernel/info/index.js';
import { HostError } from '../hosts/host-error.js';
import type { HostSession } from '../hosts/host-session.js';
import { getLink, getMap, getProgram, listLinks, listMaps, listPrograms } from '../hosts/inventory.js';
import { withContentHash } from '../hosts/map-hash.js';
import { PROG_SIGNATURE } from '../kernel/info/prog-signature.js';
import { UsageError, type CommandContext } from './context.js';
import { objectIdOf, parseObjectRef } from './object-ref.js';

export type Kind = 'prog' | 'map' | 'link';

const LIST_WORDS: Record<string, Kind> = { progs: 'prog', prog: 'prog', maps: 'map', map: 'map', links: 'link', link: 'link' };

function showOptions(bootToWallNs: bigint): ShowOptions {
  // The last second's text kept: programs loaded together share their load second (a Date, a time
  // zone lookup and a formatting per program otherwise).
  let last = { epochSeconds: NaN, text: '' };
  const localTime = (epochSeconds: number): string => {
    if (epochSeconds !== last.epochSeconds) {
      const offset = -new Date(epochSeconds * 1000).getTimezoneOffset() * 60;
      last = { epochSeconds, text: formatLocalTime(epochSeconds, offset) };
    }
    return last.text;
  };
  return { bootToWallNs, localTime };
}

/** Only kprobe_multi links name kernel functions: kallsyms is read as far as their addresses, and only for them. */
async function linkShowOptions(session: HostSession, shows: readonly LinkShow[], bootToWallNs: bigint): Promise<ShowOptions> {
  const options = showOptions(bootToWallNs);
  const addresses = shows.flatMap((s) => (s.info.details?.kind === 'kprobe_multi' ? s.info.details.addrs : []));
  if (addresses.length === 0) return options;
  const symbols = await session.kernelSymbols({ addresses, callBaseOffsets: [] }).catch(() => undefined);
  if (symbols) options.resolveKsym = (address) => symbols.exact(address);
  return options;
}

/** One object rendered the way the command prints it: bpftool's JSON object or its text. */
type Rendered = { json: JsonObject; text?: undefined } | { json?: undefined; text: string };

async function renderAll(session: HostSession, kind: Kind, json: boolean, id?: number): Promise<Rendered[]> {
  const bootToWallNs = session.bootToWallNs();
  switch (kind) {
    case 'prog': {
      const shows = id === undefined ? await listPrograms(session) : [await getProgram(session, id)];
      const options = showOptions(await bootToWallNs);
      return shows.flatMap((s) => (s ? [json ? { json: renderProgJson(s, options) } : { text: renderProgText(s, options) }] : []));
    }
    case 'map': {
      const one = id === undefined ? null : await getMap(session, id);
      const shows = id === undefined ? await listMaps(session) : [one && (await withContentHash(session, one))];
      const options = showOptions(await bootToWallNs);
      return shows.flatMap((s) => (s ? [json ? { json: renderMapJson(s, options) } : { text: renderMapText(s, options) }] : []));
    }
    case 'link': {
      const shows = (id === undefined ? await listLinks(session) : [await getLink(session, id)]).filter((s): s is LinkShow => s !== null);
      const options = await linkShowOptions(session, shows, await bootToWallNs);
      return shows.map((s) => (json ? { json: renderLinkJson(s, options) } : { text: renderLinkText(s, options) }));
    }
  }
}

/**
 * Every program rendered by `render`, a batch at a time as the listing reads them (the rows of
 * one batch are formatted while the kernel copies out the next), the rows of each batch joined
 * by `separator`; batches without programs are left out.
 */
async function programBatches(session: HostSession, render: (show: ProgShow, options: ShowOptions) => string, separator: string): Promise<string[]> {
  const options = session.bootToWallNs().then(showOptions);
  // Should the listing fail first, the clocks' failure is not left unhandled.
  options.catch(() => undefined);
  const batches: string[] = [];
  await listPrograms(session, async (shows) => {
    const o = await options;
    // One flat string per batch: the pieces a row is built from die young. Kept as rows until the
    // end, they outlived collections and the old generation filled up (a full collection, ~9 ms).
    if (shows.length > 0) batches.push(shows.map((show) => render(show, o)).join(separator));
  });
  return batches;
}

const LS_USAGE = 'bpfscope ls progs|maps|links|net|perf [--json] | ls cgroup [ROOT] [effective] [--json]';

/** `ls progs|maps|links --json`: bpftool's JSON object of every loaded object of the kind. */
export async function listJson(session: HostSession, kind: Kind): Promise<JsonObject[]> {
  return (await renderAll(session, kind, true)).map((r) => r.json!);
}

function notLoaded(session: HostSession, kind: Kind, id: number): HostError {
  return new HostError({ code: 'EGONE', message: `${kind} ${id}: not loaded on ${session.label}`, id });
}

/**
 * A program's attach points, the programs extending it and its summary, asked for together: their
 * walks of /proc run beside each other's syscalls. The attach point queries and the summary's
 * analysis (host graph, map access) load only here, not for a listing.
 */
async function programExtras(session: HostSession, id: number) {
  const views = import('./attachments.js');
  return Promise.all([
    views.then((v) => v.programAttachments(session, id)),
    views.then((v) => v.programExtendedByView(session, id)),
    import('../hosts/host-graph.js').then((graph) => graph.programSummary(session, id)),
  ]);
}

/**
 * One object rendered, and for a program its extras. A program's summary names its calls from
 * kallsyms, the longest wait of a show (the kernel formats every line up to the last call's):
 * that read is under way before anything else starts, the owner walk and its thread pool included.
 */
async function renderShown(session: HostSession, kind: Kind, json: boolean, id: number) {
  if (kind === 'prog') await (await import('../hosts/call-symbols.js')).readCallSymbolsAhead(session, id);
  return Promise.all([renderAll(session, kind, json, id), kind === 'prog' ? programExtras(session, id) : undefined]);
}

/** `show prog|map|link ID --json`: one object, a program with its attach points and summary. */
export async function showJson(session: HostSession, kind: Kind, id: number): Promise<JsonObject> {
  const [[rendered], extras] = await renderShown(session, kind, true, id);
  if (!rendered) throw notLoaded(session, kind, id);
  if (extras) {
    const [attachments, extendedBy, summary] = extras;
    rendered.json!.signature = { ...PROG_SIGNATURE };
    rendered.json!.attach_points = attachments.json;
    if (extendedBy.json.length > 0) rendered.json!.extended_by = extendedBy.json;
    // Plain numbers and strings only: the JSON text is the object.
    if (summary) rendered.json!.summary = JSON.parse(JSON.stringify(summary)) as JsonObject;
  }
  return rendered.json!;
}

export async function lsCommand(ctx: CommandContext): Promise<number> {
  const [what, ...rest] = ctx.args;
  const kind = LIST_WORDS[what ?? ''];
  if (what === undefined) throw new UsageError(`ls: say what to list: ${LS_USAGE}`);
  if (!kind) throw new UsageError(`ls ${what}: there is no list called '${what}'; the lists are progs, maps, links, net, perf and cgroup: ${LS_USAGE}`);
  if (rest.length > 0) throw new UsageError(`ls ${what}: unexpected '${rest.join(' ')}' (to see one object: bpfscope show ${kind} ID)`);
  const session = await ctx.session();
  if (kind === 'prog') {
    const json = ctx.flags.json === true;
    const batches = await programBatches(session, json ? (show, options) => stringifyJson(renderProgJson(show, options)) : renderProgText, json ? ',' : '');
    if (json) ctx.io.out(`[${batches.join(',')}]\n`);
    else ctx.io.out(batches.length === 0 ? `no progs loaded on ${session.label}\n` : batches.join(''));
    return 0;
  }
  if (ctx.flags.json) {
    ctx.io.out(`${stringifyJson(await listJson(session, kind))}\n`);
    return 0;
  }
  const rendered = await renderAll(session, kind, false);
  if (rendered.length === 0) ctx.io.out(`no ${kind}s loaded on ${session.label}\n`);
  else ctx.io.out(rendered.map((r) => r.text).join(''));
  return 0;
}

export async function showCommand(ctx: CommandContext): Promise<number> {
  const what = ctx.args[0];
  const kind = LIST_WORDS[what ?? ''];
  if (what === undefined) throw new UsageError('show: say what to show: bpfscope show prog|map|link ID [--json]');
  if (!kind) throw new UsageError(`show ${what}: bpfscope shows a prog, a map or a link: bpfscope show prog|map|link ID [--json]`);
  const { ref } = parseObjectRef(ctx.args, 1, kind);
  const session = await ctx.session();
  const id = await objectIdOf(session, ref, kind);
  if (ctx.flags.json) {
    ctx.io.out(`${stringifyJson(await showJson(session, kind, id))}\n`);
    return 0;
  }
  const [[rendered], extras] = await renderShown(session, kind, false, id);
  if (!rendered) throw notLoaded(session, kind, id);
  const [attachments, extendedBy, summary] = extras ?? [];
  const signature = kind === 'prog' ? `\tsignature: ${PROG_SIGNATURE.state} (${PROG_SIGNATURE.why})\n` : '';
  ctx.io.out(rendered.text + (attachments?.text ?? '') + (extendedBy?.text ?? '') + signature + (summary ? `\tsummary: ${summary.sentence}\n` : ''));
  return 0;
}
