// An index of /proc/kallsyms: built once per host, then address → symbol and
// symbol → address lookups are O(log n) / O(1).

export interface KernelSymbol {
  address: bigint;
  name: string;
  /** Module in brackets, e.g. `bpf` for BPF programs, absent for vmlinux. */
  module?: string;
}

const MAX_LINES = 4_000_000;

export class KallsymsIndex {
  /** Sorted by address; parallel arrays keep a 120 k-line table compact. */
  private readonly addresses: BigUint64Array;
  private readonly names: string[];
  private readonly modules: (string | undefined)[];
  private byName?: Map<string, number>;
  private callBaseIndex?: number;

  private constructor(addresses: BigUint64Array, names: string[], modules: (string | undefined)[]) {
    this.addresses = addresses;
    this.names = names;
    this.modules = modules;
  }

  /** Parses kallsyms text; lines that do not parse are skipped. All-zero
   * addresses (kptr_restrict) make `restricted` true. */
  static parse(text: string): KallsymsIndex {
    const entries: { address: bigint; name: string; module?: string }[] = [];
    let start = 0;
    for (let line = 0; line < MAX_LINES && start < text.length; line++) {
      let end = text.indexOf('\n', start);
      if (end < 0) end = text.length;
      const sp1 = text.indexOf(' ', start);
      const sp2 = sp1 < 0 ? -1 : text.indexOf(' ', sp1 + 1);
      if (sp1 > start && sp2 > sp1 && sp2 < end) {
        const rest = text.slice(sp2 + 1, end);
        const tab = rest.indexOf('\t');
        const name = tab < 0 ? rest : rest.slice(0, tab);
        const module = tab < 0 ? undefined : rest.slice(tab + 1).replace(/^\[|\]$/g, '');
        entries.push({ address: BigInt(`0x${text.slice(start, sp1)}`), name, module });
      }
      start = end + 1;
    }
    entries.sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
    const addresses = new BigUint64Array(entries.length);
    entries.forEach((e, i) => (addresses[i] = e.address));
    return new KallsymsIndex(addresses, entries.map((e) => e.name), entries.map((e) => e.module));
  }

  get size(): number {
    return this.names.length;
  }

  /** True when kptr_restrict hides addresses (every address reads 0). */
  get restricted(): boolean {
    return this.addresses.length > 0 && this.addresses[this.addresses.length - 1] === 0n;
  }

  /** The symbol starting exactly at address; where several share it, the first listed (as bpftool). */
  exact(address: bigint): KernelSymbol | undefined {
    let i = this.floorIndex(address);
    if (i < 0 || this.addresses[i] !== address) return undefined;
    while (i > 0 && this.addresses[i - 1] === address) i--;
    return this.at(i);
  }

  /** Name of the symbol starting exactly at address. */
  symbolAt(address: bigint): string | undefined {
    return this.exact(address)?.name;
  }

  /** Address of `__bpf_call_base`: helper and kfunc calls in xlated code are offsets from it. */
  get callBase(): bigint | undefined {
    // One name: a scan, once, not the name map addressOf builds for many lookups.
    if (this.callBaseIndex === undefined) this.callBaseIndex = this.names.indexOf('__bpf_call_base');
    return this.callBaseIndex < 0 ? undefined : this.addresses[this.callBaseIndex];
  }

  /** The symbol containing address (the nearest one at or below it). */
  containing(address: bigint): KernelSymbol | undefined {
    const i = this.floorIndex(address);
    return i >= 0 ? this.at(i) : undefined;
  }

  addressOf(name: string): bigint | undefined {
    if (!this.byName) {
      this.byName = new Map();
      for (let i = 0; i < this.names.length; i++) if (!this.byName.has(this.names[i])) this.byName.set(this.names[i], i);
    }
    const i = this.byName.get(name);
    return i === undefined ? undefined : this.addresses[i];
  }

  private at(i: number): KernelSymbol {
    const module = this.modules[i];
    return module === undefined ? { address: this.addresses[i], name: this.names[i] } : { address: this.addresses[i], name: this.names[i], module };
  }

  private floorIndex(address: bigint): number {
    let lo = 0;
    let hi = this.addresses.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.addresses[mid] <= address) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  }
}
