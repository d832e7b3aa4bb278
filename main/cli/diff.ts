// `diff A B [--json] [--max-entries N]`: what changed between two snapshots, or a snapshot and
// the live host (`local`), or an object file (`objfile:FILE.o`) and either: programs, maps and
// map contents per key.
import { requireEnumeration, openLocalHost } from '../hosts/host-access.js';
import { HostSession } from '../hosts/host-session.js';
import { ObjectFileHost } from '../hosts/objfile-host.js';
import { BtfEntryRenderer, readHostState } from '../hosts/snapshot-compare.js';
import { SnapshotHost } from '../hosts/snapshot-host.js';
import { diffStates, renderDiffText } from '../kernel/snapshot/diff.js';
import { UsageError, type CommandContext } from './context.js';

const USAGE = 'usage: bpfscope diff A B [--json] [--max-entries N]   (A, B: snapshot files, objfile:FILE.o or `local`)';
const DEFAULT_MAX_ENTRIES = 100_000;

async function openSide(spec: string, ctx: CommandContext): Promise<HostSession> {
  if (spec === 'local') {
    const host = await openLocalHost();
    await requireEnumeration(host);
    return new HostSession(host);
  }
  if (spec.startsWith('objfile:')) return new HostSession(await ObjectFileHost.open(spec.slice('objfile:'.length)));
  const snapshot = await SnapshotHost.open(spec.replace(/^snapshot:/, ''));
  if (snapshot.caveat) ctx.io.err(`bpfscope: note: ${snapshot.label} was ${snapshot.caveat}\n`);
  return new HostSession(snapshot);
}

export async function diffCommand(ctx: CommandContext): Promise<number> {
  const [a, b] = ctx.args;
  if (a === undefined || b === undefined || ctx.args.length > 2) throw new UsageError(USAGE);
  const limit = ctx.flags['max-entries'];
  if (limit !== undefined && (typeof limit !== 'string' || !/^\d+$/.test(limit))) throw new UsageError(`--max-entries ${String(limit)}: expected a number`);
  const maxEntries = limit === undefined ? DEFAULT_MAX_ENTRIES : Number(limit);
  const before = await openSide(a, ctx);
  const after = await openSide(b, ctx);
  try {
    const beforeState = await readHostState(before, maxEntries);
    const afterState = await readHostState(after, maxEntries);
    const renderer = await BtfEntryRenderer.load({ before: [before, beforeState], after: [after, afterState] });
    const diff = diffStates(beforeState, afterState, renderer);
    ctx.io.out(ctx.flags.json ? `${JSON.stringify(diff)}\n` : renderDiffText(diff));
    return 0;
  } finally {
    await before.close();
    await after.close();
  }
}
