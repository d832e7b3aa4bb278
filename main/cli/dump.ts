// `dump map ID` and `dump prog ID`, each loading only its own module (the start-up of a
// map dump into a file is part of what it is measured by).
import { UsageError, type CommandContext } from './context.js';

export async function dumpCommand(ctx: CommandContext): Promise<number> {
  switch (ctx.args[0]) {
    case 'map':
      return (await import('./maps.js')).dumpCommand(ctx);
    case 'prog':
      return (await import('./program.js')).dumpProgCommand(ctx);
    default: {
      const usage = 'bpfscope dump map ID [--json] | dump prog ID [--json|--cfg|--jited] [--linum] [--opcodes]';
      throw new UsageError(ctx.args[0] === undefined ? `dump: say what to dump: ${usage}` : `dump ${ctx.args[0]}: bpfscope dumps a map or a prog: ${usage}`);
    }
  }
}
