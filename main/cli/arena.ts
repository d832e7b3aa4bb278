// `dump map ID` of an arena map: not key/value entries but pages, as the process that mapped
// the arena sees them (hosts/arena.ts), each as hexdump -C shows it.
import { hexdumpText } from '../kernel/maps/arena.js';
import { arenaReadJson, hex, readArena, type ArenaRead } from '../hosts/arena.js';
import type { HostSession } from '../hosts/host-session.js';
import type { CommandContext } from './context.js';

/** Pages printed at most (their count is always said). */
const MAX_PAGES = 1024;

/** The text of `dump map ID` for an arena. */
export function arenaReadText(read: ArenaRead): string {
  const { arena } = read;
  let out = `arena map ${read.id}${read.name ? ` (${read.name})` : ''}: ${arena.pages} page${arena.pages === 1 ? '' : 's'} (${arena.bytes} bytes)`;
  if (arena.userVmStart !== undefined) out += ` at ${hex(arena.userVmStart)}`;
  else if (read.mapped) out += ` at ${hex(read.mapped.start)} (found by its size: the kernel reports no address for an arena created without one)`;
  else out += ', no fixed user address (the first mmap picks it)';
  if (arena.segvOnFault) out += ', segv_on_fault';
  out += '\n';
  if (read.holder) out += `read through ${read.holder.comm} (pid ${read.holder.pid}): ${read.presentPages} of ${read.scannedPages} pages present there (pages only BPF code touched are not seen)\n`;
  if (read.note) out += `${read.note}\n`;
  for (const page of read.pages) out += `page ${page.index} at ${hex(page.address)}:\n${hexdumpText(page.bytes, page.address)}`;
  if (read.presentPages > read.pages.length) out += `… ${read.presentPages - read.pages.length} more present pages not printed\n`;
  return out;
}

export async function arenaDumpCommand(ctx: CommandContext, session: HostSession, id: number): Promise<number> {
  const read = await readArena(session, id, MAX_PAGES);
  ctx.io.out(ctx.flags.json ? `${JSON.stringify(arenaReadJson(read, 'hex'))}\n` : arenaReadText(read));
  return 0;
}
