// `snapshot [--host H] [--maps all|none|ID,…] [--max-entries N] [--with-vmlinux] -o FILE`:
// the host's whole BPF state in one file that `--host snapshot:FILE` reopens.
import { writeSnapshot, type SnapshotOptions } from '../hosts/snapshot-writer.js';
import { UsageError, type CommandContext } from './context.js';

const USAGE = 'usage: bpfscope snapshot [--host H] [--maps all|none|ID,…] [--max-entries N] [--with-vmlinux] -o FILE';
const DEFAULT_MAX_ENTRIES = 100_000;

function mapsOption(value: string | boolean | undefined): SnapshotOptions['maps'] {
  if (value === undefined || value === 'all') return 'all';
  if (value === 'none') return 'none';
  if (typeof value !== 'string' || !/^\d+(,\d+)*$/.test(value)) throw new UsageError(`--maps ${String(value)}: expected all, none or a list of map ids`);
  return value.split(',').map(Number);
}

function maxEntriesOption(value: string | boolean | undefined): number {
  if (value === undefined) return DEFAULT_MAX_ENTRIES;
  if (typeof value !== 'string' || !/^\d+$/.test(value)) throw new UsageError(`--max-entries ${String(value)}: expected a number`);
  return Number(value);
}

export async function snapshotCommand(ctx: CommandContext): Promise<number> {
  const output = ctx.flags.output;
  if (typeof output !== 'string' || ctx.args.length > 0) throw new UsageError(USAGE);
  const options: SnapshotOptions = {
    maps: mapsOption(ctx.flags.maps),
    maxEntries: maxEntriesOption(ctx.flags['max-entries']),
    withVmlinux: ctx.flags['with-vmlinux'] === true,
    progress: (line) => ctx.io.err(`${line}\n`),
  };
  const session = await ctx.session();
  const started = performance.now();
  const { manifest } = await writeSnapshot(session.host, output, options);
  const { ids } = manifest;
  ctx.io.err(`snapshot: done: ${session.label}: ${ids.prog.length} programs, ${ids.map.length} maps, ${ids.link.length} links, ` +
    `${Object.keys(manifest.mapContents).length} map contents in ${Math.round(performance.now() - started)} ms\n`);
  return 0;
}
