// The "All hosts" programs table in Chromium against `bpfscope serve`: two object-file hosts
// built here with clang, whose `fleet_rollout` differs (different tags: drift) and whose
// `fleet_steady` is the same, and the live local host with the first object loaded into its
// kernel. One table shows the programs of every host, filters by host and by drift, names a
// host that failed instead of listing it, keeps its filters and sort in the link across a reload,
// and each row opens the program on its own host.
import { expect, test } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildDriftObjects, DRIFTING_PROGRAM, STEADY_PROGRAM } from '../helpers/drift-objects.js';
import { ensureKernelEnv } from '../helpers/kernel-env.js';
import { REPO_ROOT, startServe, type ServeProcess } from './server-process.js';

let server: ServeProcess;
const dir = mkdtempSync(join(tmpdir(), 'bpfscope-e2e-fleet-'));
const objects = buildDriftObjects(dir);
const pins = `/sys/fs/bpf/bpfscope-e2e-fleet-${process.pid}`;

test.beforeAll(async () => {
  const problem = ensureKernelEnv();
  if (problem) throw new Error(problem);
  // Loaded live: the local host runs what `rolled` holds, so it drifts from `behind` too.
  execFileSync('bpftool', ['prog', 'loadall', objects.rolled, pins]);
  server = await startServe(['bin/bpfscope.js', 'serve', '--object', objects.rolled]);
});

test.afterAll(async () => {
  await server?.stop();
  // The pins hold the programs: removing them unloads them.
  rmSync(pins, { recursive: true, force: true });
  rmSync(dir, { recursive: true, force: true });
});

test('programs of every host in one table, filtered by host and drift; a failed host is named; rows open on their host', async ({ page }) => {
  await page.setViewportSize({ width: 1400, height: 900 });
  await page.goto(server.url);
  const sidebar = page.getByRole('complementary', { name: 'Hosts' });
  await expect(sidebar.getByRole('listitem').filter({ hasText: 'objfile:rolled.bpf.o' })).toContainText('not loaded', { timeout: 20_000 });
  for (const spec of [`objfile:${objects.behind}`, 'nobody@127.0.0.1:1']) {
    await sidebar.getByRole('textbox', { name: 'Host to add' }).fill(spec);
    await sidebar.getByRole('button', { name: 'Add host' }).click();
  }
  await expect(sidebar.getByRole('listitem').filter({ hasText: 'objfile:behind.bpf.o' })).toContainText('not loaded', { timeout: 20_000 });
  await expect(sidebar.getByRole('listitem').filter({ hasText: 'nobody@127.0.0.1:1' })).toContainText(/failed|disconnected/, { timeout: 20_000 });

  await sidebar.getByRole('link', { name: 'All hosts' }).click();
  const grid = page.getByRole('grid', { name: 'Programs on all hosts' });
  await expect(grid).toBeVisible({ timeout: 30_000 });
  await expect(page.getByRole('list', { name: 'Hosts not shown' })).toContainText(/nobody@127\.0\.0\.1:1: not shown, (failed|disconnected)/);
  // The top bar names the view, not the host it was opened from (the last one added).
  const bar = page.getByRole('banner');
  await expect(bar).toContainText('All hosts · 4 hosts');
  await expect(bar.locator('[data-where]')).toHaveText(/^\s*All hosts · 4 hosts\s*$/);

  // One row per host, drift marked on each: the live host and `rolled` share a tag, `behind` has another.
  await page.keyboard.press('/');
  await page.keyboard.type(DRIFTING_PROGRAM);
  const rows = grid.getByRole('row');
  await expect(rows).toHaveCount(3);
  const rolled = rows.filter({ hasText: 'objfile:rolled.bpf.o' });
  const behind = rows.filter({ hasText: 'objfile:behind.bpf.o' });
  const live = rows.filter({ hasText: /^local/ });
  for (const row of [rolled, behind, live]) await expect(row.getByRole('gridcell').last()).toHaveText('drift');
  const tags = await Promise.all([rolled, behind, live].map((row) => row.getByRole('gridcell').nth(4).textContent()));
  for (const tag of tags) expect(tag).toMatch(/^[0-9a-f]{16}$/);
  expect(tags[0]).not.toBe(tags[1]);
  expect(tags[2]).toBe(tags[0]);

  await page.getByRole('searchbox', { name: 'Filter programs' }).fill(STEADY_PROGRAM);
  await expect(rows).toHaveCount(3);
  for (let i = 0; i < 3; i++) await expect(rows.nth(i).getByRole('gridcell').last()).toHaveText('');

  // The live host's programs are in the same table; the host filter keeps one host's.
  await page.getByRole('searchbox', { name: 'Filter programs' }).fill('');
  const hostFilter = page.getByRole('combobox', { name: 'Host of programs' });
  await expect(hostFilter.locator('option')).toContainText(['All host', 'local', 'objfile:behind.bpf.o', 'objfile:rolled.bpf.o']);
  await hostFilter.selectOption('objfile:behind.bpf.o');
  await expect(rows).toHaveCount(2);
  await expect(rows.filter({ hasText: 'objfile:behind.bpf.o' })).toHaveCount(2);
  await hostFilter.selectOption('local');
  await page.getByRole('searchbox', { name: 'Filter programs' }).fill('fleet_');
  await expect(rows).toHaveCount(2);
  await expect(rows.filter({ hasText: /^local/ })).toHaveCount(2);
  await page.getByRole('searchbox', { name: 'Filter programs' }).fill('');

  await hostFilter.selectOption('');
  await page.getByRole('combobox', { name: 'Drift of programs' }).selectOption('drift');
  await expect(rows).toHaveCount(3);
  await expect(rows.filter({ hasText: DRIFTING_PROGRAM })).toHaveCount(3);
  await page.screenshot({ path: join(REPO_ROOT, 'test-results', 'fleet-programs.png') });

  // Filters and sort are in the link, rewritten in place (no history entry per key): a reload shows the same table.
  const entries = await page.evaluate(() => history.length);
  await page.getByRole('searchbox', { name: 'Filter programs' }).fill('fleet_');
  const sortByHost = page.getByRole('button', { name: /^Host( [▴▾])?$/ });
  await sortByHost.click();
  await sortByHost.click();
  const hostOrder = ['objfile:rolled.bpf.o', 'objfile:behind.bpf.o', 'local'];
  const expectSameTable = async () => {
    await expect(rows).toHaveCount(3, { timeout: 30_000 });
    for (const [i, label] of hostOrder.entries()) await expect(rows.nth(i).getByRole('gridcell').first()).toHaveText(label);
    await expect(rows.filter({ hasText: DRIFTING_PROGRAM })).toHaveCount(3);
  };
  await expectSameTable();
  await expect(page).toHaveURL(/\/fleet\?q=fleet_&f\.Drift=drift&sort=Host&desc=1$/);
  expect(await page.evaluate(() => history.length)).toBe(entries);
  await page.reload();
  await expectSameTable();
  await expect(page.getByRole('searchbox', { name: 'Filter programs' })).toHaveValue('fleet_');
  await expect(page.getByRole('combobox', { name: 'Drift of programs' })).toHaveValue('drift');
  await expect(page.getByRole('combobox', { name: 'Host of programs' })).toHaveValue('');
  await expect(sortByHost).toHaveText('Host ▾');
  // Another link of the view, followed and then gone back from, shows its own filters each time.
  await page.evaluate(() => (location.hash = location.hash.replace(/\?.*$/, '?q=nomatch_at_all')));
  await expect(page.getByRole('searchbox', { name: 'Filter programs' })).toHaveValue('nomatch_at_all');
  await expect(rows).toHaveCount(0);
  await page.goBack();
  await expectSameTable();
  await expect(page.getByRole('searchbox', { name: 'Filter programs' })).toHaveValue('fleet_');

  // A row opens the program on its own host.
  await behind.getByRole('link').click();
  await expect(page).toHaveURL(/#\/objfile%3A[^/]*behind\.bpf\.o\/programs\/\d+$/);
  await expect(page.locator('main')).toContainText(DRIFTING_PROGRAM, { timeout: 20_000 });
  await expect(page.locator('main')).toContainText(tags[1]!);
  await expect(bar.locator('[data-where]')).toContainText(/objfile:[^ ]*behind\.bpf\.o/);
  await expect(bar).not.toContainText('All hosts');
});
