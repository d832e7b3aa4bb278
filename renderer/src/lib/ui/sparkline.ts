// A sparkline as an SVG polyline: pure, so it is tested without a DOM.

/** `points` attribute for values scaled into a w×h box (0 at the bottom, the max at the top). */
export function sparkPoints(values: number[], width: number, height: number): string {
  if (values.length === 0) return '';
  const max = Math.max(...values, 0);
  const step = values.length > 1 ? width / (values.length - 1) : 0;
  const y = (v: number): number => (max > 0 ? height - (Math.max(0, v) / max) * (height - 1) : height) - 0.5;
  return values.map((v, i) => `${(i * step).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
}
