// Live points as the host sends them, columnar ({timeMs: [...], field: [...]}: the first
// push carries the history it kept), appended to per-field point lists for the charts.

export type PointLists<F extends string> = Record<F, Array<[number, number]>>;

/** Points kept per field: an hour at 1 s. */
export const MAX_POINTS = 3600;

export function emptyPoints<F extends string>(fields: readonly F[]): PointLists<F> {
  return Object.fromEntries(fields.map((f) => [f, []])) as unknown as PointLists<F>;
}

/** Pure: `columns` appended to `current` (unchanged when empty), bounded to MAX_POINTS. */
export function appendColumns<F extends string>(fields: readonly F[], current: PointLists<F>, columns: Record<string, number[]> | undefined): PointLists<F> {
  const times = columns?.timeMs;
  if (!columns || !times || times.length === 0) return current;
  const next = { ...current };
  for (const field of fields) {
    const values = columns[field] ?? [];
    const added = times.map((t, i) => [t, values[i] ?? 0] as [number, number]);
    next[field] = current[field].concat(added).slice(-MAX_POINTS);
  }
  return next;
}
