// electron-vite: the main process (plus the service utility process), the
// sandboxed preload (CommonJS: a sandboxed preload cannot be ESM), and the
// Svelte renderer, which `bpfscope serve` also serves from out/renderer.
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'electron-vite';

export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      rollupOptions: {
        input: { index: 'main/electron/main.ts', 'service-process': 'main/electron/service-process.ts' },
      },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      // The sandbox gives the preload no require() of packages: everything is inlined.
      externalizeDeps: false,
      rollupOptions: {
        input: { index: 'main/electron/preload.ts' },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: 'renderer',
    base: './',
    plugins: [svelte()],
    build: {
      outDir: 'out/renderer',
      // electron-vite leaves the renderer unminified: the page's script was 0.5 MB, and ECharts 1.4 MB.
      minify: true,
      rollupOptions: { input: 'renderer/index.html' },
    },
  },
});
