// `bpfscope serve --snapshot FILE` in Chromium: the snapshot is a host in the sidebar with a
// 'snapshot' badge, its programs listed from the file (taken while the fixtures were loaded,
// shown after they are gone), and a note that live views need a live host.
import { expect, test } from '@playwright/test';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFixtures, type FixtureReport } from '../helpers/fixtures.js';
import { ensureKernelEnv } from '../helpers/kernel-env.js';
import { REPO_ROOT, startServe, type ServeProcess } from './server-process.js';

let server: ServeProcess;
let report: FixtureReport;
const dir = mkdtempSync(join(tmpdir(), 'bpfscope-e2e-snap-'));
const file = join(dir, 'fixtures.bpfsnap');

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  test.setTimeout(180_000);
  ensureKernelEnv();
  const fixtures = await startFixtures({ only: ['maps', 'tracing'] });
  try {
    report = fixtures.report;
    const r = spawnSync(process.execPath, [join(REPO_ROOT, 'bin/bpfscope.js'), 'snapshot', '-o', file], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`bpfscope snapshot failed: ${r.stderr}`);
  } finally {
    // Unloaded before the browser looks: what it shows can only come from the file.
    await fixtures.stop();
  }
  server = await startServe(['bin/bpfscope.js', 'serve', '--snapshot', file]);
});

test.afterAll(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('a snapshot opens as a read-only host: badge, its programs, live views explained', async ({ page }) => {
  await page.setViewportSize({ width: 1400, height: 900 });
  await page.goto(server.url);
  const sidebar = page.getByRole('complementary', { name: 'Hosts' });
  const entry = sidebar.getByRole('listitem').filter({ hasText: 'snapshot:fixtures.bpfsnap' });
  await expect(entry).toContainText(/snapshot of local, taken \d{4}-\d\d-\d\d/, { timeout: 20_000 });
  await expect(entry.locator('.badge')).toHaveText('snapshot');
  await expect(entry.locator('[data-snapshot-note]')).toContainText('live views (run statistics, charts, map watch) need a live host');

  await entry.getByRole('link', { name: 'snapshot:fixtures.bpfsnap' }).click();
  await page.getByRole('link', { name: 'Programs', exact: true }).click();
  const grid = page.getByRole('grid', { name: 'Programs' });
  await expect(grid).toBeVisible({ timeout: 20_000 });
  const program = report.programs.find((p) => p.object === 'tracing')!;
  await page.keyboard.press('/');
  await page.keyboard.type(program.kernel_name);
  await expect(grid.locator(`[data-id="${program.id}"]`)).toContainText(program.kernel_name, { timeout: 10_000 });
  await page.screenshot({ path: join(REPO_ROOT, 'test-results', 'snapshot-host.png') });
});
