// A per-CPU map value as one tree (the host sends one decoded tree per CPU). Each leaf says
// how its CPUs were combined: a value every CPU holds is shown once; numbers that differ
// are summed by default (labelled as a sum over the CPUs, never silently); anything else is
// listed per CPU. The user can switch a field to sum, per CPU or max. Pure: no DOM.
import type { TreeNode } from '../../../../main/api/view-records.js';

export type CpuMode = 'sum' | 'cpus' | 'max';

/** How the CPUs of a leaf are shown: 'same' when every CPU holds one value. */
export type ShownMode = CpuMode | 'same';

export interface CpuLeaf {
  /** Dotted field path from the value's root: the key of the user's choice. */
  path: string;
  mode: ShownMode;
  cpus: number;
  /** Numbers: sum and max mean something, so the user may switch. */
  numeric: boolean;
  /** The mode is the user's choice, not the automatic one. */
  chosen: boolean;
  /** For 'max': the CPU holding it. */
  maxCpu?: number;
}

export interface ShownNode extends TreeNode {
  children?: ShownNode[];
  /** Set on leaves combined from several CPUs. */
  cpu?: CpuLeaf;
}

const EMPTY: TreeNode = { name: '', type: '', display: '' };

/** A plain number (or 64-bit decimal text) shown as itself: enums, chars, hex pointers are not. */
function numberOf(node: TreeNode): bigint | number | undefined {
  const { value, display } = node;
  if (typeof value === 'number' && Number.isFinite(value) && display === String(value)) return value;
  if (typeof value === 'string' && /^-?\d+$/.test(value) && display === value) return BigInt(value);
  return undefined;
}

function total(numbers: ReadonlyArray<bigint | number>): bigint | number {
  if (numbers.every((n) => typeof n === 'number')) {
    const sum = (numbers as number[]).reduce((a, b) => a + b, 0);
    if (Number.isSafeInteger(sum) || !numbers.every((n) => Number.isInteger(n))) return sum;
  }
  return numbers.reduce<bigint>((a, b) => a + BigInt(b), 0n);
}

/** The index of the largest number (the first, on ties). */
function largest(numbers: ReadonlyArray<bigint | number>): number {
  let at = 0;
  for (let i = 1; i < numbers.length; i++) if (numbers[i]! > numbers[at]!) at = i;
  return at;
}

/** What a combined number looks like in the tree and in the row's one-line summary. */
function valueOf(n: bigint | number): number | string {
  return typeof n === 'bigint' && (n > BigInt(Number.MAX_SAFE_INTEGER) || n < BigInt(Number.MIN_SAFE_INTEGER)) ? n.toString() : Number(n);
}

function leaf(nodes: readonly TreeNode[], path: string, modes: ReadonlyMap<string, CpuMode>): ShownNode {
  const first = nodes[0]!;
  const cpus = nodes.length;
  const numbers = nodes.map(numberOf);
  const numeric = numbers.every((n) => n !== undefined);
  const same = nodes.every((n) => n.display === first.display);
  const chosen = modes.get(path);
  const applies = chosen !== undefined && (numeric || chosen === 'cpus');
  const mode: ShownMode = applies ? chosen : same ? 'same' : numeric ? 'sum' : 'cpus';
  const base = { name: first.name, type: first.type };
  const info = { path, mode, cpus, numeric, chosen: applies };
  if (mode === 'same') return { ...base, display: first.display, ...(first.value !== undefined ? { value: first.value } : {}), cpu: info };
  if (mode === 'cpus') {
    const children = nodes.map((n, i): ShownNode => ({ name: `cpu ${i}`, type: '', display: n.display, ...(n.value !== undefined ? { value: n.value } : {}) }));
    return { ...base, display: `[${nodes.map((n) => n.display).join(', ')}]`, children, cpu: info };
  }
  const values = numbers as Array<bigint | number>;
  if (mode === 'max') {
    const at = largest(values);
    const value = valueOf(values[at]!);
    return { ...base, display: `max ${value}`, value, cpu: { ...info, maxCpu: at } };
  }
  const value = valueOf(total(values));
  return { ...base, display: `Σ ${value}`, value, cpu: info };
}

function combine(nodes: readonly TreeNode[], path: string, modes: ReadonlyMap<string, CpuMode>, depth: number): ShownNode {
  const first = nodes[0]!;
  if (!first.children || depth > 64) return leaf(nodes, path, modes);
  const children = first.children.map((child, i) =>
    combine(nodes.map((n) => n.children?.[i] ?? EMPTY), path ? `${path}.${child.name}` : child.name, modes, depth + 1),
  );
  return { name: first.name, type: first.type, display: first.display, children };
}

/** One tree of the CPUs' trees (a single tree is returned as it is). */
export function perCpuTree(values: readonly TreeNode[], modes: ReadonlyMap<string, CpuMode> = new Map()): ShownNode {
  if (values.length === 0) return { ...EMPTY, name: 'value' };
  if (values.length === 1) return values[0]!;
  // The host names each CPU's tree after its CPU; the combined one is the value.
  return { ...combine(values, '', modes, 0), name: 'value' };
}

/** What a combined leaf's label says, e.g. `sum over 2 CPUs`. */
export function cpuLabel(cpu: CpuLeaf): string {
  switch (cpu.mode) {
    case 'same':
      return `same on all ${cpu.cpus} CPUs`;
    case 'sum':
      return `sum over ${cpu.cpus} CPUs`;
    case 'max':
      return `max over ${cpu.cpus} CPUs (CPU ${cpu.maxCpu})`;
    case 'cpus':
      return `per CPU (${cpu.cpus})`;
  }
}
