// Maps of many BTF shapes for dump tests and the bench: each shape is a row (map type, key
// and value C types, entries), written out as one C file, compiled by clang for BPF and
// loaded by test/fixtures/filler (libbpf), which fills every map with seeded pseudo-random
// entries. Besides the fixed table (SHAPES, what the bench times), randomShapes() draws
// struct and union types from a seeded grammar over every BTF kind bpftool prints, so tests
// compare shapes nobody wrote by hand.
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { prng } from './prng.js';

const here = dirname(fileURLToPath(import.meta.url));
/** The source tree, seen from here (vitest) or from the compiled copy (out/node/test/helpers, benchmarks). */
const ROOT = [resolve(here, '../..'), resolve(here, '../../../..')].find((root) => existsSync(join(root, 'build/fixtures.sh'))) ?? '.';
const FILLER = join(ROOT, 'test/fixtures/build/bpfscope-map-filler');

export type ShapeMapType = 'hash' | 'array' | 'percpu_hash' | 'percpu_array' | 'lru_hash' | 'lru_percpu_hash';

export interface MapShapeRow {
  /** Map name: at most 15 characters, the kernel's limit. */
  name: string;
  type: ShapeMapType;
  entries: number;
  /** C type of the key and value (declared in `decls`), or a size in bytes for a map without BTF. */
  key: string | number;
  value: string | number;
  /** C declarations the key and value types need. */
  decls?: string;
  /** What the row exercises (bench labels). */
  about: string;
}

const PRELUDE = `#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
typedef unsigned char u8;
typedef signed char s8;
typedef unsigned short u16;
typedef short s16;
typedef unsigned int u32;
typedef int s32;
typedef unsigned long long u64;
typedef long long s64;
typedef _Bool bool;
char LICENSE[] SEC("license") = "GPL";
`;

/** The bench's shape matrix: every kind bpftool prints, at a million entries (300 k per-CPU). */
export const SHAPES: readonly MapShapeRow[] = [
  {
    name: 'ints', type: 'hash', entries: 1_000_000, key: 'u32', value: 'struct ints',
    about: 'u32 key, struct of unsigned/signed ints of every size',
    decls: 'struct ints { u8 a; s8 b; u16 c; s16 d; u32 e; s32 f; u64 g; s64 h; };',
  },
  {
    name: 'labels', type: 'hash', entries: 1_000_000, key: 'u32', value: 'struct labelled',
    about: 'char[8]/char[16] strings, bool, u64 counters',
    decls: 'struct labelled { char label[8]; u64 packets; u64 bytes; bool active; char comm[16]; };',
  },
  {
    name: 'flows', type: 'percpu_hash', entries: 300_000, key: 'struct flow_key', value: 'struct flow_stats',
    about: 'per-CPU, struct key (u32 + char[12]), enum, array of bitfield structs, u64[4]',
    decls: `struct flow_key { u32 id; char tag[12]; };
enum verdict { V_PASS, V_DROP, V_REDIRECT = 7, V_NEG = -3 };
struct flag_bits { u32 syn : 1, ack : 1, fin : 1, window : 13; s32 delta : 9; };
struct flow_stats { char ifname[16]; enum verdict verdict; struct flag_bits flags[3]; u64 hist[4]; };`,
  },
  {
    name: 'enums', type: 'array', entries: 1_000_000, key: 'u32', value: 'struct states',
    about: 'enums of 1/2/4 bytes, signed, enum64, unknown values, bools',
    decls: `enum __attribute__((packed)) small { S_A, S_B, S_C = 200 };
enum __attribute__((packed)) mid { M_NEG = -300, M_POS = 300 };
enum big { B_ZERO, B_ONE, B_MAX = 0x7fffffff };
enum wide { W_LOW = 1, W_HIGH = 0x100000000ULL, W_TOP = 0xffffffffffffff00ULL };
struct states { enum small s; enum mid m; bool on; bool off; enum big b; enum wide w; };`,
  },
  {
    name: 'tuples', type: 'hash', entries: 1_000_000, key: 'struct tuple', value: 'struct conn',
    about: 'struct key (5-tuple), union, nested struct, pointers',
    decls: `struct tuple { u32 saddr, daddr; u16 sport, dport; u8 proto, pad[3]; };
union addr { u32 v4; u8 v6[16]; u64 halves[2]; };
struct conn { union addr peer; struct { u64 first, last; } seen; void *sk; const char *comm; };`,
  },
  {
    name: 'bitflags', type: 'lru_hash', entries: 1_000_000, key: 'u64', value: 'struct task_flags',
    about: 'bitfields, typedef/const/volatile chains, __int128, odd-width ints',
    decls: `typedef const volatile u32 cv_u32;
typedef cv_u32 pid_type;
struct task_flags { pid_type pid; u64 kernel : 1, user : 1, prio : 7, cpu : 12, rest : 43; unsigned __int128 mask; s16 nice : 5; };`,
  },
  {
    name: 'counters', type: 'percpu_array', entries: 300_000, key: 'u32', value: 'struct pcounters',
    about: 'per-CPU array of u64 counters',
    decls: 'struct pcounters { u64 packets, bytes, drops; };',
  },
  {
    name: 'raw', type: 'hash', entries: 1_000_000, key: 4, value: 32,
    about: 'no BTF: hex key and value',
  },
  {
    name: 'grids', type: 'hash', entries: 1_000_000, key: 'u32', value: 'struct grid',
    about: 'nested arrays, char arrays as strings or not, signed chars',
    decls: `typedef char name_t;
struct cell { s8 x, y; };
struct grid { u16 g[3][4]; struct cell cells[2]; name_t alias[6]; unsigned char raw[5]; char s[4]; };`,
  },
];

/** The C for a set of shapes, one `.maps` map each (declarations deduplicated in order). */
export function shapesSource(rows: readonly MapShapeRow[], extra = ''): string {
  const decls: string[] = [];
  for (const row of rows) if (row.decls && !decls.includes(row.decls)) decls.push(row.decls);
  const maps = rows.map((row) => {
    const kv = typeof row.key === 'number' || typeof row.value === 'number'
      ? `__uint(key_size, ${typeof row.key === 'number' ? row.key : `sizeof(${row.key})`}); __uint(value_size, ${typeof row.value === 'number' ? row.value : `sizeof(${row.value})`});`
      : `__type(key, ${row.key}); __type(value, ${row.value});`;
    return `struct { __uint(type, BPF_MAP_TYPE_${row.type.toUpperCase()}); __uint(max_entries, 1); ${kv} } ${row.name} SEC(".maps");`;
  });
  return `${PRELUDE}${decls.join('\n')}\n${extra}\n${maps.join('\n')}\n`;
}

export interface LoadedShapes {
  /** Map ids by name, the object's data sections (`.rodata`…) included under libbpf's names. */
  ids: Map<string, number>;
  /** The compiled object (for `--host objfile:`). */
  object: string;
  stop(): Promise<void>;
}

/** Compiles the shapes (with `extra` C) and loads them filled with `seed`'s entries. */
export async function loadShapes(rows: readonly MapShapeRow[], seed: number, extra = ''): Promise<LoadedShapes> {
  const dir = mkdtempSync(join(tmpdir(), 'bpfscope-shapes-'));
  const source = join(dir, 'shapes.bpf.c');
  const object = join(dir, 'shapes.bpf.o');
  writeFileSync(source, shapesSource(rows, extra));
  // <linux/bpf.h> wants the host's <asm/types.h>, which Debian keeps under the multiarch triple.
  const multiarch = `/usr/include/${execFileSync('gcc', ['-dumpmachine'], { encoding: 'utf8' }).trim()}`;
  execFileSync('clang', ['-g', '-O2', '-target', 'bpf', '-Wall', '-Werror', `-I${multiarch}`, '-c', source, '-o', object], { stdio: ['ignore', 'ignore', 'pipe'] });
  const loaded = await loadObject(object, seed, rows.map((r) => `${r.name}=${r.entries}`));
  return {
    ...loaded,
    stop: async () => {
      await loaded.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Loads any object with the system's libbpf (as a loader linking libbpf-dev would), filling
 * the maps named in `fills` (`NAME=ENTRIES`) from `seed`; held until stop().
 */
export async function loadObject(object: string, seed = 0, fills: readonly string[] = []): Promise<LoadedShapes> {
  // The fixtures' build script makes the filler (incrementally: a no-op when it is current).
  execFileSync('bash', [join(ROOT, 'build/fixtures.sh')], { stdio: ['ignore', 'ignore', 'pipe'] });
  const filler = spawn(FILLER, [object, String(seed), ...fills], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  filler.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const lines = createInterface({ input: filler.stdout });
  const first = await Promise.race([
    once(lines, 'line').then(([l]) => l as string),
    once(filler, 'exit').then(([code]) => {
      throw new Error(`map filler exited ${String(code)}: ${stderr.trim()}`);
    }),
  ]);
  const report = JSON.parse(first) as { maps: Array<{ name: string; id: number }> };
  return {
    ids: new Map(report.maps.map((m) => [m.name, m.id])),
    object,
    stop: async () => {
      const exited = once(filler, 'exit');
      filler.stdin.end();
      await exited;
    },
  };
}

// Random shapes: a grammar over the kinds bpftool prints, drawn from a seed.

const INT_TYPES = ['u8', 's8', 'u16', 's16', 'u32', 's32', 'u64', 's64', 'char', 'signed char', 'unsigned char', 'bool',
  'unsigned __int128', '__int128', 'long', 'unsigned long'];

class ShapeGrammar {
  readonly decls: string[] = [];
  private counter = 0;
  /**
   * Enums narrower than an int and typedefs of them. The kernel checks an enum member as if it
   * were int-sized ("Member exceeds struct_size") and refuses the whole object's BTF when one
   * ends less than 4 bytes before its struct's or union's end; libbpf then loads every map
   * without BTF. Such a member is followed by an int in structs and kept out of unions.
   */
  private readonly narrowEnums = new Set<string>();

  constructor(private readonly next: () => number, private readonly prefix: string) {}

  private pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }

  private int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  private fresh(what: string): string {
    return `${this.prefix}_${what}${this.counter++}`;
  }

  /** A type usable as a member (its name, declarations added as needed). */
  member(depth: number): string {
    const r = this.next();
    if (r < 0.3 || depth > 3) return this.pick(INT_TYPES);
    if (r < 0.4) return this.enumType();
    if (r < 0.5) return this.typedefChain(depth);
    if (r < 0.58) return this.pick(['void *', 'const char *', 'struct never_defined *', 'int (*)(int)']);
    if (r < 0.7) return this.compound(depth + 1, this.next() < 0.25);
    if (r < 0.72) return this.pick(['float', 'double']);
    let element = this.member(depth + 1);
    while (element.includes('(*)')) element = this.member(depth + 1);
    return `${element}[${this.int(1, 4)}]`;
  }

  private enumType(): string {
    const name = this.fresh('e');
    const wide = this.next() < 0.25;
    const packed = !wide && this.next() < 0.4 ? '__attribute__((packed)) ' : '';
    const values = Array.from({ length: this.int(1, 5) }, (_, i) => {
      const v = wide ? this.pick(['0x100000000ULL', '0xfffffffffffffff0ULL', String(i), '3']) : packed ? String(this.int(-100, 200)) : this.pick([String(i), String(-i), '5', '0x7fffffff', '-2147483647']);
      return `${name.toUpperCase()}_${i} = ${v}`;
    });
    this.decls.push(`enum ${packed}${name} { ${values.join(', ')} };`);
    if (packed) this.narrowEnums.add(`enum ${name}`);
    return `enum ${name}`;
  }

  private typedefChain(depth: number): string {
    const name = this.fresh('t');
    const quals = this.pick(['', 'const ', 'volatile ', 'const volatile ']);
    const base = this.next() < 0.5 ? this.pick(INT_TYPES) : this.member(depth + 1);
    // A pointer's own qualifiers follow its `*`: before it they would qualify what it points to,
    // and `const` twice (`const const char *`) is an error.
    this.declareArray(name, base.endsWith('*') ? `${base} ${quals}` : quals + base);
    if (this.narrowEnums.has(base)) this.narrowEnums.add(name);
    return name;
  }

  /** `typedef T name;` where T may be an array type like `u8[4]`. */
  private declareArray(name: string, type: string): void {
    const fp = /^(.*)\(\*\)(.*)$/.exec(type);
    const m = /^(.*?)((?:\[\d+\])+)$/.exec(type);
    this.decls.push(fp ? `typedef ${fp[1]}(*${name})${fp[2]};` : m ? `typedef ${m[1]} ${name}${m[2]};` : `typedef ${type} ${name};`);
  }

  /** A struct or union with members of random kinds, bitfields and char arrays among them. */
  compound(depth: number, union: boolean): string {
    const name = this.fresh(union ? 'u' : 's');
    const members: string[] = [];
    const n = this.int(1, depth > 2 ? 3 : 6);
    for (let i = 0; i < n; i++) {
      const r = this.next();
      if (!union && r < 0.15) {
        const base = this.pick(['u32', 's32', 'u64', 'u8', 'u16', 's16']);
        const max = base === 'u64' ? 63 : base.endsWith('32') ? 31 : base.endsWith('16') ? 15 : 7;
        members.push(`${base} f${i} : ${this.int(1, max)};`);
      } else if (r < 0.3) {
        members.push(`char f${i}[${this.int(1, 12)}];`);
      } else {
        let type = this.member(depth);
        while (union && this.narrowEnums.has(type)) type = this.member(depth);
        const fp = /^(.*)\(\*\)(.*)$/.exec(type);
        const arr = /^(.*?)((?:\[\d+\])+)$/.exec(type);
        if (this.narrowEnums.has(type)) members.push(`${type} f${i}; s32 f${i}_after;`);
        else members.push(fp ? `${fp[1]}(*f${i})${fp[2]};` : arr ? `${arr[1]} f${i}${arr[2]};` : `${type} f${i};`);
      }
    }
    this.decls.push(`${union ? 'union' : 'struct'} ${name} { ${members.join(' ')} };`);
    return `${union ? 'union' : 'struct'} ${name}`;
  }
}

const RANDOM_MAP_TYPES: readonly ShapeMapType[] = ['hash', 'array', 'percpu_hash', 'percpu_array', 'lru_hash'];

/** `count` maps of random key and value types (small: tests compare every entry with bpftool). */
export function randomShapes(seed: number, count: number, entries = 40): MapShapeRow[] {
  const next = prng(seed);
  const rows: MapShapeRow[] = [];
  for (let i = 0; i < count; i++) {
    const grammar = new ShapeGrammar(next, `r${i}`);
    const type = RANDOM_MAP_TYPES[Math.floor(next() * RANDOM_MAP_TYPES.length)]!;
    const array = type === 'array' || type === 'percpu_array';
    // Hash keys of at least 4 bytes hold the entry's index (unique): a u32 first.
    const key = array ? 'u32' : next() < 0.5 ? 'u64' : grammar.compound(1, false).replace(/^struct /, 'struct ');
    const value = grammar.compound(0, next() < 0.15);
    rows.push({
      name: `rnd${i}`, type, entries, key: key.startsWith('struct') ? `struct r${i}_key` : key, value,
      decls: grammar.decls.join('\n') + (key.startsWith('struct') ? `\nstruct r${i}_key { u32 index; ${key} rest; };` : ''),
      about: `random shape ${i} (seed ${seed})`,
    });
  }
  return rows;
}
