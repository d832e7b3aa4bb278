// `peek map ID [--json]`: a queue's or stack's head element, left in place, byte for byte as
// `bpftool map peek id ID` (and `-j`) prints it; an empty one as bpftool says so (exit 254).
import { BpftoolMapDumper, BpftoolTextDumper, bpftoolLookupMissText, ByteSink } from '../kernel/btf/index.js';
import { mapTypeName } from '../kernel/names/index.js';
import { HostError } from '../hosts/host-error.js';
import { bpftoolMapTypes } from '../hosts/map-dump.js';
import { peekMap } from '../hosts/map-peek.js';
import { UsageError, writeBytes, type CommandContext } from './context.js';
import { objectIdOf, parseObjectRef } from './object-ref.js';

/** bpftool's exit status when the lookup finds nothing: main() returns do_lookup's -ENOENT. */
const NOT_FOUND_STATUS = 254;
const NO_KEY = new Uint8Array(0);

export async function peekCommand(ctx: CommandContext): Promise<number> {
  const [what] = ctx.args;
  if (what !== 'map') {
    const usage = 'usage: bpfscope peek map ID [--json]';
    throw new UsageError(what === undefined ? `peek: say which map: ${usage}` : `peek ${what}: bpfscope peeks at a queue or stack map; ${usage}`);
  }
  const { ref } = parseObjectRef(ctx.args, 1, 'map');
  const session = await ctx.session();
  const id = await objectIdOf(session, ref, 'map');
  const head = await peekMap(session, id);
  if (!head) throw new HostError({ code: 'EGONE', message: `map ${id}: not loaded on ${session.label}`, id });
  if (!head.value) {
    ctx.io.out(ctx.flags.json ? 'null\n' : bpftoolLookupMissText(NO_KEY));
    ctx.io.err(`bpfscope: map ${id}: empty: the ${mapTypeName(head.info.type) ?? 'map'} holds no element\n`);
    return NOT_FOUND_STATUS;
  }
  const { btf, shape } = await bpftoolMapTypes(session, head.info);
  const page = { keys: NO_KEY, values: head.value, count: 1 };
  const layout = { stride: shape.valueSize, cpus: 1 };
  const sink = new ByteSink(1024);
  if (ctx.flags.json) {
    new BpftoolMapDumper(shape, btf).pageInto(sink, page, layout, false);
    sink.text('\n');
  } else {
    const dumper = new BpftoolTextDumper(shape, btf, 'lookup');
    dumper.pageInto(sink, page, layout);
    sink.text(dumper.footer());
  }
  await writeBytes(ctx.io, sink.drain());
  return 0;
}
