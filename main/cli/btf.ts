// `btf ID [--c|--raw]`: a BTF object as compilable C or as bpftool's raw listing, written
// as it is printed (vmlinux makes MBs of text).
import { formatCChunks } from '../kernel/btf/c.js';
import { formatRawChunks } from '../kernel/btf/raw.js';
import { parseObjectId, UsageError, writeBytes, type CommandContext } from './context.js';

export async function btfCommand(ctx: CommandContext): Promise<number> {
  if (ctx.flags.c && ctx.flags.raw) throw new UsageError('choose one of --c and --raw');
  const id = parseObjectId(ctx.args[0], 'btf');
  const session = await ctx.session();
  const btf = await session.btf(id);
  for (const chunk of ctx.flags.c ? formatCChunks(btf) : formatRawChunks(btf)) await writeBytes(ctx.io, chunk);
  return 0;
}
