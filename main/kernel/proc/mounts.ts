// /proc/mounts (and /proc/PID/mounts) as getmntent(3) reads it: six fields split on blanks, the
// kernel's octal escapes of space, tab, newline and backslash undone.

export interface MountEntry {
  source: string;
  target: string;
  type: string;
  /** Comma-separated, as the kernel shows them (superblock and mount options together). */
  options: string;
}

/** Bound on lines read: a mount table is thousands of lines on the busiest hosts. */
const MAX_MOUNTS = 1_000_000;

/** `\040` → space, as glibc's decode_name does for the four characters the kernel escapes. */
function unescape(field: string): string {
  return field.replace(/\\(040|011|012|134)/g, (_m, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}

export function parseMounts(text: string): MountEntry[] {
  const entries: MountEntry[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length && i < MAX_MOUNTS; i++) {
    const fields = lines[i]!.trim().split(/[ \t]+/);
    if (fields.length < 4 || fields[0]!.startsWith('#')) continue;
    entries.push({ source: unescape(fields[0]!), target: unescape(fields[1]!), type: unescape(fields[2]!), options: unescape(fields[3]!) });
  }
  return entries;
}
