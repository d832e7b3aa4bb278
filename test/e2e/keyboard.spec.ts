// The dashboard from the keyboard alone, in Chromium through `serve`: Ctrl+K reaches a
// program held back from running (loaded, not attached) by its name and opens its
// highlighted bytecode; ids reach objects too; `?` lists every shortcut and Esc closes it
// without leaving the view; `/` focuses the list's filter; a copied link (filter, tab, host)
// reopens the same view; Tab reaches every control of the page.
import { expect, test, type Page } from '@playwright/test';
import type { FixtureProgram } from '../helpers/fixtures.js';
import { serveWithFixtures } from './serve-fixtures.js';

const served = serveWithFixtures();
const open = served.open;

/** A fixture program that is loaded but runs nowhere: this kernel could not attach it. */
function heldBack(): FixtureProgram {
  const program = served.fixtures().report.programs.find((p) => p.reason !== undefined && p.via !== 'link');
  if (!program) throw new Error(`no held-back fixture program in ${JSON.stringify(served.fixtures().report.programs.map((p) => [p.name, p.via]))}`);
  return program;
}

test('Ctrl+K, a held-back program\'s name, Enter: its highlighted bytecode, from the keyboard alone', async ({ page }) => {
  await page.setViewportSize({ width: 1400, height: 900 });
  await open(page, '#/local/overview');
  await expect(page.locator('[data-count="programs"]')).not.toHaveText('0', { timeout: 20_000 });
  const program = heldBack();
  await page.keyboard.press('Control+k');
  const palette = page.getByRole('dialog', { name: 'Go to anything' });
  await expect(palette).toBeVisible();
  await expect(palette.getByRole('combobox')).toBeFocused();
  // Its id is unique; typed after the name, the exact program comes first.
  await page.keyboard.type(program.kernel_name);
  await expect(palette.getByRole('option').first()).toContainText(program.kernel_name);
  await page.keyboard.press('Control+a');
  await page.keyboard.type(String(program.id));
  await expect(palette.getByRole('option', { selected: true })).toContainText(`id ${program.id}`);
  await page.keyboard.press('Enter');
  await expect(palette).toBeHidden();
  await expect(page).toHaveURL(new RegExp(`#/local/programs/${program.id}$`));
  const listing = page.locator('[data-listing]');
  await expect(listing.locator('.insn').first()).toBeVisible({ timeout: 20_000 });
  for (const kind of ['opcode', 'register', 'keyword']) await expect(listing.locator(`.t-${kind}`).first()).toBeVisible();

  // By name alone, typed as a newcomer would (fuzzy, no underscore), on the program list.
  await page.keyboard.press('Control+k');
  await page.keyboard.type('countgetpid');
  await expect(palette.getByRole('option', { selected: true })).toContainText('count_getpid');
  await page.keyboard.press('Enter');
  await expect(page.locator('main h2')).toContainText('count_getpid', { timeout: 20_000 });
  await expect(page.locator('[data-listing] .t-helper').first()).toBeVisible({ timeout: 20_000 });
});

test('? lists every shortcut; Esc closes it and the palette without leaving the view; / focuses the filter', async ({ page }) => {
  await page.setViewportSize({ width: 1400, height: 900 });
  await open(page, '#/local/maps');
  await expect(page.getByRole('grid', { name: 'Maps' })).toBeVisible({ timeout: 20_000 });
  const url = page.url();
  await page.keyboard.press('?');
  const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
  await expect(help).toBeVisible();
  for (const key of ['Ctrl+K', '/', 'p', '?', 'Esc']) await expect(help.locator('kbd', { hasText: new RegExp(`^${key.replace(/[?+]/g, '\\$&')}$`) })).toHaveCount(1);
  await page.keyboard.press('Escape');
  await expect(help).toBeHidden();
  await page.keyboard.press('Control+k');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Escape');
  await expect(page.getByRole('dialog', { name: 'Go to anything' })).toBeHidden();
  expect(page.url()).toBe(url);
  await page.keyboard.press('/');
  await expect(page.getByLabel('Filter maps')).toBeFocused();
  await page.keyboard.type('hash_map');
  await expect(page).toHaveURL(/#\/local\/maps\?q=hash_map$/);
});

test('a copied link reopens the view: host, filter, facets and a program\'s tab', async ({ page, context }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: served.server().origin });
  await page.setViewportSize({ width: 1400, height: 900 });
  await open(page, '#/local/programs');
  await expect(page.getByRole('grid', { name: 'Programs' })).toBeVisible({ timeout: 20_000 });
  await page.getByLabel('Type of programs').selectOption('tracepoint');
  await page.getByLabel('Filter programs').fill('getpid');
  await page.getByRole('button', { name: 'Copy link' }).click();
  await expect(page.getByRole('button', { name: 'Copied' })).toBeVisible();
  const link = await page.evaluate(() => navigator.clipboard.readText());
  expect(link).toMatch(/#\/local\/programs\?q=getpid&f\.Type=tracepoint$/);
  const again = await context.newPage();
  await again.goto(link);
  await expect(again.getByLabel('Filter programs')).toHaveValue('getpid', { timeout: 20_000 });
  await expect(again.getByLabel('Type of programs')).toHaveValue('tracepoint');
  await expect(again.getByRole('grid', { name: 'Programs' }).locator('[data-id]').first()).toContainText('getpid', { timeout: 20_000 });

  const program = served.fixtures().program('count_getpid');
  await open(page, `#/local/programs/${program.id}`);
  await page.getByRole('tab', { name: 'Control flow' }).click();
  await expect(page).toHaveURL(new RegExp(`#/local/programs/${program.id}\\?tab=cfg$`));
  await again.goto(page.url());
  await expect(again.getByRole('tab', { name: 'Control flow' })).toHaveAttribute('aria-selected', 'true', { timeout: 20_000 });
  await expect(again.getByRole('group', { name: 'Control-flow graph' })).toBeVisible({ timeout: 20_000 });
});

test('Tab reaches every control: top bar, hosts, views, filters, rows', async ({ page }) => {
  await page.setViewportSize({ width: 1400, height: 900 });
  await open(page, '#/local/programs');
  await expect(page.getByRole('grid', { name: 'Programs' }).locator('[data-id]').first()).toBeVisible({ timeout: 20_000 });
  const reached = new Set<string>();
  for (let i = 0; i < 60; i++) {
    await page.keyboard.press('Tab');
    reached.add(await page.evaluate(() => {
      const el = document.activeElement as HTMLElement | null;
      if (el?.closest('[role=grid]') && el.tagName === 'A') return 'row link';
      return el ? `${el.tagName.toLowerCase()}:${el.getAttribute('aria-label') ?? el.textContent?.trim().slice(0, 40) ?? ''}` : '';
    }));
  }
  for (const control of ['button:Go to anything…Ctrl K', 'button:Keyboard shortcuts', 'button:Pause', 'button:Copy link', 'button:Dark theme',
    'a:local', 'input:Host to add', 'input:Open snapshot or object file…', 'a:Programs', 'select:Type of programs', 'input:Filter programs', 'button:Refresh']) {
    expect([...reached].some((r) => r.startsWith(control)), `${control} in ${[...reached].join(' | ')}`).toBe(true);
  }
  expect(reached.has('row link'), 'a table row').toBe(true);
});
