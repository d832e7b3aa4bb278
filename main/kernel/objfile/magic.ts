// How a file is told to be an ELF object (a .bpf.o) rather than a snapshot (gzip): its first bytes.

const ELF_MAGIC = [0x7f, 0x45, 0x4c, 0x46];

/** The file starts with `\x7fELF`. */
export function isElf(bytes: Uint8Array): boolean {
  return bytes.length >= ELF_MAGIC.length && ELF_MAGIC.every((b, i) => bytes[i] === b);
}
