// A process's command line: /proc/PID/cmdline holds the arguments, each ended by a NUL.

const MAX_ARGS = 4096;

export function parseCmdline(bytes: Uint8Array): string[] {
  const text = new TextDecoder().decode(bytes);
  const args = text.split('\0', MAX_ARGS + 1);
  if (args.at(-1) === '') args.pop();
  return args.slice(0, MAX_ARGS);
}

/** The arguments as one line a shell would read back: arguments with blanks or quotes are single-quoted. */
export function commandLineText(args: readonly string[]): string {
  return args.map((a) => (a === '' || /[\s'"\\$`!*?;&|<>(){}]/.test(a) ? `'${a.replace(/'/g, `'\\''`)}'` : a)).join(' ');
}
