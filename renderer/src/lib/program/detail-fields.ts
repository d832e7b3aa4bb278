// A program's or map's metadata as the details show it: the load time as a date and how long
// ago (the API carries bpftool's epoch seconds), sizes and counts with their digits grouped,
// flags in hex as bpftool prints them, frozen as yes or no.

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
  if ((field === 'max_entries' || field === 'verified_insns') && typeof value === 'number') return value.toLocaleString('en');
  if (field === 'flags' && typeof value === 'number') return `0x${value.toString(16)}`;
  if (field === 'frozen' && typeof value === 'number') return value ? 'yes' : 'no';
  return String(value);
}
