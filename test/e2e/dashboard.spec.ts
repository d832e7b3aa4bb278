// Every view of the dashboard through `bpfscope serve` in Chromium, against the
// real fixtures: real names, disassembly, map values that change when the test
// triggers syscalls, charts that gain points. Screenshots go to test-results/ (the README's,
// in both themes, are design.spec.ts's).
import { expect, test, type Page } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { expectMapListed, serveWithFixtures } from './serve-fixtures.js';
import { REPO_ROOT } from './server-process.js';

const served = serveWithFixtures();
const open = served.open;

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(REPO_ROOT, 'test-results', `${name}.png`) });
}

test('overview, hosts and programs with live columns', async ({ page }) => {
  await page.setViewportSize({ width: 1400, height: 900 });
  await open(page, '#/local/overview');
  await expect(page.getByRole('complementary', { name: 'Hosts' })).toContainText(/connected as root/, { timeout: 20_000 });
  await expect(page.locator('[data-count="programs"]')).not.toHaveText('0', { timeout: 20_000 });
  await expect(page.locator('[data-stats-cost]')).toContainText(/ns/, { timeout: 20_000 });
  await expect(page.locator('[data-stats-cost]')).not.toContainText('{');
  await shot(page, 'overview');

  await page.getByRole('link', { name: 'Programs', exact: true }).click();
  const grid = page.getByRole('grid', { name: 'Programs' });
  await expect(grid).toBeVisible({ timeout: 20_000 });
  await page.keyboard.press('/');
  // A program of the fixtures (the test must not count on programs another spec left loaded).
  await page.keyboard.type('count_getpid');
  await expect(grid.locator('[data-id]').first()).toContainText('count_getpid');
  await served.fixtures().trigger('getpid', 200);
  await expect(grid.locator('[data-id]').first().locator('[role=gridcell]').nth(4)).not.toHaveText('', { timeout: 10_000 });
  await expect.poll(async () => Number(await grid.locator('[data-id] svg[data-spark]').first().getAttribute('data-spark')), { timeout: 15_000 }).toBeGreaterThan(1);
  await page.keyboard.press('Escape');
  await page.getByLabel('Filter programs').fill('');
  await page.getByLabel('Type of programs').selectOption('tracepoint');
  await expect(grid.locator('[data-id]').first().locator('[role=gridcell]').nth(1)).toHaveText('tracepoint');
  await expect(page.locator('main .count')).toHaveText(/^\d+ of \d+$/);
  await shot(page, 'programs');
  await page.getByLabel('Type of programs').selectOption('');
});

test('program detail: metadata, bytecode with source, CFG, JIT, a chart that gains points', async ({ page }) => {
  await page.setViewportSize({ width: 1400, height: 1000 });
  const prog = served.fixtures().program('count_getpid');
  await open(page, `#/local/programs/${prog.id}`);
  await expect(page.locator('main h2')).toContainText('count_getpid', { timeout: 20_000 });
  await expect(page.locator('[data-field="loaded_at"]')).toHaveText(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \(\d+ (s|min|h) ago\)$/);
  const listing = page.locator('[data-listing]');
  await expect(listing).toContainText('0: (bf) r6 = r1', { timeout: 20_000 });
  await expect(listing).toContainText('call bpf_get_current_pid_tgid');
  await expect(listing).toContainText('; __u32 tgid = bpf_get_current_pid_tgid() >> 32;');
  // Find in the bytecode: `/` focuses the findBox, Enter / Shift+Enter (n / N outside it) step
  // through the matching lines the host finds, counted as bpftool's text has them; Esc clears.
  const query = 'call bpf_ktime_get_ns';
  const bpftoolLines = execFileSync('bpftool', ['prog', 'dump', 'xlated', 'id', String(prog.id)], { encoding: 'utf8' }).split('\n').filter((l) => l.includes(query));
  const calls = bpftoolLines.map((l) => l.trim().split(':')[0]);
  expect(calls.length).toBeGreaterThan(1);
  const found = listing.locator('[data-found]');
  const status = page.locator('[data-find-status]');
  const findBox = listing.locator('input[data-search]');
  await page.keyboard.press('/');
  await page.keyboard.type(query);
  await page.keyboard.press('Enter');
  await expect(status).toHaveText(`1 of ${calls.length}`);
  await expect(found).toHaveCount(1);
  await expect(found).toContainText(`${calls[0]}: (85) ${query}`);
  // The match spans highlighted tokens (keyword, helper): its marks spell the query.
  await expect.poll(async () => (await found.locator('mark').allTextContents()).join('')).toBe(query);
  await expect(found).toBeInViewport();
  await page.keyboard.press('Enter');
  await expect(status).toHaveText(`2 of ${calls.length}`);
  await expect(found).toContainText(`${calls[1]}: (85) ${query}`);
  await page.keyboard.press('Shift+Enter');
  await expect(status).toHaveText(`1 of ${calls.length}`);
  await page.locator('main h2 small').click();
  await page.keyboard.press('N');
  await expect(status).toHaveText(`${calls.length} of ${calls.length}`);
  await expect(found).toContainText(`${calls.at(-1)}: (85) ${query}`);
  await page.keyboard.press('n');
  await expect(status).toHaveText(`1 of ${calls.length}`);
  await findBox.fill('no_such_text_in_this_program');
  await findBox.press('Enter');
  await expect(status).toHaveText('no match');
  await expect(found).toHaveCount(0);
  await findBox.press('Escape');
  await expect(findBox).toHaveValue('');
  await expect(status).toHaveText('');
  await expect(page.locator('[data-attach]')).toContainText(/getpid/, { timeout: 20_000 });
  await expect(page.locator('[data-map-id]').first()).not.toHaveText(/^map /, { timeout: 20_000 });
  await expect(page.locator('[data-map-id]:not([data-access])').filter({ hasText: 'getpid_counts' })).toHaveCount(1);
  const chart = page.locator('[data-chart="Events/s"]');
  const before = Number(await chart.getAttribute('data-points'));
  await served.fixtures().trigger('getpid', 100);
  await expect.poll(async () => Number(await chart.getAttribute('data-points')), { timeout: 15_000 }).toBeGreaterThan(before);
  await shot(page, 'program-detail');
  // The OS switching to dark: the chart is drawn again in the dark theme's colours, on its
  // panel (the chart's own background is transparent). It draws in a worker, so its pixels
  // are read from a screenshot.
  const canvas = chart.locator('canvas').first();
  const corner = async () => page.evaluate(async (png) => {
    const bytes = Uint8Array.from(atob(png), (c) => c.charCodeAt(0));
    const context = new OffscreenCanvas(1, 1).getContext('2d')!;
    context.drawImage(await createImageBitmap(new Blob([bytes])), -2, -2);
    return [...context.getImageData(0, 0, 1, 1).data.slice(0, 3)];
  }, (await canvas.screenshot()).toString('base64'));
  const light = await corner();
  await page.emulateMedia({ colorScheme: 'dark' });
  const panel = await chart.evaluate((figure) => getComputedStyle(figure).backgroundColor.match(/\d+/g)!.slice(0, 3).map(Number));
  await expect.poll(corner, { timeout: 10_000 }).not.toEqual(light);
  await expect.poll(corner, { timeout: 10_000 }).toEqual(panel);
  expect((await corner()).reduce((a, b) => a + b)).toBeLessThan(3 * 80);
  // Paused, the chart stays as it is; pointing at it shows the values of its lines at that
  // time, and the wheel zooms in (the pointer events reach the worker).
  await chart.getByRole('button', { name: 'Pause' }).click();
  const box = (await canvas.boundingBox())!;
  const pixels = async () => (await canvas.screenshot()).toString('base64');
  await page.mouse.move(box.x + box.width * 0.6, box.y - 20);
  // An update already on its way to the worker may still be drawn: wait until it stays put.
  await expect.poll(async () => {
    const before = await pixels();
    await page.waitForTimeout(1000);
    return (await pixels()) === before;
  }, { timeout: 15_000 }).toBe(true);
  const still = await pixels();
  await page.mouse.move(box.x + box.width * 0.6, box.y + box.height * 0.4);
  await expect.poll(pixels, { timeout: 10_000 }).not.toEqual(still);
  const tooltip = await pixels();
  await page.mouse.wheel(0, -300);
  await expect.poll(pixels, { timeout: 10_000 }).not.toEqual(tooltip);
  await chart.getByRole('button', { name: 'Resume' }).click();
  await page.emulateMedia({ colorScheme: 'light' });
  await page.getByRole('tab', { name: 'Control flow' }).click();
  await expect(page.getByRole('group', { name: 'Control-flow graph' })).toBeVisible();
  await shot(page, 'program-cfg');
  await page.getByRole('tab', { name: 'JIT' }).click();
  await expect(page.locator('[data-jit]')).toContainText(/push|mov/);
});

test('maps table and map detail with live watch', async ({ page }) => {
  await page.setViewportSize({ width: 1400, height: 1000 });
  await open(page, '#/local/maps');
  await expectMapListed(page);
  await shot(page, 'maps');

  const map = served.fixtures().map('getpid_counts');
  await open(page, `#/local/maps/${map.id}`);
  const rows = page.locator('[data-map-rows] [data-key]');
  await expect(rows.first()).toBeVisible({ timeout: 20_000 });
  const first = await rows.first().innerText();
  await expect(page.locator('[data-entries]')).toContainText('live', { timeout: 10_000 });
  await served.fixtures().trigger('getpid', 50);
  await expect(page.locator('[data-map-rows] .changed').first()).toBeVisible({ timeout: 10_000 });
  expect(await page.locator('[data-map-rows] .changed').first().innerText()).not.toBe(first);
  await rows.first().click();
  await expect(page.getByRole('tree')).toContainText('calls');
  await page.locator('[data-pin-key]').click();
  await expect(page.locator('[data-pinned-key]')).toHaveCount(1);
  const fields = page.locator('[data-chart="Map fields"]');
  const pinnedAt = Number(await fields.getAttribute('data-points'));
  await served.fixtures().trigger('getpid', 50);
  await expect.poll(async () => Number(await fields.getAttribute('data-points')), { timeout: 15_000 }).toBeGreaterThan(pinnedAt + 1);
  // The sum over keys and the pinned key: two lines, each hidden and shown again from its legend entry.
  const legend = fields.getByRole('list', { name: 'Series of Map fields' }).getByRole('button');
  await expect(legend).toHaveCount(2);
  await legend.first().click();
  await expect(legend.first()).toHaveAttribute('aria-pressed', 'false');
  await legend.first().click();
  await expect(legend.first()).toHaveAttribute('aria-pressed', 'true');
  await shot(page, 'map-detail');
  // Unticked by the user, the only charted field stays unticked as ticks arrive (it was put back).
  const calls = page.getByRole('checkbox', { name: 'calls', exact: true });
  await expect(calls).toBeChecked();
  await calls.uncheck();
  const ticked = Number(await page.locator('[data-watch-ticks]').getAttribute('data-watch-ticks'));
  await expect.poll(async () => Number(await page.locator('[data-watch-ticks]').getAttribute('data-watch-ticks')), { timeout: 10_000 }).toBeGreaterThan(ticked + 1);
  await expect(calls).not.toBeChecked();
  await page.locator('[data-value-type]').click();
  await expect(page).toHaveURL(/#\/local\/btf\/\d+\?btf=\d+$/);
  await expect(page.getByLabel('BTF type name')).toHaveValue('');
  await expect(page.locator('[data-btf-c]')).toContainText('calls', { timeout: 20_000 });

  const ring = served.fixtures().map('ring');
  await open(page, `#/local/maps/${ring.id}`);
  await expect(page.locator('[data-ringbuf-fill]')).toBeVisible({ timeout: 20_000 });
  await served.fixtures().trigger('ringbuf', 200);
  await expect(page.locator('[data-ringbuf-fill]')).not.toContainText('(0.0 KiB pending', { timeout: 10_000 });
  const throughput = page.locator('[data-chart="Ring buffer throughput"]');
  await expect.poll(async () => Number(await throughput.getAttribute('data-points')), { timeout: 10_000 }).toBeGreaterThan(4);
  await shot(page, 'ringbuf');
  await served.fixtures().drain();
});

test('links, BTF and diagnostics', async ({ page }) => {
  await page.setViewportSize({ width: 1400, height: 900 });
  await open(page, '#/local/links');
  const linkRows = page.getByRole('grid', { name: 'Links' }).locator('[data-id]');
  await expect(linkRows.first()).toBeVisible({ timeout: 20_000 });
  // Each link says what it hooks, where bpftool 7.1 says nothing (perf_event, netfilter, struct_ops);
  // the kernel's own words are the reference: its tracepoint and nft's family and hook names.
  const count = served.fixtures().program('count_getpid');
  const ofProgram = (id: number) => linkRows.filter({ has: page.getByRole('link', { name: String(id), exact: true }) });
  await expect(ofProgram(count.id)).toContainText('tracepoint sys_enter_getpid');
  const nf = served.fixtures().program('nf_local_in');
  await expect(ofProgram(nf.id)).toContainText(/ipv4 input priority -?\d+/);
  const structOps = linkRows.filter({ hasText: 'struct_ops' }).first();
  await expect(structOps.getByRole('gridcell').nth(2)).toHaveText('—');
  await expect(structOps).toContainText(/map \d+/);
  await shot(page, 'links');
  await open(page, '#/local/btf');
  await page.getByLabel('BTF type name').fill('task_struct');
  await page.getByRole('button', { name: 'Search' }).click();
  await page.getByRole('link', { name: 'struct task_struct', exact: true }).click();
  await expect(page.locator('[data-btf-c]')).toContainText('struct task_struct {', { timeout: 20_000 });
  // The type itself, not the first of the hundreds of types it uses, is what the panel shows.
  const definition = page.locator('[data-btf-definition]');
  await expect(definition).toHaveText(/^struct task_struct \{\n/);
  await expect(definition).toBeInViewport();
  await expect(page.locator('[data-btf-c]')).not.toHaveJSProperty('scrollTop', 0);
  await expect(page.locator('[data-btf-uses]')).toContainText(/struct task_struct is at line \d+; above it, the [\d,]+ types it uses/);
  await shot(page, 'btf');
  // A function has no C in a header (bpftool's has none): it shows as its prototype.
  await page.getByLabel('BTF type name').fill('put_task_struct');
  await page.getByRole('button', { name: 'Search' }).click();
  await page.getByRole('link', { name: 'func put_task_struct', exact: true }).click();
  await expect(page.locator('[data-btf-definition]')).toHaveText(/^void put_task_struct\(struct task_struct \*\w+\);\n$/, { timeout: 20_000 });
  await expect(page.locator('[data-btf-c]')).toContainText('struct task_struct {');
  await open(page, '#/local/diagnostics');
  await expect(page.getByRole('region', { name: 'Diagnostics' }).locator('tbody tr').first()).toBeVisible({ timeout: 20_000 });
});
