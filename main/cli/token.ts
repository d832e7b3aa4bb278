// `bpfscope token list|show [--json]`: bpffs mounts that delegate BPF tokens, like
// `bpftool token list` (bpftool 7.6).
import { stringifyJson } from '../kernel/info/index.js';
import { renderTokenJson, renderTokenText } from '../kernel/info/token-list.js';
import { hostTokens } from '../hosts/tokens.js';
import { UsageError, type CommandContext } from './context.js';

const USAGE = 'bpfscope token list|show [--json]';

export async function tokenCommand(ctx: CommandContext): Promise<number> {
  const [what, ...rest] = ctx.args;
  if (what !== undefined && what !== 'list' && what !== 'show') throw new UsageError(`token ${what}: token lists the bpffs mounts that delegate tokens: ${USAGE}`);
  if (rest.length > 0) throw new UsageError(`token ${what}: unexpected '${rest.join(' ')}': ${USAGE}`);
  const session = await ctx.session();
  const tokens = await hostTokens(session.host);
  if (ctx.flags.json) ctx.io.out(`${stringifyJson(tokens.map(renderTokenJson))}\n`);
  else if (tokens.length === 0) ctx.io.out(`no bpffs mount on ${session.label} delegates BPF tokens (mount -t bpf -o delegate_cmds=… does)\n`);
  else ctx.io.out(tokens.map(renderTokenText).join(''));
  return 0;
}
