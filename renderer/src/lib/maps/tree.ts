// Pure helpers for value trees: one-line summaries, export, numeric fields (per-CPU values: per-cpu.ts).
import type { MapRow, TreeNode } from '../../../../main/api/view-records.js';

const MAX_SUMMARY = 160;

/** `{a=1, b={c=2}}` style text of a tree, cut at MAX_SUMMARY characters. */
export function summarize(node: TreeNode, depth = 0): string {
  if (!node.children || depth > 3) return node.display;
  const inner = node.children.map((c) => `${c.name}=${summarize(c, depth + 1)}`).join(', ');
  const text = `{${inner}}`;
  return text.length > MAX_SUMMARY ? `${text.slice(0, MAX_SUMMARY - 1)}…` : text;
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
    // Per-CPU values: one column set per CPU (cpu0.value.x, cpu1.value.x, …).
    const values = row.values ?? [];
    values.forEach((value, cpu) => leaves(value, values.length > 1 ? `cpu${cpu}` : '', out));
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
