// Words a person reads at a glance; shared by the summaries the host writes and the dashboard
// (live rates in place of the host's counters, a program no process holds).

/** `12.3 k`, `1.2 M`, `810`. */
export function shortNumber(n: number): string {
  const abs = Math.abs(n);
  if (abs >= 1e9) return `${(n / 1e9).toFixed(1)} G`;
  if (abs >= 1e6) return `${(n / 1e6).toFixed(1)} M`;
  if (abs >= 1e4) return `${(n / 1e3).toFixed(1)} k`;
  return abs >= 100 || Number.isInteger(n) ? String(Math.round(n)) : n.toFixed(1);
}

/** `12.3 k runs/s, 810 ns avg`. */
export function rateWords(runsPerSec: number, avgRunNs: number | undefined): string {
  return `${shortNumber(runsPerSec)} runs/s${avgRunNs ? `, ${shortNumber(avgRunNs)} ns avg` : ''}`;
}

/**
 * Why a program no process holds is still loaded: what it is attached to keeps it; nothing but a
 * pin in bpffs (or a link on it, fentry/freplace) keeps one that is attached nowhere.
 */
export function unheldWords(attached: boolean): string {
  return attached ? 'kept by what it is attached to' : 'pinned in bpffs, or kept by a link on it';
}
