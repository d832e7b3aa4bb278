// Pure helpers for value trees: one-line summaries, per-CPU aggregation, export.
import type { MapRow, TreeNode } from '../../../../main/api/view-records.js';

const MAX_SUMMARY = 160;

/** `{a=1, b={c=2}}` style text of a tree, cut at MAX_SUMMARY characters. */
export function summarize(node: TreeNode, depth = 0): string {
  if (!node.children || depth > 3) return node.display;
  const inner = node.children.map((c) => `${c.name}=${summarize(c, depth + 1)}`).join(', ');
  const text = `{${inner}}`;
  return text.length > MAX_SUMMARY ? `${text.slice(0, MAX_SUMMARY - 1)}…` : text;
}

/** Per-CPU values as one tree: numeric leaves become `sum (min..max)`. */
export function aggregateCpus(values: TreeNode[]): TreeNode {
  const [first] = values;
  if (!first) return { name: 'value', type: '', display: '' };
  if (values.length === 1) return first;
  const children = first.children?.map((_, i) => aggregateCpus(values.map((v) => v.children?.[i] ?? { name: '', type: '', display: '' })));
  const numbers = values.map((v) => v.value).filter((v): v is number => typeof v === 'number');
  if (!children && numbers.length === values.length) {
    const sum = numbers.reduce((a, b) => a + b, 0);
    return { name: first.name, type: first.type, value: sum, display: `${sum} (min ${Math.min(...numbers)}, max ${Math.max(...numbers)})` };
  }
  return children ? { name: 'sum', type: first.type, display: first.display, children } : first;
}

function leaves(node: TreeNode, prefix: string, out: Record<string, string>): void {
  const path = prefix ? `${prefix}.${node.name}` : node.name;
  if (!node.children) out[path] = node.display;
  else for (const child of node.children) leaves(child, path, out);
}

/** Rows as CSV: key and value leaves flattened to dotted columns. */
export function rowsToCsv(rows: MapRow[]): string {
  const records = rows.map((row) => {
    const out: Record<string, string> = {};
    leaves(row.key, '', out);
    for (const value of row.values ?? []) leaves(value, '', out);
    return out;
  });
  const columns = [...new Set(records.flatMap((r) => Object.keys(r)))];
  const quote = (s: string): string => (/[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s);
  return [columns.join(','), ...records.map((r) => columns.map((c) => quote(r[c] ?? '')).join(','))].join('\n') + '\n';
}

/** Numeric leaf paths of a value tree (what can be pinned to a chart). */
export function numericPaths(node: TreeNode, prefix = ''): string[] {
  const path = prefix ? `${prefix}.${node.name}` : '';
  if (!node.children) return typeof node.value === 'number' ? [path || node.name] : [];
  return node.children.flatMap((child) => numericPaths(child, path));
}
