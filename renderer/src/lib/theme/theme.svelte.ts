// The app's theme: the user's choice (remembered), whether that means dark now (the OS
// decides for 'system'), and the chart palette read from the tokens for that theme, so
// ECharts (canvas, or a worker with no CSS) draws in the page's colours.
import { applyTheme, nextTheme, rememberTheme, storedTheme, type ThemeChoice } from './theme-choice.js';
import { readPalette, type ChartPalette } from './palette.js';

export class Theme {
  choice = $state<ThemeChoice>('system');
  private systemDark = $state(false);
  readonly dark = $derived(this.choice === 'dark' || (this.choice === 'system' && this.systemDark));
  palette = $state.raw<ChartPalette>(readPalette());

  constructor() {
    this.choice = storedTheme();
    const scheme = globalThis.matchMedia?.('(prefers-color-scheme: dark)');
    if (!scheme) return;
    this.systemDark = scheme.matches;
    scheme.addEventListener('change', () => {
      this.systemDark = scheme.matches;
      this.palette = readPalette();
    });
  }

  choose(choice: ThemeChoice): void {
    this.choice = choice;
    rememberTheme(choice);
    applyTheme(choice);
    this.palette = readPalette();
  }

  /** The switch in the top bar: system → light → dark. */
  cycle(): void {
    this.choose(nextTheme(this.choice));
  }
}

/** One per page: every chart and the switch share it. */
export const theme = new Theme();
