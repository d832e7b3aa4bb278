// Every view in both themes, in Chromium through `serve` against the fixtures: axe-core finds
// no serious or critical accessibility violation; no control keeps the browser's own look; the
// theme switch is remembered and drawn (page and charts); each view is photographed in both
// themes (test-results/screens/, and docs/screenshots/ for the README).
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { expectMapListed, serveWithFixtures } from './serve-fixtures.js';
import { REPO_ROOT } from './server-process.js';

const served = serveWithFixtures(async (fixtures) => {
  await fixtures.trigger('getpid', 100);
});

type Theme = 'light' | 'dark';

interface View {
  name: string;
  /** The route to open, from the fixtures' ids. */
  hash: () => string;
  /** Waits until the view shows its content (and does what the photo should show). */
  ready: (page: Page) => Promise<void>;
  /** Named in the README (docs/screenshots/NAME.png, NAME-dark.png). */
  readme?: boolean;
}

const VIEWS: View[] = [
  {
    name: 'overview', hash: () => '#/local/overview', readme: true,
    ready: async (page) => {
      await expect(page.locator('[data-stats-state]')).toHaveText('on', { timeout: 20_000 });
      await expect.poll(async () => Number(await page.locator('[data-chart="Events/s, all programs"]').getAttribute('data-points')), { timeout: 20_000 }).toBeGreaterThan(2);
    },
  },
  {
    name: 'programs', hash: () => '#/local/programs?q=getpid', readme: true,
    ready: async (page) => {
      await expect(page.getByRole('grid', { name: 'Programs' }).locator('[data-id]').first()).toBeVisible({ timeout: 20_000 });
    },
  },
  {
    name: 'program-detail', hash: () => `#/local/programs/${served.fixtures().program('count_getpid').id}`, readme: true,
    ready: async (page) => {
      await expect(page.locator('[data-listing] .t-helper').first()).toBeVisible({ timeout: 20_000 });
      await expect(page.locator('[data-attach]')).toContainText(/getpid/, { timeout: 20_000 });
    },
  },
  {
    name: 'program-cfg', hash: () => `#/local/programs/${served.fixtures().program('count_getpid').id}?tab=cfg`, readme: true,
    ready: async (page) => {
      await expect(page.getByRole('group', { name: 'Control-flow graph' })).toBeVisible({ timeout: 20_000 });
    },
  },
  {
    name: 'program-jit', hash: () => `#/local/programs/${served.fixtures().program('count_getpid').id}?tab=jit`,
    ready: async (page) => {
      await expect(page.locator('[data-jit]')).toContainText(/push|mov/, { timeout: 20_000 });
    },
  },
  {
    name: 'maps', hash: () => '#/local/maps', readme: true,
    ready: async (page) => {
      await expectMapListed(page);
    },
  },
  {
    name: 'map-detail', hash: () => `#/local/maps/${served.fixtures().map('getpid_counts').id}`, readme: true,
    ready: async (page) => {
      await page.locator('[data-map-rows] [data-key]').first().click({ timeout: 20_000 });
      await expect(page.getByRole('tree')).toContainText('calls');
      await expect(page.locator('[data-entries]')).toContainText('live', { timeout: 10_000 });
    },
  },
  {
    name: 'map-percpu', hash: () => `#/local/maps/${served.fixtures().map('percpu_flows').id}`, readme: true,
    ready: async (page) => {
      await page.locator('[data-map-rows] [data-key]').first().click({ timeout: 20_000 });
      await expect(page.locator('[data-cpu-mode]').first()).toBeVisible();
    },
  },
  {
    name: 'ringbuf', hash: () => `#/local/maps/${served.fixtures().map('ring').id}`,
    ready: async (page) => {
      await expect(page.locator('[data-ringbuf-fill]')).toBeVisible({ timeout: 20_000 });
    },
  },
  {
    name: 'links', hash: () => '#/local/links', readme: true,
    ready: async (page) => {
      await expect(page.getByRole('grid', { name: 'Links' }).locator('[data-id]').first()).toBeVisible({ timeout: 20_000 });
    },
  },
  {
    name: 'btf', hash: () => '#/local/btf?q=task_struct', readme: true,
    ready: async (page) => {
      await page.getByRole('link', { name: 'struct task_struct', exact: true }).click({ timeout: 20_000 });
      await expect(page.locator('[data-btf-c]')).toContainText('struct task_struct {', { timeout: 20_000 });
    },
  },
  {
    name: 'diagnostics', hash: () => '#/local/diagnostics',
    ready: async (page) => {
      await expect(page.locator('main tbody tr').first()).toBeVisible({ timeout: 20_000 });
    },
  },
  {
    name: 'fleet', hash: () => '#/local/fleet',
    ready: async (page) => {
      await expect(page.getByRole('grid', { name: 'Programs on all hosts' })).toBeVisible({ timeout: 20_000 });
    },
  },
  {
    name: 'palette', hash: () => '#/local/overview', readme: true,
    ready: async (page) => {
      await expect(page.locator('[data-count="programs"]')).not.toHaveText('0', { timeout: 20_000 });
      await page.keyboard.press('Control+k');
      await page.keyboard.type('getpid');
      await expect(page.getByRole('option').first()).toBeVisible();
    },
  },
  {
    name: 'shortcuts', hash: () => '#/local/overview',
    ready: async (page) => {
      await page.locator('main h2').first().click();
      await page.keyboard.press('?');
      await expect(page.getByRole('dialog', { name: 'Keyboard shortcuts' })).toBeVisible();
    },
  },
];

async function open(page: Page, hash: string, theme: Theme): Promise<void> {
  // The choice as the switch remembers it, there before the page's first script reads it.
  await page.addInitScript((t) => localStorage.setItem('bpfscope.theme', t), theme);
  await page.goto(new URL(hash, served.server().url).href);
  await expect(page.locator('html')).toHaveAttribute('data-theme', theme);
}

/** Controls that still wear the browser's look: UA button grey, native select arrows, a visible file input. */
async function unstyledControls(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const found: string[] = [];
    const native = new Set(['rgb(239, 239, 239)', 'rgb(240, 240, 240)', 'rgb(233, 233, 237)', 'buttonface']);
    for (const el of document.querySelectorAll<HTMLElement>('button, input, select, textarea')) {
      const style = getComputedStyle(el);
      if (style.display === 'none' || style.visibility === 'hidden') continue;
      const name = `${el.tagName.toLowerCase()} ${el.getAttribute('aria-label') ?? el.textContent?.trim().slice(0, 30) ?? ''}`;
      if (native.has(style.backgroundColor)) found.push(`${name}: UA background`);
      if (el.tagName === 'SELECT' && style.appearance !== 'none') found.push(`${name}: native appearance`);
      if (el instanceof HTMLInputElement && el.type === 'file' && el.getBoundingClientRect().width > 1) found.push(`${name}: bare file input`);
    }
    return found;
  });
}

async function photograph(page: Page, view: View, theme: Theme): Promise<void> {
  const name = `${view.name}${theme === 'dark' ? '-dark' : ''}.png`;
  const path = join(REPO_ROOT, 'test-results', 'screens', name);
  mkdirSync(join(REPO_ROOT, 'test-results', 'screens'), { recursive: true });
  await page.screenshot({ path });
  if (!view.readme) return;
  mkdirSync(join(REPO_ROOT, 'docs', 'screenshots'), { recursive: true });
  copyFileSync(path, join(REPO_ROOT, 'docs', 'screenshots', name));
}

for (const theme of ['light', 'dark'] as const) {
  for (const view of VIEWS) {
    test(`${view.name} in the ${theme} theme: no serious or critical axe violation, every control styled`, async ({ page }) => {
      await page.setViewportSize({ width: 1400, height: 900 });
      await open(page, view.hash(), theme);
      await view.ready(page);
      // Flashes and fades finished: axe reads colours as they settle.
      await page.waitForTimeout(1300);
      const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
      const serious = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
      const report = serious.map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join('; ')}`);
      const others = results.violations.map((v) => `${v.id} (${v.impact})`).join(', ') || 'none';
      test.info().annotations.push({ type: 'axe', description: `${view.name}/${theme}: ${serious.length} serious or critical; all violations: ${others}; ${results.passes.length} rules passed` });
      expect(report, 'serious or critical axe violations').toEqual([]);
      expect(await unstyledControls(page)).toEqual([]);
      await photograph(page, view, theme);
    });
  }
}

test('the theme switch is remembered, follows the system when asked, and redraws the page and its charts', async ({ page }) => {
  await page.setViewportSize({ width: 1400, height: 900 });
  await page.emulateMedia({ colorScheme: 'light' });
  await page.goto(served.server().url);
  await page.evaluate(() => localStorage.removeItem('bpfscope.theme'));
  await page.goto(new URL('#/local/overview', served.server().url).href);
  const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  await expect(page.locator('html')).not.toHaveAttribute('data-theme');
  const light = await background();
  const chart = page.locator('[data-chart="Events/s, all programs"] canvas');
  await expect(chart).toBeVisible({ timeout: 20_000 });
  await page.getByRole('button', { name: 'Dark theme' }).click();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  expect(await background()).not.toBe(light);
  const dark = await background();
  await page.reload();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  expect(await background()).toBe(dark);
  await expect(page.getByRole('button', { name: 'Dark theme' })).toHaveAttribute('aria-pressed', 'true');
  // The system's choice again: light here, dark when the OS switches.
  await page.getByRole('button', { name: 'Follow the system theme' }).click();
  await expect(page.locator('html')).not.toHaveAttribute('data-theme');
  expect(await background()).toBe(light);
  await page.emulateMedia({ colorScheme: 'dark' });
  await expect.poll(background).toBe(dark);
});
