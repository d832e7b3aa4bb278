// `ls net|cgroup|perf`: bpftool's `net show`, `cgroup tree [effective]` and `perf list`, as
// text or -j JSON; and the attach points `show prog ID` adds to a program.
import {
  renderCgroupTreeJson,
  renderCgroupTreeText,
  renderNetJson,
  renderNetText,
  renderPerfJson,
  renderPerfText,
  type AttachPoint,
  type ProgLookup,
  type ProgSummary,
} from '../kernel/attach/index.js';
import { decodeLinkInfo, decodeProgInfo, stringifyJson, type JsonObject, type LinkInfo } from '../kernel/info/index.js';
import { listCgroupViews, listNetViews, listPerfEvents, programAttachPoints, programExtendedBy } from '../hosts/attachments.js';
import { extendedByJson, extendedByText } from '../kernel/info/prog-targets.js';
import type { HostSession } from '../hosts/host-session.js';
import { HostError, toHostError } from '../hosts/host-error.js';
import { ATTACHMENT_VIEWS, UsageError, type CommandContext } from './context.js';


/** The program's name and attach BTF ids; with vmlinux, the attach_btf_id's name as bpftool's cgroup tree gives it. */
async function progSummary(session: HostSession, id: number, btfName: boolean): Promise<ProgSummary | undefined> {
  const raw = await session.host.progInfo(id, false);
  if (!raw) return undefined;
  const info = decodeProgInfo(raw.info);
  const summary: ProgSummary = { name: info.name ?? '', attachBtfObjId: info.attachBtfObjId ?? 0, attachBtfId: info.attachBtfId ?? 0 };
  if (!btfName) return summary;
  // bpftool names attach_btf_id in vmlinux BTF whenever the id is in range (0 is void: "").
  try {
    const btf = await session.vmlinuxBtf();
    if (btf.has(summary.attachBtfId)) summary.attachBtfName = btf.type(summary.attachBtfId).name;
  } catch {
    // No vmlinux BTF: bpftool omits the key too.
  }
  return summary;
}

/** What the listings say of the programs they name; `btfNames` only where one prints them (vmlinux BTF is ~5 MB to parse). */
async function lookupAll(session: HostSession, ids: Iterable<number>, btfNames: boolean): Promise<ProgLookup> {
  const found = new Map<number, ProgSummary>();
  for (const id of new Set(ids)) {
    const summary = await progSummary(session, id, btfNames);
    if (summary) found.set(id, summary);
  }
  return (id) => found.get(id);
}

async function links(session: HostSession): Promise<LinkInfo[]> {
  const out: LinkInfo[] = [];
  for (const id of await session.host.listIds('link')) {
    const raw = await session.host.linkInfo(id);
    if (raw) out.push(decodeLinkInfo(raw.info, raw));
  }
  return out;
}

async function renderView(session: HostSession, view: string, args: string[]): Promise<{ json: JsonObject[]; text: string }> {
  switch (view) {
    case 'net': {
      const views = await listNetViews(session.host);
      const lookup = await lookupAll(session, views.flatMap((v) => v.tcx.map((t) => t.progId)), false);
      const json = renderNetJson(views, await links(session), (id) => lookup(id)?.name);
      return { json, text: renderNetText(json) };
    }
    case 'cgroup': {
      const effective = args.includes('effective');
      const root = args.find((a) => a.startsWith('/'));
      const views = await listCgroupViews(session.host, root).catch((error: unknown) => {
        const e = toHostError(error);
        if (root === undefined || (e.code !== 'ENOENT' && e.code !== 'ENOTDIR')) throw e;
        throw new HostError({ code: e.code, message: `ls cgroup ${root}: no such directory on ${session.label}`, hint: 'give a directory of the cgroup v2 tree, e.g. /sys/fs/cgroup/unified or a cgroup below it' });
      });
      const records = views.flatMap((v) => (effective ? v.effective : v.attached));
      const lookup = await lookupAll(session, records.flatMap((r) => r.programs.map((p) => p.progId)), true);
      const json = renderCgroupTreeJson(views, effective, lookup);
      return { json, text: renderCgroupTreeText(json, effective) };
    }
    default: {
      const { attached, holders } = await listPerfEvents(session);
      const json = renderPerfJson(attached, holders);
      return { json, text: renderPerfText(json) };
    }
  }
}

/** `ls net`, `ls cgroup [ROOT] [effective]`, `ls perf`. */
export async function lsAttachmentsCommand(ctx: CommandContext): Promise<number> {
  const [view, ...rest] = ctx.args;
  if (!view || !ATTACHMENT_VIEWS.has(view)) throw new UsageError('usage: bpfscope ls net|cgroup [ROOT] [effective]|perf [--json]');
  const unexpected = view === 'cgroup' ? rest.filter((a) => a !== 'effective' && !a.startsWith('/')) : rest;
  if (unexpected.length > 0) {
    const usage = view === 'cgroup' ? 'bpfscope ls cgroup [ROOT] [effective] [--json] (ROOT: an absolute path)' : `bpfscope ls ${view} [--json]`;
    throw new UsageError(`ls ${view}: unexpected '${unexpected.join(' ')}': ${usage}`);
  }
  const session = await ctx.session();
  const { json, text } = await renderView(session, view, rest);
  ctx.io.out(ctx.flags.json ? `${stringifyJson(json)}\n` : text);
  return 0;
}

export function attachPointsJson(points: readonly AttachPoint[]): JsonObject[] {
  return points.map((p) => {
    const out: JsonObject = { mechanism: p.mechanism, kind: p.kind, target: p.target };
    if (p.linkId !== undefined) out.link_id = p.linkId;
    if (p.pid !== undefined) out.pid = p.pid;
    if (p.fd !== undefined) out.fd = p.fd;
    return out;
  });
}

export function attachPointsText(points: readonly AttachPoint[]): string {
  if (points.length === 0) return '\tattached: nowhere\n';
  return points.map((p) => `\tattached: ${p.kind} ${p.target} (${p.mechanism}${p.linkId !== undefined ? ` ${p.linkId}` : ''})\n`).join('');
}

/** The programs running on a program's functions, for `show prog ID`: JSON (`extended_by`) and text. */
export async function programExtendedByView(session: HostSession, progId: number): Promise<{ json: JsonObject[]; text: string }> {
  const extensions = await programExtendedBy(session, progId);
  return { json: extendedByJson(extensions), text: extendedByText(extensions) };
}

/** The `attach_points` of `show prog ID`: JSON and text. */
export async function programAttachments(session: HostSession, progId: number): Promise<{ json: JsonObject[]; text: string }> {
  const points = await programAttachPoints(session, progId);
  return { json: attachPointsJson(points), text: attachPointsText(points) };
}
