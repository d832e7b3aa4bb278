// Numbers as a person reads them at a glance; shared by the summaries the host writes and the
// live rates the dashboard puts in their place.

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
