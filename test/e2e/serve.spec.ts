// The dashboard through `bpfscope serve` in Chromium: the token flow, the strict
// CSP, and real BPF objects of this machine in the tables.
import { expect, test } from '@playwright/test';
import { startServe, type ServeProcess } from './server-process.js';

let server: ServeProcess;

test.beforeAll(async () => {
  server = await startServe();
});

test.afterAll(async () => {
  await server?.stop();
});

test('without the token the page is refused', async ({ page }) => {
  const response = await page.goto(`${server.origin}/`);
  expect(response?.status()).toBe(401);
});

test('the tokenized URL shows the loaded programs, maps and links', async ({ page }) => {
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(error.message));

  await page.goto(server.url);
  // The token moved into a cookie and out of the address bar.
  expect(new URL(page.url()).search).toBe('');

  await page.evaluate(() => (location.hash = '#/local/programs'));
  const programs = page.getByRole('grid', { name: 'Programs' });
  await expect(programs.locator('[data-id]').first()).toBeVisible({ timeout: 20_000 });
  const rows = await programs.locator('[data-id]').count();
  expect(rows).toBeGreaterThan(0);
  const firstId = await programs.locator('[data-id]').first().getAttribute('data-id');
  expect(Number(firstId)).toBeGreaterThan(0);

  await page.screenshot({ path: 'test-results/serve-dashboard.png', fullPage: true });
  expect(problems).toEqual([]);
});
