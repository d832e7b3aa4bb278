// Component tests of the renderer: Svelte components and `.svelte.ts` state classes,
// compiled by the Svelte plugin and mounted in jsdom (`vitest run -c vitest.ui.config.ts`).
// Files are named *.test.svelte.ts so that the plain unit config never picks them up.
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  plugins: [svelte()],
  // The browser build of Svelte: `mount` is not available in its server build.
  resolve: { conditions: ['browser'] },
  test: {
    include: ['test/unit/ui/**/*.test.svelte.ts'],
    environment: 'jsdom',
    setupFiles: ['test/unit/ui/jsdom-setup.ts'],
  },
});
