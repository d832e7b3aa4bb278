// What every CLI command gets: parsed flags, output streams and the host.
import type { HostSession } from '../hosts/host-session.js';

export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  /**
   * Bulk output as bytes (large dumps), resolving once the bytes are written out and may be
   * reused; without it the bytes go through `out` as text.
   */
  outBytes?(bytes: Uint8Array): Promise<void>;
}

const decoder = new TextDecoder();

/** Resolves when `bytes` may be overwritten (and a slow reader has caught up). */
export async function writeBytes(io: CliIo, bytes: Uint8Array): Promise<void> {
  if (io.outBytes) await io.outBytes(bytes);
  else io.out(decoder.decode(bytes));
}

export interface CommandContext {
  /** Positional words after the verb. */
  args: string[];
  flags: Record<string, string | boolean | undefined>;
  /** Options that may be given more than once (`--map-field`), each value in order. */
  lists?: Record<string, string[]>;
  /** Every host --host named, for commands that take several at once (metrics, mcp). */
  hosts?: readonly string[];
  io: CliIo;
  /** Opens (once) the host named by --host, checked for privilege. */
  session(): Promise<HostSession>;
}

/** A verb: what `bpfscope VERB …` runs, given its words and flags; returns the exit code. */
export type Command = (ctx: CommandContext) => Promise<number>;

/** The `ls` views of attach points (main/cli/attachments.ts), known here so `ls progs` need not load them. */
export const ATTACHMENT_VIEWS: ReadonlySet<string> = new Set(['net', 'cgroup', 'perf']);

export class UsageError extends Error {
  override name = 'UsageError';
}

export function parseObjectId(word: string | undefined, what: string): number {
  if (word === undefined) throw new UsageError(`missing ${what} id: which ${what}? (bpfscope ls lists them with their ids)`);
  if (!/^\d+$/.test(word) || Number(word) < 1 || Number(word) > 0xffffffff) {
    throw new UsageError(`${what} id '${word}' is not an id: ids are whole numbers from 1 to 4294967295`);
  }
  return Number(word);
}
