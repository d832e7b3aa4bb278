// Lists of more rows than Chromium can give rows of their own height (an element stops at
// 2^25 = 33.5 M px): their scroll range is capped, yet their middle and their very last row
// are reached by the scrollbar, the wheel and focus, with the same few rows in the DOM.
// - a 1.4 M-entry hash map (26 px rows: 36.4 M px) through `serve`;
// - VirtualRows alone over 2 M rows in a page bundled by vite (virtual-rows-harness/).
import { expect, test, type Locator, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { loadBigHash, type BigHash } from '../helpers/big-hash.js';
import { ensureKernelEnv } from '../helpers/kernel-env.js';
import { REPO_ROOT, startServe, type ServeProcess } from './server-process.js';

const ENTRIES = 1_400_000;
const HARNESS_ROWS = 2_000_000;
const ROW = 26;
const CHROMIUM_MAX_HEIGHT = 2 ** 25;

/** The rows on screen once the host's pages for them have arrived (no '…' placeholders). */
async function settledRows(list: Locator): Promise<number[]> {
  await expect(list.locator('.note')).toHaveCount(0, { timeout: 10_000 });
  return list.locator('[role=row]').evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('aria-rowindex'))));
}

function firstRowIndex(grid: Locator): Promise<number> {
  return grid.evaluate((el) => Number(el.querySelector('[role=row]')?.getAttribute('aria-rowindex')));
}

function lastRowIndex(grid: Locator): Promise<number> {
  return grid.evaluate((el) => Number(el.querySelector('[role=row]:last-child')?.getAttribute('aria-rowindex')));
}

test.describe('a hash map through serve', () => {
  let server: ServeProcess;
  let map: BigHash;

  test.beforeAll(async () => {
    test.setTimeout(120_000);
    const problem = ensureKernelEnv();
    if (problem) throw new Error(problem);
    map = await loadBigHash(ENTRIES);
    server = await startServe();
  });

  test.afterAll(async () => {
    await server?.stop();
    await map?.stop();
  });

  test(`a ${ENTRIES.toLocaleString('en')}-entry map scrolls to its last entry`, async ({ page }) => {
    test.setTimeout(30_000);
    await page.setViewportSize({ width: 1400, height: 1000 });
    await page.goto(server.url);
    await page.evaluate((h) => (location.hash = h), `#/local/maps/${map.id}`);
    const list = page.locator('[data-map-rows]');
    const grid = list.getByRole('grid');
    await expect(list.locator('[data-key]').first()).toBeVisible({ timeout: 10_000 });
    // The host reads the whole map before it knows the count: then the list is as long as the map.
    await expect(page.locator('[data-entries]')).toHaveText(`${ENTRIES.toLocaleString('en')} entries`, { timeout: 15_000 });
    await expect(grid).toHaveAttribute('aria-rowcount', String(ENTRIES));
    const scrollHeight = await grid.evaluate((el) => el.scrollHeight);
    expect(ENTRIES * ROW).toBeGreaterThan(CHROMIUM_MAX_HEIGHT);
    // Capped well under the limit (not merely cut at it).
    expect(scrollHeight).toBeLessThan(CHROMIUM_MAX_HEIGHT / 2);
    const domRows = Math.ceil((await grid.evaluate((el) => el.clientHeight)) / ROW) + 2 * 8 + 1;

    // The scrollbar dragged to the middle: the middle of the map.
    await grid.evaluate((el) => (el.scrollTop = (el.scrollHeight - el.clientHeight) / 2));
    // The scroll event and the rows it brings come a frame later: read them once they moved.
    await expect.poll(() => firstRowIndex(grid), { timeout: 5_000 }).toBeGreaterThan(ENTRIES / 2 - 2 * domRows);
    const middle = await settledRows(list);
    expect(middle.length).toBeLessThanOrEqual(domRows);
    expect(middle[0]).toBeGreaterThan(ENTRIES / 2 - 2 * domRows);
    expect(middle[0]).toBeLessThan(ENTRIES / 2);

    // ... and to the end: the last entry, whole, at the bottom of the list.
    await grid.evaluate((el) => (el.scrollTop = el.scrollHeight));
    await expect.poll(() => lastRowIndex(grid), { timeout: 5_000 }).toBe(ENTRIES);
    const end = await settledRows(list);
    expect(end.at(-1)).toBe(ENTRIES);
    expect(end.length).toBeLessThanOrEqual(domRows);
    const last = grid.locator(`[aria-rowindex="${ENTRIES}"]`);
    await expect(last.locator('[data-key]')).toBeInViewport({ ratio: 1 });
    const [rowBox, gridBottom] = await Promise.all([last.boundingBox(), grid.evaluate((el) => el.getBoundingClientRect().top + el.clientTop + el.clientHeight)]);
    expect(Math.abs(rowBox!.y + rowBox!.height - gridBottom)).toBeLessThan(1);

    // The wheel moves by rows, as in any list, here too: up a few rows from the end.
    await grid.hover();
    await page.mouse.wheel(0, -100);
    await expect.poll(() => lastRowIndex(grid), { timeout: 5_000 }).toBeLessThan(ENTRIES);
    const afterWheel = await settledRows(list);
    expect(afterWheel.at(-1)).toBeGreaterThan(ENTRIES - 100);
    expect(afterWheel.length).toBeLessThanOrEqual(domRows);
  });
});

test.describe('VirtualRows over 2,000,000 rows', () => {
  let dist: string;

  test.beforeAll(async () => {
    test.setTimeout(60_000);
    dist = join(REPO_ROOT, 'out', 'e2e-virtual-rows');
    const { build } = await import('vite');
    const { svelte } = await import('@sveltejs/vite-plugin-svelte');
    await build({
      root: join(REPO_ROOT, 'test/e2e/virtual-rows-harness'), base: './', logLevel: 'error', configFile: false,
      plugins: [svelte()], build: { outDir: dist, emptyOutDir: true },
    });
  });

  async function openHarness(page: Page): Promise<Locator> {
    const types: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' };
    await page.route('http://harness.invalid/**', (route) => {
      const path = join(dist, new URL(route.request().url()).pathname);
      route.fulfill({ body: readFileSync(path), contentType: types[extname(path)] ?? 'application/octet-stream' }).catch(() => {});
    });
    await page.goto('http://harness.invalid/index.html');
    const grid = page.getByRole('grid', { name: 'Rows' });
    await expect(grid).toHaveAttribute('aria-rowcount', String(HARNESS_ROWS));
    return grid;
  }

  const shown = (grid: Locator): Promise<number[]> =>
    grid.locator('[role=row]').evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('aria-rowindex'))));

  test('the End key and focus on any row show it whole', async ({ page }) => {
    test.setTimeout(30_000);
    const grid = await openHarness(page);
    const row = (n: number): Locator => grid.locator(`[aria-rowindex="${n}"]`);
    await expect(row(1)).toHaveText('row 1');
    expect(await grid.evaluate((el) => el.scrollHeight)).toBeLessThan(CHROMIUM_MAX_HEIGHT / 2);
    const domRows = Math.ceil((await grid.evaluate((el) => el.clientHeight)) / ROW) + 2 * 8 + 1;

    // Headless Chromium draws no scrollbar to drag: End, after a click in the list, scrolls it
    // to the end as the thumb dropped at the bottom does.
    await row(3).click();
    await page.keyboard.press('End');
    await expect(row(HARNESS_ROWS)).toBeInViewport({ ratio: 1 });
    await expect(row(HARNESS_ROWS)).toHaveText(`row ${HARNESS_ROWS}`);
    expect((await shown(grid)).length).toBeLessThanOrEqual(domRows);

    // Focus, from the end to the top, the middle, the last row and its neighbour.
    const input = page.getByRole('textbox', { name: 'Row' });
    for (const n of [1, 1_234_567, HARNESS_ROWS, HARNESS_ROWS - 1, 999_999]) {
      await input.fill(String(n));
      await input.press('Enter');
      await expect(row(n)).toBeInViewport({ ratio: 1 });
      await expect(row(n)).toHaveText(`row ${n}`);
      expect((await shown(grid)).length).toBeLessThanOrEqual(domRows);
    }
    // Rows follow each other at their own height around the viewport.
    const [a, b] = await Promise.all([row(999_999).boundingBox(), row(1_000_000).boundingBox()]);
    expect(b!.y - a!.y).toBeCloseTo(ROW, 3);
  });
});
