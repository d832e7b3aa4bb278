// The theme choice (remembered, cycled) and the ECharts theme built from the tokens' colours.
import { describe, expect, it } from 'vitest';
import { chartTheme, withAlpha } from '../../../renderer/src/lib/charts/chart-options.js';
import { readPalette, seriesVar, SERIES_COUNT } from '../../../renderer/src/lib/theme/palette.js';
import { nextTheme, rememberTheme, storedTheme } from '../../../renderer/src/lib/theme/theme-choice.js';

function memoryStorage(): Pick<Storage, 'getItem' | 'setItem'> {
  const items = new Map<string, string>();
  return { getItem: (key) => items.get(key) ?? null, setItem: (key, value) => void items.set(key, value) };
}

describe('theme choice', () => {
  it('is remembered, and is system when nothing (or nonsense) was stored', () => {
    const storage = memoryStorage();
    expect(storedTheme(storage)).toBe('system');
    rememberTheme('dark', storage);
    expect(storedTheme(storage)).toBe('dark');
    storage.setItem('bpfscope.theme', 'purple');
    expect(storedTheme(storage)).toBe('system');
  });

  it('survives storage that throws (a private window)', () => {
    const refusing = { getItem: () => { throw new Error('denied'); }, setItem: () => { throw new Error('denied'); } };
    expect(storedTheme(refusing)).toBe('system');
    expect(() => rememberTheme('light', refusing)).not.toThrow();
  });

  it('cycles system, light, dark', () => {
    expect([nextTheme('system'), nextTheme('light'), nextTheme('dark')]).toEqual(['light', 'dark', 'system']);
  });
});

describe('chart theme', () => {
  const palette = { ...readPalette(undefined), dark: true, text: 'rgb(228, 232, 238)', muted: 'rgb(160, 169, 184)', accent: 'rgb(110, 162, 255)' };

  it('draws text, axes and tooltip in the palette, on a transparent background', () => {
    const theme = chartTheme(palette) as Record<string, any>;
    expect(theme.backgroundColor).toBe('transparent');
    expect(theme.color).toEqual(palette.series);
    expect(theme.textStyle.color).toBe(palette.text);
    for (const axis of ['valueAxis', 'timeAxis', 'categoryAxis']) {
      expect(theme[axis].axisLabel.color).toBe(palette.muted);
      expect(theme[axis].splitLine.lineStyle.color).toBe(palette.grid);
    }
    expect(theme.tooltip).toMatchObject({ backgroundColor: palette.surface, textStyle: { color: palette.text } });
    expect(theme.dataZoom.fillerColor).toBe('rgba(110, 162, 255, 0.15)');
  });

  it('names the token of each series colour, coming round after the last', () => {
    expect(seriesVar(0)).toBe('var(--series-1)');
    expect(seriesVar(SERIES_COUNT)).toBe('var(--series-1)');
    expect(withAlpha('rgb(1, 2, 3)', 0.5)).toBe('rgba(1, 2, 3, 0.5)');
  });
});
