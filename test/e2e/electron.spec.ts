// The desktop app through Playwright's _electron: runs where an Electron runtime
// exists (ELECTRON_OVERRIDE_DIST_PATH, or one already downloaded into
// node_modules/electron/dist) and is reported as skipped, with the reason, elsewhere.
// The same scenario always runs through `serve` in serve.spec.ts.
import { _electron as electron, expect, test } from '@playwright/test';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { REPO_ROOT } from './server-process.js';

/** The runtime's path without triggering a download (require('electron') would try one). */
function findElectronRuntime(): { path?: string; reason: string } {
  const electronDir = dirname(createRequire(import.meta.url).resolve('electron/package.json'));
  const pathFile = join(electronDir, 'path.txt');
  const name = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : 'electron';
  const override = process.env.ELECTRON_OVERRIDE_DIST_PATH;
  const candidate = override ? join(override, name) : join(electronDir, 'dist', name);
  if (existsSync(candidate)) return { path: candidate, reason: '' };
  return {
    reason: override
      ? `no Electron runtime at ELECTRON_OVERRIDE_DIST_PATH (${candidate})`
      : 'no Electron runtime installed (set ELECTRON_OVERRIDE_DIST_PATH to an unpacked Electron 45 folder)',
  };
}

const runtime = findElectronRuntime();

test.describe('desktop app', () => {
  test.skip(!runtime.path, runtime.reason);

  test('launches sandboxed and lists the loaded programs, maps and links', async () => {
    const args = [REPO_ROOT];
    // Chromium will not start as root with its sandbox on; CI runs as root.
    if (process.getuid?.() === 0) args.push('--no-sandbox');
    const app = await electron.launch({ executablePath: runtime.path!, args, cwd: REPO_ROOT });
    try {
      const window = await app.firstWindow();
      const exposed = await window.evaluate(() => ({
        bridge: typeof (window as unknown as { bpfscope?: unknown }).bpfscope,
        node: typeof (window as unknown as { require?: unknown }).require,
        process: typeof (window as unknown as { process?: unknown }).process,
      }));
      expect(exposed).toEqual({ bridge: 'object', node: 'undefined', process: 'undefined' });

      await window.evaluate(() => (location.hash = '#/local/programs'));
  const programs = window.getByRole('grid', { name: 'Programs' });
      await expect(programs.locator('[data-id]').first()).toBeVisible({ timeout: 20_000 });
      for (const name of ['Maps', 'Links']) {
        await expect(window.locator('section', { has: window.getByRole('heading', { name }) })).toHaveAttribute('data-state', 'ready', { timeout: 20_000 });
      }
      await window.screenshot({ path: 'test-results/electron-dashboard.png' });
    } finally {
      await app.close();
    }
  });
});
