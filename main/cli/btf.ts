// `btf ID [--c|--raw]`: a BTF object as compilable C or as bpftool's raw listing.
import { formatC, formatRaw } from '../kernel/btf/index.js';
import { parseObjectId, UsageError, type CommandContext } from './context.js';

export async function btfCommand(ctx: CommandContext): Promise<number> {
  if (ctx.flags.c && ctx.flags.raw) throw new UsageError('choose one of --c and --raw');
  const id = parseObjectId(ctx.args[0], 'btf');
  const session = await ctx.session();
  const btf = await session.btf(id);
  ctx.io.out(ctx.flags.c ? formatC(btf) : formatRaw(btf));
  return 0;
}
