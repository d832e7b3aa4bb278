// A program's calls named from kallsyms, asked for before the analysis that names them has
// loaded: the kernel formats kallsyms slowly (~10 ms to reach the helpers), and the read goes on
// on the thread pool while the analysis and the attach point queries load.
import { u64Array } from '../kernel/info/index.js';
import { kernelAddressesOf } from '../kernel/isa/resolve.js';
import type { HostSession } from './host-session.js';

/**
 * Starts reading kallsyms as far as program id's calls; the session hands the analysis that
 * asks for the same symbols this same scan. Resolves once the read is under way (a turn of the
 * event loop), not when it is done; a program gone or kallsyms unreadable only means the
 * analysis finds that out itself.
 */
export async function readCallSymbolsAhead(session: HostSession, id: number): Promise<void> {
  const raw = await session.host.progInfo(id, true).catch(() => null);
  if (raw) session.kernelSymbols(kernelAddressesOf(raw.xlated, u64Array(raw.jitedKsyms))).catch(() => undefined);
  await new Promise<void>((resolve) => setImmediate(resolve));
}
