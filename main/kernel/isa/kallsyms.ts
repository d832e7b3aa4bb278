// An index of /proc/kallsyms text, read once per host and reused for every program: bpftool
// rereads the whole file for each dump, which is most of its ~107 ms per program.

export interface KallsymsIndex {
  /** Address of `__bpf_call_base`: helper and kfunc calls in xlated code are offsets from it. */
  readonly callBase: bigint | undefined;
  /** Symbols with a non-zero address (0 everywhere means kernel.kptr_restrict hides them). */
  readonly size: number;
  /** The symbol at exactly this address, as bpftool looks calls up. */
  symbolAt(address: bigint): string | undefined;
}

const CALL_BASE_SYMBOL = '__bpf_call_base';

/**
 * Parses kallsyms text (`ffffffff814dccd0 T __bpf_call_base`, optionally `\t[module]`).
 * Where several symbols share an address the first one listed wins.
 */
export function indexKallsyms(text: string): KallsymsIndex {
  const byAddress = new Map<string, string>();
  let callBase: bigint | undefined;
  let start = 0;
  // Each pass consumes one line, so the loop ends within text.length iterations.
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const firstSpace = text.indexOf(' ', start);
    if (firstSpace > start && firstSpace < end) {
      const nameStart = firstSpace + 3;
      let nameEnd = nameStart;
      while (nameEnd < end && text.charCodeAt(nameEnd) > 32) nameEnd++;
      const address = text.slice(start, firstSpace).replace(/^0+/, '').toLowerCase();
      const name = text.slice(nameStart, nameEnd);
      if (address !== '' && name !== '' && !byAddress.has(address)) byAddress.set(address, name);
      if (name === CALL_BASE_SYMBOL && address !== '') callBase = BigInt(`0x${address}`);
    }
    start = end + 1;
  }
  return {
    callBase,
    size: byAddress.size,
    symbolAt: (address) => byAddress.get(address.toString(16)),
  };
}
