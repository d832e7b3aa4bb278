// The setup most browser specs share: the fixtures loaded and `serve` running for the whole
// file (serial), stopped after it; `open` goes to a view of the dashboard.
import { expect, test, type Page } from '@playwright/test';
import { startFixtures, type LoadedFixtures } from '../helpers/fixtures.js';
import { ensureKernelEnv } from '../helpers/kernel-env.js';
import { startServe, type ServeProcess } from './server-process.js';

export interface ServedFixtures {
  /** The running serve (after beforeAll). */
  server(): ServeProcess;
  fixtures(): LoadedFixtures;
  /** Loads the dashboard, then goes to `hash` (a view's link). */
  open(page: Page, hash: string): Promise<void>;
}

/**
 * Waits for the maps table to list the fixtures' `hash_map`, found through the table's filter,
 * which is then cleared: the table draws only the rows in view, and a host with many older maps
 * (a machine where earlier runs left prog_arrays the kernel never freed) lists it far below them.
 */
export async function expectMapListed(page: Page, name = 'hash_map'): Promise<void> {
  const grid = page.getByRole('grid', { name: 'Maps' });
  await expect(grid.locator('[data-id]').first()).toBeVisible({ timeout: 20_000 });
  const filter = page.getByRole('searchbox', { name: 'Filter maps' });
  await filter.fill(name);
  await expect(grid).toContainText(name, { timeout: 20_000 });
  await filter.fill('');
  await expect.poll(async () => grid.locator('[data-id]').count()).toBeGreaterThan(1);
}

/** Call at the top of a spec file. `ready` runs once both are up (triggers, for instance). */
export function serveWithFixtures(ready?: (fixtures: LoadedFixtures) => Promise<void>): ServedFixtures {
  let server: ServeProcess | undefined;
  let fixtures: LoadedFixtures | undefined;
  test.describe.configure({ mode: 'serial' });
  test.beforeAll(async () => {
    test.setTimeout(180_000);
    ensureKernelEnv();
    fixtures = await startFixtures();
    server = await startServe();
    await ready?.(fixtures);
  });
  test.afterAll(async () => {
    await server?.stop();
    await fixtures?.stop();
  });
  const served: ServedFixtures = {
    server: () => server!,
    fixtures: () => fixtures!,
    async open(page, hash) {
      await page.goto(served.server().url);
      await page.evaluate((h) => (location.hash = h), hash);
    },
  };
  return served;
}
