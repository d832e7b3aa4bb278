// The dashboard through `bpfscope serve` in Chromium: the token flow, the strict
// CSP, and real BPF objects (the fixtures' and whatever else this machine has) in the tables.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { startFixtures, type LoadedFixtures } from '../helpers/fixtures.js';
import { startServe, type ServeProcess } from './server-process.js';

let server: ServeProcess;
let fixtures: LoadedFixtures;

test.beforeAll(async () => {
  // Objects of our own to list: a fresh machine may have no BPF program loaded at all.
  fixtures = await startFixtures({ only: ['maps'] });
  server = await startServe();
});

test.afterAll(async () => {
  await server?.stop();
  await fixtures?.stop();
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

test('the page asks for its first list once, before the app has loaded, and the app shows that answer', async ({ page }) => {
  await page.addInitScript(() => {
    const sent: string[] = [];
    (globalThis as { apiSent?: string[] }).apiSent = sent;
    const send = WebSocket.prototype.send;
    WebSocket.prototype.send = function (this: WebSocket, data: string | ArrayBufferLike | Blob | ArrayBufferView) {
      if (typeof data === 'string') sent.push(data);
      send.call(this, data);
    };
  });
  await page.goto(`${server.url}#/local/maps`);
  await expect(page.getByRole('grid', { name: 'Maps' }).locator('[data-id]').first()).toBeVisible({ timeout: 20_000 });
  const sent = (await page.evaluate(() => (globalThis as { apiSent?: string[] }).apiSent ?? [])).map((text) => JSON.parse(text) as { id: number; method?: string; params?: unknown });
  expect(sent[0]).toEqual({ type: 'request', id: 1, method: 'listMaps', params: { host: 'local' } });
  expect(sent.filter((m) => m.method === 'listMaps')).toHaveLength(1);
  // The app's chunk was fetched by index.html's preload link, not only once main.ts asked for it.
  const [appStart, mainEnd] = await page.evaluate(() => {
    const resources = performance.getEntriesByType('resource') as PerformanceResourceTiming[];
    const find = (pattern: RegExp): PerformanceResourceTiming | undefined => resources.find((r) => pattern.test(new URL(r.name).pathname));
    return [find(/\/assets\/app-[^/]*\.js$/)?.startTime ?? NaN, find(/\/assets\/index-[^/]*\.js$/)?.responseEnd ?? NaN];
  });
  expect(appStart).toBeLessThan(mainEnd);
  // The other lists follow once the first is on screen, as new requests.
  await expect.poll(async () => (await page.evaluate(() => (globalThis as { apiSent?: string[] }).apiSent ?? [])).some((t) => t.includes('"listPrograms"'))).toBe(true);
});

test('hosts of ~/.ssh/config are listed before they are connected, and connect on click', async ({ page }) => {
  const home = mkdtempSync(join(tmpdir(), 'bpfscope-e2e-home-'));
  mkdirSync(join(home, '.ssh'));
  // Port 1 on loopback refuses: the click must reach the host and bring back the reason.
  writeFileSync(join(home, '.ssh', 'config'), 'Host refusing\n  HostName 127.0.0.1\n  Port 1\n  User root\n\nHost *.lab\n  User nobody\n');
  const own = await startServe(['test/e2e/serve-server.mjs'], { ...process.env, HOME: home });
  try {
    await page.goto(own.url);
    const sidebar = page.getByRole('complementary', { name: 'Hosts' });
    const alias = sidebar.locator('[data-ssh-alias]');
    await expect(alias).toHaveCount(1, { timeout: 15_000 });
    await expect(alias).toContainText('refusing');
    await expect(alias).toContainText('root@127.0.0.1:1');
    await expect(alias).toContainText('not connected');
    await alias.getByRole('button', { name: 'refusing' }).click();
    await expect(page).toHaveURL(/#\/refusing\/overview/);
    const host = sidebar.locator('li[data-status]', { hasText: 'refusing' });
    await expect(host).toHaveAttribute('data-status', /failed|disconnected/, { timeout: 20_000 });
    await expect(host.locator('.status')).toContainText(/refused/i);
    await expect(alias).toHaveCount(0);
  } finally {
    await own.stop();
    rmSync(home, { recursive: true, force: true });
  }
});
