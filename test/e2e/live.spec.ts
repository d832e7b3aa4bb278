// Live truth in Chromium through `serve`, against the fixtures and programs bpftrace loads:
// charts open with the history the server kept since it started; run statistics shown as
// the kernel has them (bpftool prints run counts only while they are on); counts and the
// lifecycle log follow programs that come and go; a pause freezes every live view behind a
// PAUSED marker; bars and lines open their program; an open program that is unloaded says
// so; an expanded map value follows its row and flashes; per-CPU values say how their CPUs
// are combined, checked against bpftool's per-CPU dump; empty and error states explain.
import { expect, test, type Locator, type Page } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { startBpftrace } from '../helpers/corpus.js';
import { flowFor, FLOW_KEYS } from '../helpers/fixtures.js';
import { serveWithFixtures } from './serve-fixtures.js';

const served = serveWithFixtures();
const open = served.open;

const kernelProgramCount = (): number => (JSON.parse(execFileSync('bpftool', ['prog', 'show', '--json'], { encoding: 'utf8' })) as unknown[]).length;

const points = async (chart: Locator): Promise<number> => Number(await chart.getAttribute('data-points'));

/** Where a line of colour `rgb` is drawn highest on `canvas`, in its newest half (read in the
 * page from a screenshot: the chart draws in a worker). Anti-aliased 1 px lines blend with the
 * background, so the nearest colour within a tolerance counts. */
async function highestPixel(page: Page, canvas: Locator, rgb: number[]): Promise<{ x: number; y: number } | undefined> {
  const png = (await canvas.screenshot()).toString('base64');
  return page.evaluate(async ({ png, rgb }) => {
    const bitmap = await createImageBitmap(new Blob([Uint8Array.from(atob(png), (c) => c.charCodeAt(0))]));
    const context = new OffscreenCanvas(bitmap.width, bitmap.height).getContext('2d')!;
    context.drawImage(bitmap, 0, 0);
    const { data, width, height } = context.getImageData(0, 0, bitmap.width, bitmap.height);
    let best: { x: number; y: number } | undefined;
    // Inside the plot: past the axis labels, above the time axis and the zoom slider.
    for (let x = width - 24; x > width / 2; x--) {
      for (let y = 30; y < height - 70 && (!best || y < best.y); y++) {
        const at = (y * width + x) * 4;
        if (Math.abs(data[at]! - rgb[0]!) + Math.abs(data[at + 1]! - rgb[1]!) + Math.abs(data[at + 2]! - rgb[2]!) < 90) best = { x, y };
      }
    }
    return best;
  }, { png, rgb });
}

test('charts open with the history the server kept; run statistics as the kernel has them', async ({ page }) => {
  const program = served.fixtures().program('count_getpid');
  // The server has been sampling since it started, with no page open.
  for (let i = 0; i < 6; i++) {
    await served.fixtures().trigger('getpid', 50);
    await page.waitForTimeout(500);
  }
  await page.setViewportSize({ width: 1400, height: 1000 });
  await open(page, `#/local/programs/${program.id}`);
  const events = page.locator('[data-chart="Events/s"]');
  // The first push is the history: several points at once, not one a second from now.
  await expect.poll(() => points(events), { timeout: 3000 }).toBeGreaterThanOrEqual(3);

  await open(page, '#/local/overview');
  await expect.poll(() => points(page.locator('[data-chart="Events/s, all programs"]')), { timeout: 3000 }).toBeGreaterThanOrEqual(3);
  await expect(page.locator('[data-stats-state]')).toHaveText('on', { timeout: 10_000 });
  await expect(page.locator('[data-stats]')).toContainText('held on by bpfscope');
  // The kernel's word: bpftool prints run_time_ns and run_cnt only while statistics count.
  expect(execFileSync('bpftool', ['prog', 'show', 'id', String(program.id)], { encoding: 'utf8' })).toMatch(/run_time_ns \d+ run_cnt \d+/);
});

test('counts, lists and the lifecycle log follow programs that come and go; an open program that goes says so', async ({ page }) => {
  test.setTimeout(120_000);
  await page.setViewportSize({ width: 1400, height: 1000 });
  await open(page, '#/local/overview');
  const count = page.locator('[data-count="programs"]');
  await expect(count).not.toHaveText('0', { timeout: 20_000 });
  const tool = await startBpftrace('live', 'tracepoint:syscalls:sys_enter_getppid { @calls[pid] = count(); }');
  try {
    const [id] = tool.progIds;
    await expect(page.locator('[data-lifecycle]')).toContainText(new RegExp(`prog ${id} .*loaded`), { timeout: 15_000 });
    // The kernel's own count, not a difference from before: other loaders may come and go too.
    await expect.poll(async () => Number(await count.textContent()) - kernelProgramCount(), { timeout: 10_000 }).toBe(0);
    await page.getByRole('link', { name: 'Programs', exact: true }).first().click();
    await page.getByLabel('Filter programs').fill(String(id));
    await expect(page.getByRole('grid', { name: 'Programs' }).locator(`[data-id="${id}"]`)).toHaveCount(1, { timeout: 10_000 });
    await open(page, `#/local/programs/${id}`);
    await expect(page.locator('main h2')).toContainText(String(id), { timeout: 20_000 });
    tool.child.kill('SIGKILL');
    await expect(page.locator('[data-state-note="gone"]')).toContainText('unloaded', { timeout: 15_000 });
  } finally {
    tool.child.kill('SIGKILL');
  }
});

test('pause freezes every live view behind a PAUSED marker; resume catches up', async ({ page }) => {
  await page.setViewportSize({ width: 1400, height: 1000 });
  const map = served.fixtures().map('getpid_counts');
  await open(page, `#/local/maps/${map.id}`);
  const row = page.locator('[data-map-rows] [data-key]').first();
  await expect(row).toBeVisible({ timeout: 20_000 });
  await served.fixtures().trigger('getpid', 20);
  await expect(page.locator('[data-entries]')).toContainText('live', { timeout: 10_000 });
  const chart = page.locator('[data-chart="Map fields"]');
  await expect.poll(() => points(chart), { timeout: 10_000 }).toBeGreaterThan(1);

  await page.locator('main h2').click();
  await page.keyboard.press('p');
  await expect(page.locator('[data-paused]')).toHaveText(/paused/i);
  const frozenRow = await row.innerText();
  const frozenPoints = await points(chart);
  await served.fixtures().trigger('getpid', 50);
  await page.waitForTimeout(3000);
  expect(await row.innerText()).toBe(frozenRow);
  expect(await points(chart)).toBe(frozenPoints);

  await page.getByRole('button', { name: 'Resume' }).first().click();
  await expect(page.locator('[data-paused]')).toHaveCount(0);
  await expect.poll(() => row.innerText(), { timeout: 10_000 }).not.toBe(frozenRow);
  await expect.poll(() => points(chart), { timeout: 10_000 }).toBeGreaterThan(frozenPoints);
});

test('a bar and a line open their program', async ({ page }) => {
  await page.setViewportSize({ width: 1400, height: 1000 });
  await served.fixtures().trigger('getpid', 200);
  await open(page, '#/local/overview');
  const bars = page.getByRole('img', { name: /Bars of CPU %/ });
  await expect(bars.locator('canvas')).toBeVisible({ timeout: 20_000 });
  // The busiest program's bar is the top one, and the longest: a click on its middle opens it.
  const first = page.getByRole('list', { name: 'Busiest programs' }).getByRole('link').first();
  await expect(first).toBeVisible({ timeout: 20_000 });
  const box = (await bars.boundingBox())!;
  await page.waitForTimeout(1500);
  const busiest = await first.getAttribute('href');
  await page.mouse.click(box.x + box.width * 0.55, box.y + 19);
  await expect(page).toHaveURL(/#\/local\/programs\/\d+$/, { timeout: 5000 });
  expect(page.url()).toContain(busiest!.split('?')[0]!);

  await open(page, '#/local/overview');
  const lines = page.locator('[data-chart="Events/s of the busiest programs"]');
  await expect.poll(() => points(lines), { timeout: 20_000 }).toBeGreaterThan(3);
  // One line left shown (the legend hides the others, as busy programs' lines cross): a click
  // on it opens its program.
  await lines.getByRole('button', { name: 'Pause' }).click();
  const legend = lines.getByRole('list', { name: /Series of/ }).getByRole('button');
  const entries = await legend.allInnerTexts();
  for (let i = 1; i < entries.length; i++) await legend.nth(i).click();
  const color = await page.evaluate(() => {
    const probe = document.body.appendChild(document.createElement('span'));
    probe.style.color = 'var(--series-1)';
    const rgb = getComputedStyle(probe).color.match(/\d+/g)!.map(Number);
    probe.remove();
    return rgb;
  });
  const canvas = lines.locator('canvas');
  let pixel: { x: number; y: number } | undefined;
  await expect.poll(async () => (pixel = await highestPixel(page, canvas, color)), { timeout: 10_000 }).toBeDefined();
  const id = /\((\d+)\)\s*$/.exec(entries[0]!)![1];
  const at = (await canvas.boundingBox())!;
  await page.mouse.click(at.x + pixel!.x, at.y + pixel!.y);
  await expect(page).toHaveURL(new RegExp(`#/local/programs/${id}$`), { timeout: 5000 });
});

test('an expanded map value follows its row and flashes what changed', async ({ page }) => {
  await page.setViewportSize({ width: 1400, height: 1000 });
  await served.fixtures().trigger('getpid', 5);
  const map = served.fixtures().map('getpid_counts');
  await open(page, `#/local/maps/${map.id}`);
  const row = page.locator('[data-map-rows] [data-key]').first();
  await expect(row).toBeVisible({ timeout: 20_000 });
  await row.click();
  const calls = page.getByRole('tree').getByRole('treeitem').filter({ hasText: /^\s*calls/ }).locator('[data-value]');
  const before = Number(await calls.textContent());
  await served.fixtures().trigger('getpid', 30);
  await expect.poll(async () => Number(await calls.textContent()), { timeout: 10_000 }).toBeGreaterThanOrEqual(before + 30);
  await expect(calls).toHaveClass(/flash/);
});

test('per-CPU values: same on every CPU once, sums labelled, switched to per CPU and max, as bpftool dumps them', async ({ page }) => {
  await page.setViewportSize({ width: 1400, height: 1000 });
  const map = served.fixtures().map('percpu_flows');
  const cpus = readFileSync('/sys/devices/system/cpu/possible', 'utf8').trim().split(',')
    .reduce((n, range) => n + (range.includes('-') ? Number(range.split('-')[1]) - Number(range.split('-')[0]) + 1 : 1), 0);
  // bpftool's dump: per key, every CPU's value.
  const dump = JSON.parse(execFileSync('bpftool', ['map', 'dump', 'id', String(map.id), '-j'], { encoding: 'utf8' })) as Array<{ formatted: { key: number; values: Array<{ cpu: number; value: { proto: number; packets: number } }> } }>;
  const zero = dump.find((e) => e.formatted.key === 0)!.formatted.values;
  expect(zero).toHaveLength(cpus);
  expect(zero.map((v) => v.value.packets)).toEqual(Array.from({ length: cpus }, (_, c) => flowFor(0, c).packets));
  const sum = zero.reduce((n, v) => n + v.value.packets, 0);
  const max = Math.max(...zero.map((v) => v.value.packets));

  await open(page, `#/local/maps/${map.id}`);
  const rows = page.locator('[data-map-rows] [data-key]');
  await expect(rows).toHaveCount(FLOW_KEYS, { timeout: 20_000 });
  const key0 = rows.filter({ hasText: /^\s*0\s/ });
  await expect(key0).toContainText(`proto=17, port=1000, packets=Σ ${sum}`);
  // Columns named, the CPUs' combination said; a value cut at its column's edge is whole in its title.
  await expect(page.locator('[data-map-head]')).toHaveText(new RegExp(`^\\s*Key\\s+Value, ${cpus} CPUs combined \\(select an entry to see how\\)\\s*$`));
  await expect(key0.locator('.val')).toHaveAttribute('title', (await key0.locator('.val').textContent())!);
  await key0.click();
  const tree = page.getByRole('tree');
  const item = (name: string) => tree.getByRole('treeitem').filter({ hasText: new RegExp(`^[\\s▸▾]*${name}\\b`) });
  await expect(item('proto').locator('[data-cpu-mode]')).toHaveText(`same on all ${cpus} CPUs`);
  await expect(item('proto').locator('[data-value]')).toHaveText('17');
  await expect(item('packets').locator('[data-cpu-mode]')).toHaveText(`sum over ${cpus} CPUs`);
  await expect(item('packets').locator('[data-value]')).toHaveText(`Σ ${sum}`);
  await tree.getByRole('combobox', { name: 'Combine the CPUs of packets' }).selectOption('cpus');
  await expect(item('packets').locator('[data-cpu-mode]')).toHaveText(`per CPU (${cpus})`);
  for (let c = 0; c < cpus; c++) await expect(item(`cpu ${c}`).first().locator('[data-value]')).toHaveText(String(zero[c]!.value.packets));
  await tree.getByRole('combobox', { name: 'Combine the CPUs of packets' }).selectOption('max');
  await expect(item('packets').locator('[data-value]')).toHaveText(`max ${max}`);
  // The row's summary follows the field's choice.
  await expect(key0).toContainText(`packets=max ${max}`);
});

test('empty and error states say what is missing and why', async ({ page }) => {
  await page.setViewportSize({ width: 1400, height: 900 });
  await open(page, '#/local/programs?q=no_program_is_called_this');
  await expect(page.locator('main [data-state-note="empty"]')).toHaveText(/No programs match the filter/, { timeout: 20_000 });
  await open(page, `#/local/maps/${served.fixtures().map('percpu_flows').id}?q=no_such_value`);
  await expect(page.locator('[data-map-rows] [data-state-note="empty"]')).toHaveText(/No entry matches the filter/, { timeout: 20_000 });
  // A host that cannot open: its overview says why instead of showing zeros.
  await page.getByLabel('Host to add').fill('snapshot:/nonexistent.bpfsnap');
  await page.getByRole('button', { name: 'Add host' }).click();
  await expect(page.locator('main [data-error-code]')).toContainText('/nonexistent.bpfsnap', { timeout: 20_000 });
  await expect(page.locator('[data-count="programs"]')).toHaveText('—');
});
