// Runs one command on one host: opens the host on first use, prints errors the
// way every command does, and releases the host (SSH keeps the process alive).
import { openHost } from '../hosts/open-host.js';
import { toHostError } from '../hosts/host-error.js';
import { HostSession } from '../hosts/host-session.js';
import { UsageError, type CliIo, type Command, type CommandContext } from './context.js';

/** Opens the host once, on first use; `close()` releases it. */
function sessionOpener(spec: string, flags: CommandContext['flags'], io: CliIo): { open: () => Promise<HostSession>; close: () => Promise<void> } {
  let opened: Promise<HostSession> | undefined;
  const acceptNew = flags['accept-new-host-key'] === true;
  return {
    open: () => {
      // The prompts (and node:readline) load only for an SSH host that asks something.
      opened ??= openHost(spec, {
        onUnknownHostKey: async (key) => (await import('./prompts.js')).confirmHostKey(key, acceptNew),
        askPassphrase: async (file) => (await import('./prompts.js')).askPassphrase(file),
        noCache: flags['no-cache'] === true,
      }).then((host) => {
        if (host.caveat) io.err(`bpfscope: note: ${host.label} was ${host.caveat}\n`);
        return new HostSession(host);
      });
      return opened;
    },
    close: async () => {
      if (opened) await (await opened.catch(() => undefined))?.close();
    },
  };
}

/**
 * The command's exit code; usage errors exit 2, host errors 1, each with one message.
 * `extra`: repeated options, and every --host for commands that take several at once.
 */
export async function runOnHost(
  command: Command,
  spec: string,
  args: string[],
  flags: CommandContext['flags'],
  io: CliIo,
  extra: Pick<CommandContext, 'lists' | 'hosts'> = {},
): Promise<number> {
  const session = sessionOpener(spec, flags, io);
  try {
    return await command({ args, flags, io, session: session.open, ...extra });
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`bpfscope: ${error.message}\n`);
      return 2;
    }
    const e = toHostError(error);
    io.err(`bpfscope: ${e.message}${e.hint ? `\n  hint: ${e.hint}` : ''}\n`);
    return 1;
  } finally {
    await session.close();
  }
}
