// `watch map ID`: placeholder until MapWatcher lands.
import { UsageError, type CommandContext } from './context.js';

export async function watchMapCommand(_ctx: CommandContext): Promise<number> {
  throw new UsageError('watch map: not available yet');
}
