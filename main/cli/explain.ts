// `explain NAME [--json]`: a helper, kfunc, or program/map/attach/link type in a few words,
// with the kernel's own text about a helper where the host has it installed.
import { explanationText } from '../kernel/reference/explain.js';
import { explain } from '../hosts/explain.js';
import type { HostSession } from '../hosts/host-session.js';
import { HostError } from '../hosts/host-error.js';
import { UsageError, type CommandContext } from './context.js';

export async function explainCommand(ctx: CommandContext): Promise<number> {
  const [name, ...rest] = ctx.args;
  if (!name || rest.length > 0) throw new UsageError('usage: bpfscope explain NAME [--json]   (a helper, kfunc, or program/map/attach/link type)');
  // Helpers and types need no host: without privilege the tables still answer.
  let session: HostSession | undefined;
  try {
    session = await ctx.session();
  } catch {
    session = undefined;
  }
  const entries = await explain(session, name);
  if (entries.length === 0) {
    throw new HostError({
      code: 'ENOENT', message: `explain: nothing called '${name}'`,
      hint: session ? 'a helper (map_lookup_elem), a kfunc of this kernel, or a program, map, attach or link type (xdp, ringbuf, tcx_ingress)' : 'kfuncs need a host whose BTF can be read (run as root, or --host)',
    });
  }
  if (ctx.flags.json) {
    ctx.io.out(`${JSON.stringify(entries)}\n`);
    return 0;
  }
  for (const entry of entries) {
    if (entry.implementation) ctx.io.out(`${entry.implementation}: the kernel's implementation of this helper, which the verifier calls directly\n`);
    ctx.io.out(explanationText(entry));
    if (entry.kind === 'helper' && entry.manual) ctx.io.out(`\n\tfrom ${entry.manual.source} on ${session?.label ?? 'this host'}:\n${entry.manual.text.replace(/^/gm, '\t')}\n`);
  }
  return 0;
}
