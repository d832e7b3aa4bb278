// Per-CPU values as one tree: a value every CPU holds shown once, numbers that differ summed
// and labelled as a sum over the CPUs, the rest per CPU; the user's choice per field (sum,
// per CPU, max) wins where it means something; 64-bit counters summed exactly.
import { describe, expect, it } from 'vitest';
import type { TreeNode } from '../../../main/api/view-records.js';
import { cpuLabel, perCpuTree, type ShownNode } from '../../../renderer/src/lib/maps/per-cpu.js';
import { summarize } from '../../../renderer/src/lib/maps/tree.js';

const num = (name: string, value: number | string): TreeNode => ({ name, type: 'u64', display: String(value), value });
/** struct fixture_flow of the fixtures: key 0 on cpu c. */
const flow = (cpu: number): TreeNode => ({
  name: 'value', type: 'struct fixture_flow', display: '',
  children: [num('proto', 17), num('port', 1000), num('packets', 10 + cpu), num('bytes', (10 + cpu) * 100)],
});
const field = (tree: ShownNode, name: string): ShownNode => tree.children!.find((c) => c.name === name)!;

describe('per-CPU values', () => {
  it('shows what every CPU holds once and sums, labelled, what differs', () => {
    const tree = perCpuTree([flow(0), flow(1)]);
    expect(field(tree, 'proto')).toMatchObject({ display: '17', value: 17, cpu: { mode: 'same', cpus: 2 } });
    expect(field(tree, 'packets')).toMatchObject({ display: 'Σ 21', value: 21, cpu: { mode: 'sum', cpus: 2, path: 'packets' } });
    expect(cpuLabel(field(tree, 'proto').cpu!)).toBe('same on all 2 CPUs');
    expect(cpuLabel(field(tree, 'packets').cpu!)).toBe('sum over 2 CPUs');
    expect(summarize(tree)).toBe('{proto=17, port=1000, packets=Σ 21, bytes=Σ 2100}');
  });

  it('switches a field to per CPU or max at the user\'s choice', () => {
    const tree = perCpuTree([flow(0), flow(1), flow(2)], new Map([['packets', 'cpus'], ['bytes', 'max'], ['proto', 'sum']]));
    expect(field(tree, 'packets')).toMatchObject({ display: '[10, 11, 12]', cpu: { mode: 'cpus' } });
    expect(field(tree, 'packets').children!.map((c) => `${c.name}=${c.display}`)).toEqual(['cpu 0=10', 'cpu 1=11', 'cpu 2=12']);
    expect(field(tree, 'bytes')).toMatchObject({ display: 'max 1200', cpu: { mode: 'max', maxCpu: 2 } });
    expect(cpuLabel(field(tree, 'bytes').cpu!)).toBe('max over 3 CPUs (CPU 2)');
    // Asked for, a sum of an identifier is shown (and labelled as one).
    expect(field(tree, 'proto')).toMatchObject({ display: 'Σ 51' });
  });

  it('never sums what is not a plain number: enums and text are listed per CPU when they differ', () => {
    const color = (display: string, value: number): TreeNode => ({ name: 'color', type: 'enum c', display, value });
    const tree = perCpuTree([
      { name: 'value', type: 's', display: '', children: [color('RED', 0), { name: 'comm', type: 'char[4]', display: 'ab', value: 'ab' }] },
      { name: 'value', type: 's', display: '', children: [color('BLUE', 2), { name: 'comm', type: 'char[4]', display: 'ab', value: 'ab' }] },
    ], new Map([['color', 'sum']]));
    expect(field(tree, 'color')).toMatchObject({ display: '[RED, BLUE]', cpu: { mode: 'cpus', numeric: false } });
    expect(field(tree, 'comm')).toMatchObject({ display: 'ab', cpu: { mode: 'same' } });
  });

  it('sums 64-bit counters past 2^53 exactly, and leaves a single value (not per-CPU) alone', () => {
    const big = perCpuTree([num('n', '18446744073709551000'), num('n', 615)]);
    expect(big).toMatchObject({ display: 'Σ 18446744073709551615', value: '18446744073709551615' });
    const one = flow(0);
    expect(perCpuTree([one])).toBe(one);
  });
});
