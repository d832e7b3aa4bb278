// `stacks MAP_ID [--pid PID] [--json]`: a stack_trace map's stacks with user frames named from the
// process's own files (or by build id), kernel frames from kallsyms; a view of ours, next to
// `dump map`, which prints what bpftool prints.
import { readStackTraces } from '../hosts/stack-traces.js';
import { HostError } from '../hosts/host-error.js';
import { parseObjectId, UsageError, type CommandContext } from './context.js';

export async function stacksCommand(ctx: CommandContext): Promise<number> {
  const [idWord, ...rest] = ctx.args;
  if (!idWord || rest.length > 0) throw new UsageError('usage: bpfscope stacks MAP_ID [--pid PID] [--json]');
  const id = parseObjectId(idWord, 'map');
  const pidWord = ctx.flags.pid;
  const pid = typeof pidWord === 'string' ? Number(pidWord) : undefined;
  if (pid !== undefined && !(Number.isInteger(pid) && pid > 0)) throw new UsageError(`--pid ${pidWord}: not a process id`);
  const session = await ctx.session();
  const view = await readStackTraces(session, id, pid !== undefined ? { pid } : {});
  if (!view) throw new HostError({ code: 'EGONE', message: `map ${id}: not loaded on ${session.label}`, id });
  if (ctx.flags.json) {
    ctx.io.out(`${JSON.stringify(view)}\n`);
    return 0;
  }
  for (const note of view.notes) ctx.io.out(`# ${note}\n`);
  for (const stack of view.stacks) {
    ctx.io.out(`stack ${stack.stackId}${stack.pid !== undefined ? ` (pid ${stack.pid})` : ''}:\n`);
    for (const f of stack.frames) {
      const where = f.symbol ? `${f.symbol}${f.module ? ` [${f.module}]` : ''}` : `?${f.module ? ` [${f.module}]` : ''}${f.note ? ` (${f.note})` : ''}`;
      ctx.io.out(`    ${f.address.padStart(18)}  ${where}\n`);
    }
  }
  ctx.io.out(`${view.stacks.length} stack${view.stacks.length === 1 ? '' : 's'}${view.truncated ? ' (more not read)' : ''}\n`);
  return 0;
}
