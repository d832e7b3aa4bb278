// `dump map ID` and `dump prog ID`.
import { dumpCommand as dumpMapCommand } from './maps.js';
import { dumpProgCommand } from './program.js';
import { UsageError, type CommandContext } from './context.js';

export function dumpCommand(ctx: CommandContext): Promise<number> {
  switch (ctx.args[0]) {
    case 'map':
      return dumpMapCommand(ctx);
    case 'prog':
      return dumpProgCommand(ctx);
    default:
      throw new UsageError('usage: bpfscope dump map ID [--json] | dump prog ID [--json|--cfg|--jited] [--linum] [--opcodes]');
  }
}
