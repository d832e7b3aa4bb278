// The chart colours of the current theme, resolved from the tokens (tokens.css) to plain
// rgb() strings: ECharts draws on a canvas (in a worker, for line charts) where CSS
// variables mean nothing.

export interface ChartPalette {
  dark: boolean;
  text: string;
  muted: string;
  axis: string;
  grid: string;
  surface: string;
  border: string;
  accent: string;
  series: string[];
}

export const SERIES_COUNT = 9;

/** The variable behind series `index`'s colour, for HTML beside a chart (legend swatches). */
export function seriesVar(index: number): string {
  return `var(--series-${(index % SERIES_COUNT) + 1})`;
}

const FALLBACK: ChartPalette = {
  dark: false,
  text: '#1a1f29',
  muted: '#555e6e',
  axis: '#8a93a3',
  grid: '#e6e9ee',
  surface: '#ffffff',
  border: '#dde1e7',
  accent: '#2155cd',
  series: ['#2f6bf0', '#16a34a', '#d97706', '#dc2626', '#0891b2', '#7c3aed', '#db2777', '#65a30d', '#475569'],
};

/** Reads the tokens through a probe element's computed colour (light-dark() resolved for the
 * theme in force). Without a document (unit tests of pure code) the light values. */
export function readPalette(root: HTMLElement | undefined = globalThis.document?.documentElement): ChartPalette {
  if (!root || typeof getComputedStyle !== 'function') return FALLBACK;
  const probe = document.createElement('span');
  probe.hidden = true;
  root.append(probe);
  const color = (token: string): string => {
    probe.style.color = `var(${token})`;
    return getComputedStyle(probe).color || FALLBACK.text;
  };
  const palette: ChartPalette = {
    dark: isDark(root),
    text: color('--text'),
    muted: color('--chart-text'),
    axis: color('--chart-axis'),
    grid: color('--chart-grid'),
    surface: color('--surface'),
    border: color('--border'),
    accent: color('--accent'),
    series: Array.from({ length: SERIES_COUNT }, (_, i) => color(`--series-${i + 1}`)),
  };
  probe.remove();
  return palette;
}

/** The user's choice, else the OS setting. */
function isDark(root: HTMLElement): boolean {
  if (root.dataset.theme) return root.dataset.theme === 'dark';
  return globalThis.matchMedia?.('(prefers-color-scheme: dark)').matches ?? false;
}
