// `btf ID [--c|--raw]`: a BTF object as compilable C or as bpftool's raw listing, written
// as it is printed (vmlinux makes MBs of text). Each printer is loaded only when asked for.
import { UsageError, writeBytes, type CommandContext } from './context.js';
import { objectIdOf, parseObjectRef } from './object-ref.js';

export async function btfCommand(ctx: CommandContext): Promise<number> {
  if (ctx.flags.c && ctx.flags.raw) throw new UsageError('choose one of --c and --raw');
  const { ref } = parseObjectRef(ctx.args, 0, 'btf');
  const session = await ctx.session();
  const id = await objectIdOf(session, ref, 'btf');
  const [btf, chunks] = await Promise.all([
    session.btf(id),
    ctx.flags.c
      ? import('../kernel/btf/c.js').then((c) => c.formatCChunks)
      : import('../kernel/btf/raw.js').then((raw) => raw.formatRawChunks),
  ]);
  for (const chunk of chunks(btf)) await writeBytes(ctx.io, chunk);
  return 0;
}
