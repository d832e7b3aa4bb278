// /proc/kallsyms two ways: an index of every symbol, built once per host for callers that look
// up many addresses (then address → symbol is O(log n)); and a scan that looks for a few
// addresses as the text streams in and says when it has them all, so a caller that needs
// three names stops reading a 5 MB file whose every line the kernel formats on demand.

export interface KernelSymbol {
  address: bigint;
  name: string;
  /** Module in brackets, e.g. `bpf` for BPF programs, absent for vmlinux. */
  module?: string;
}

/** The lookups a listing or a link needs; the index and the scan both answer them. */
export interface KernelSymbols {
  /** Address of `__bpf_call_base`: helper and kfunc calls in xlated code are offsets from it. */
  readonly callBase: bigint | undefined;
  /** The symbol starting exactly at address; where several share it, the first listed (as bpftool). */
  exact(address: bigint): KernelSymbol | undefined;
  /** Name of the symbol starting exactly at address. */
  symbolAt(address: bigint): string | undefined;
  /** Every address read as zero: kernel.kptr_restrict hides them, and no name found means anything. */
  readonly restricted: boolean;
}

/** What a caller will ask: these addresses, and these offsets from `__bpf_call_base`. */
export interface KallsymsQuery {
  readonly addresses: readonly bigint[];
  readonly callBaseOffsets: readonly number[];
}

const MAX_LINES = 4_000_000;
const CALL_BASE = '__bpf_call_base';
/** Up to this many addresses pending, each is searched for; more, every line is looked at. */
const FEW_ADDRESSES = 16;
const HEX = /^[0-9a-f]+$/;

/** kallsyms cuts names at KSYM_NAME_LEN - 1 bytes: 127 before Linux 6.1, 511 since. */
const KSYM_NAME_MAX_EVERYWHERE = 127;

/**
 * The kallsyms names of a JIT-ed program's functions by address, as bpf_prog_ksym_set_name
 * makes them: `bpf_prog_<tag>_<name>`, the name being the function's BTF name (func_info).
 * `tags` and `funcNames` are per function, in jited_ksyms order. A function without an
 * address (kptr_restrict) or a name, or whose symbol kernels would cut differently, is left
 * out: kallsyms itself says what it is called.
 */
export function bpfFunctionSymbols(addresses: readonly bigint[], tags: readonly string[], funcNames: readonly (string | undefined)[]): Map<bigint, string> {
  const symbols = new Map<bigint, string>();
  addresses.forEach((address, i) => {
    const tag = tags[i];
    const name = funcNames[i];
    if (address === 0n || tag === undefined || !name) return;
    const symbol = `bpf_prog_${tag}_${name}`;
    if (symbol.length <= KSYM_NAME_MAX_EVERYWHERE) symbols.set(address, symbol);
  });
  return symbols;
}

/** `symbols` answering for the given [bpf] functions too, without reading kallsyms for them. */
export function withBpfFunctions(symbols: KernelSymbols, functions: ReadonlyMap<bigint, string>): KernelSymbols {
  return {
    callBase: symbols.callBase,
    restricted: symbols.restricted,
    exact: (address) => {
      const name = functions.get(address);
      return name === undefined ? symbols.exact(address) : { address, name, module: 'bpf' };
    },
    symbolAt: (address) => functions.get(address) ?? symbols.symbolAt(address),
  };
}

/** One kallsyms line (`address type name[\tmodule]`), or undefined when it does not parse. */
function parseLine(text: string, start: number, end: number): KernelSymbol | undefined {
  const sp1 = text.indexOf(' ', start);
  const sp2 = sp1 < 0 ? -1 : text.indexOf(' ', sp1 + 1);
  if (!(sp1 > start && sp2 > sp1 && sp2 < end)) return undefined;
  const rest = text.slice(sp2 + 1, end);
  const tab = rest.indexOf('\t');
  const address = BigInt(`0x${text.slice(start, sp1)}`);
  if (tab < 0) return { address, name: rest };
  return { address, name: rest.slice(0, tab), module: rest.slice(tab + 1).replace(/^\[|\]$/g, '') };
}

export class KallsymsIndex implements KernelSymbols {
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
    const entries: KernelSymbol[] = [];
    let start = 0;
    for (let line = 0; line < MAX_LINES && start < text.length; line++) {
      let end = text.indexOf('\n', start);
      if (end < 0) end = text.length;
      const symbol = parseLine(text, start, end);
      if (symbol) entries.push(symbol);
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

  exact(address: bigint): KernelSymbol | undefined {
    let i = this.floorIndex(address);
    if (i < 0 || this.addresses[i] !== address) return undefined;
    while (i > 0 && this.addresses[i - 1] === address) i--;
    return this.at(i);
  }

  symbolAt(address: bigint): string | undefined {
    return this.exact(address)?.name;
  }

  get callBase(): bigint | undefined {
    // One name: a scan, once, not the name map addressOf builds for many lookups.
    if (this.callBaseIndex === undefined) this.callBaseIndex = this.names.indexOf(CALL_BASE);
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

/** What a scan found: the symbols asked for, each the first line at its address. */
class FoundSymbols implements KernelSymbols {
  constructor(
    readonly callBase: bigint | undefined,
    private readonly found: ReadonlyMap<bigint, KernelSymbol>,
    readonly restricted: boolean,
  ) {}

  exact(address: bigint): KernelSymbol | undefined {
    return this.found.get(address);
  }

  symbolAt(address: bigint): string | undefined {
    return this.found.get(address)?.name;
  }
}

/**
 * Looks for the symbols a query names in kallsyms bytes pushed piece by piece, in file order;
 * `push` returns true once every one is found, and the rest of the file need not be read. An
 * address is found on the first line that starts with it; `__bpf_call_base` on the first line
 * that names it (lines before that are kept until the offsets from it are known). Answers the
 * query as KallsymsIndex would; an address no line has costs the whole file.
 *
 * The pieces are searched as bytes and only the lines taken become text: made into strings, the
 * ~1.3 MB before a program's helpers cost show prog ~8 ms of its thread (the strings' memory,
 * each page of it a fault on this VM, and their collections), where the byte searches take ~2.
 */
export class KallsymsScan {
  /** Wanted addresses not found yet, by their text as kallsyms prints them (fixed-width hex). */
  private readonly pending = new Map<string, Pending>();
  private readonly found = new Map<bigint, KernelSymbol>();
  private readonly query: KallsymsQuery;
  private callBase: bigint | undefined;
  /**
   * Complete lines read before `__bpf_call_base` that may hold an address wanted below it,
   * searched once the offsets from it are known.
   */
  private held: Buffer[] = [];
  /** The lowest of the negative offsets from `__bpf_call_base` asked for (helpers below it). */
  private readonly deepestBelowBase: bigint | undefined;
  /** The end of the last piece after its last newline. */
  private partial: Buffer = EMPTY;
  /** Hex digits of an address: 16 on 64-bit kernels, 8 on 32-bit (from the first line). */
  private width = 0;
  /** A line with a non-zero address was read. */
  private addressesShown = false;

  constructor(query: KallsymsQuery) {
    this.query = query;
    const below = query.callBaseOffsets.filter((offset) => offset < 0);
    this.deepestBelowBase = below.length > 0 ? BigInt(Math.min(...below)) : undefined;
  }

  get done(): boolean {
    const { addresses, callBaseOffsets } = this.query;
    if (addresses.length === 0 && callBaseOffsets.length === 0) return true;
    return this.width > 0 && this.pending.size === 0 && (callBaseOffsets.length === 0 || this.callBase !== undefined);
  }

  /** Feeds the next piece of the file; true once everything asked for is found. */
  push(piece: Uint8Array): boolean {
    if (this.done) return true;
    const bytes = Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength);
    const first = bytes.indexOf(NEWLINE);
    if (first < 0) {
      this.partial = Buffer.concat([this.partial, bytes]);
      return false;
    }
    // The line the last piece left unfinished, whole; then this piece's complete lines, in place.
    if (this.partial.length > 0) {
      const line = Buffer.concat([this.partial, bytes.subarray(0, first + 1)]);
      this.partial = EMPTY;
      this.scanLines(line);
      return first + 1 < bytes.length ? this.push(bytes.subarray(first + 1)) : this.done;
    }
    const last = bytes.lastIndexOf(NEWLINE);
    this.partial = Buffer.from(bytes.subarray(last + 1));
    this.scanLines(bytes.subarray(0, last + 1));
    return this.done;
  }

  /** The symbols found: call once the file has ended, or once `push` returned true. */
  result(): KernelSymbols {
    if (this.partial.length > 0) this.scanLines(Buffer.concat([this.partial, LINE_END]));
    this.partial = EMPTY;
    return new FoundSymbols(this.callBase, this.found, this.width > 0 && !this.addressesShown);
  }

  private scanLines(lines: Buffer): void {
    if (this.width === 0) {
      const space = lines.indexOf(SPACE);
      this.width = space > 0 ? space : 16;
      for (const address of this.query.addresses) this.want(address);
    }
    if (this.query.callBaseOffsets.length > 0 && this.callBase === undefined) {
      const at = callBaseLine(lines);
      if (at < 0) {
        // The addresses asked for as such are taken as they come, in file order.
        this.match(lines);
        this.hold(lines);
        return;
      }
      const line = lineAt(lines, at);
      this.callBase = parseLine(line, 0, line.length)!.address;
      if (this.callBase !== 0n) this.addressesShown = true;
      for (const offset of this.query.callBaseOffsets) this.want(BigInt.asUintN(64, this.callBase + BigInt(offset)));
      this.matchHeld(this.held.splice(0));
    }
    this.match(lines);
  }

  /**
   * Keeps lines read before `__bpf_call_base` for the addresses wanted below it, and only those
   * that can hold one: vmlinux's lines come in address order (scripts/kallsyms sorts them), so
   * `__bpf_call_base` lies above every line read so far, and a held piece whose last line lies
   * further below than the deepest offset asked for is let go.
   */
  private hold(lines: Buffer): void {
    const below = this.deepestBelowBase;
    if (below === undefined) return;
    const range = this.addressRange(lines);
    if (range) {
      const lowest = range[1] + below;
      this.held = this.held.filter((piece) => {
        const held = this.addressRange(piece);
        return held === undefined || held[1] >= lowest;
      });
    }
    this.held.push(lines);
  }

  private want(address: bigint): void {
    if (this.found.has(address)) return;
    const key = address.toString(16).padStart(this.width, '0');
    this.pending.set(key, { address, bytes: Buffer.from(key, 'latin1') });
  }

  /** Takes the pending addresses that start a line of `lines` (complete lines). */
  private match(lines: Buffer): void {
    if (!this.addressesShown && lines.length > 0 && !startsWithZeros(lines, this.width)) this.addressesShown = true;
    if (this.pending.size <= FEW_ADDRESSES) this.matchEach(lines);
    else this.matchLines(lines);
  }

  /**
   * Takes the pending addresses from the lines read before `__bpf_call_base`: vmlinux's own, in
   * address order. Few addresses are each looked for only in the pieces whose first and last
   * lines' addresses bound it (a program's helpers lie ~1.2 MB into kallsyms). An address inside
   * the held lines' range that no bounding piece had is looked for in all of them.
   */
  private matchHeld(pieces: readonly Buffer[]): void {
    if (this.pending.size > FEW_ADDRESSES) {
      for (const piece of pieces) this.match(piece);
      return;
    }
    let lowest: bigint | undefined;
    let highest: bigint | undefined;
    for (const piece of pieces) {
      const range = this.addressRange(piece);
      if (!range) {
        this.matchEach(piece);
        continue;
      }
      this.matchEach(piece, range[0], range[1]);
      if (lowest === undefined || range[0] < lowest) lowest = range[0];
      if (highest === undefined || range[1] > highest) highest = range[1];
    }
    for (const { address } of this.pending.values()) {
      if (lowest !== undefined && highest !== undefined && address >= lowest && address <= highest) {
        for (const piece of pieces) this.matchEach(piece);
        return;
      }
    }
  }

  /** The addresses of the first and last lines of `lines`; undefined unless both parse and ascend. */
  private addressRange(lines: Buffer): [bigint, bigint] | undefined {
    const first = addressAt(lines, 0, this.width);
    const last = addressAt(lines, lines.lastIndexOf(NEWLINE, lines.length - 2) + 1, this.width);
    return first !== undefined && last !== undefined && first <= last ? [first, last] : undefined;
  }

  /**
   * Few addresses: a byte search for each (kallsyms is 120 k lines; most queries want a
   * handful), of those in [low, high] when given.
   */
  private matchEach(lines: Buffer, low?: bigint, high?: bigint): void {
    const width = this.width;
    for (const [key, { address, bytes }] of this.pending) {
      if ((low !== undefined && address < low) || (high !== undefined && address > high)) continue;
      for (let at = lines.indexOf(bytes); at >= 0; at = lines.indexOf(bytes, at + 1)) {
        if ((at > 0 && lines[at - 1] !== NEWLINE) || lines[at + width] !== SPACE) continue;
        if (this.take(key, address, lineAt(lines, at))) break;
      }
    }
  }

  /** Many addresses: one look at each line's address, in the piece as text. */
  private matchLines(lines: Buffer): void {
    const { width, pending } = this;
    const text = lines.toString('latin1');
    for (let start = 0; start < text.length && pending.size > 0; ) {
      let end = text.indexOf('\n', start);
      if (end < 0) end = text.length;
      const key = text.slice(start, start + width);
      const wanted = pending.get(key);
      if (wanted !== undefined && text.charCodeAt(start + width) === 32) this.take(key, wanted.address, text.slice(start, end));
      start = end + 1;
    }
  }

  /** Records the line as the symbol at address; false when it does not parse. */
  private take(key: string, address: bigint, line: string): boolean {
    const symbol = parseLine(line, 0, line.length);
    if (!symbol) return false;
    this.found.set(address, symbol);
    this.pending.delete(key);
    if (address !== 0n) this.addressesShown = true;
    return true;
  }
}

/** A wanted address, and its text as kallsyms prints it, as bytes to search for. */
interface Pending {
  address: bigint;
  bytes: Buffer;
}

const NEWLINE = 0x0a;
const SPACE = 0x20;
const ZERO_DIGIT = 0x30;
const EMPTY = Buffer.alloc(0);
const LINE_END = Buffer.from('\n');
const CALL_BASE_NAME = Buffer.from(` ${CALL_BASE}`, 'latin1');

/** The line starting at `at`, up to its newline or the end, as text (kallsyms is ASCII). */
function lineAt(lines: Buffer, at: number): string {
  const end = lines.indexOf(NEWLINE, at);
  return lines.toString('latin1', at, end < 0 ? lines.length : end);
}

/** The address starting the line at `start`, when it is `width` hex digits and a space. */
function addressAt(lines: Buffer, start: number, width: number): bigint | undefined {
  if (start + width >= lines.length || lines[start + width] !== SPACE) return undefined;
  const hex = lines.toString('latin1', start, start + width);
  return HEX.test(hex) ? BigInt(`0x${hex}`) : undefined;
}

/** Whether the first line's address is all zeros (kernel.kptr_restrict hides them). */
function startsWithZeros(lines: Buffer, width: number): boolean {
  for (let i = 0; i < width; i++) if (lines[i] !== ZERO_DIGIT) return false;
  return true;
}

/** Where the first line naming `__bpf_call_base` (in vmlinux or a module) starts, or -1. */
function callBaseLine(lines: Buffer): number {
  for (let at = lines.indexOf(CALL_BASE_NAME); at >= 0; at = lines.indexOf(CALL_BASE_NAME, at + 1)) {
    const after = lines[at + CALL_BASE_NAME.length];
    if (after === NEWLINE || after === 0x09) return lines.lastIndexOf(NEWLINE, at) + 1;
  }
  return -1;
}
