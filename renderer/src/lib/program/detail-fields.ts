// A program's metadata as the detail shows it: the load time as a date and how long
// ago (the API carries bpftool's epoch seconds), sizes with their digits grouped.

function ago(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 120) return `${s} s ago`;
  if (s < 7200) return `${Math.round(s / 60)} min ago`;
  if (s < 2 * 86400) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86400)} days ago`;
}

export function fieldText(field: string, value: unknown, nowMs = Date.now()): string {
  if (field === 'loaded_at' && typeof value === 'number') {
    // sv-SE writes local time as `2026-11-26 04:58:18`.
    return `${new Date(value * 1000).toLocaleString('sv-SE')} (${ago(nowMs - value * 1000)})`;
  }
  if (field.startsWith('bytes_') && typeof value === 'number') return `${value.toLocaleString('en')} B`;
  return String(value);
}
