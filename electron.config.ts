// electron-vite: the main process (plus the service utility process), the
// sandboxed preload (CommonJS: a sandboxed preload cannot be ESM), and the
// Svelte renderer, which `bpfscope serve` also serves from out/renderer.
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'electron-vite';
import type { HtmlTagDescriptor, Plugin } from 'vite';

/**
 * index.html preloads the app's chunk (renderer/src/app.ts, imported dynamically by the small
 * main.ts), its imports and its CSS, so they are fetched and compiled while main.ts opens the
 * API socket, not after.
 */
function preloadAppChunk(): Plugin {
  return {
    name: 'bpfscope-preload-app-chunk',
    transformIndexHtml: {
      order: 'post',
      handler(_html, context) {
        const chunks = Object.values(context.bundle ?? {}).flatMap((output) => (output.type === 'chunk' ? [output] : []));
        const app = chunks.find((chunk) => chunk.facadeModuleId?.endsWith('/renderer/src/app.ts'));
        if (!app) return [];
        const entries = new Set(chunks.filter((chunk) => chunk.isEntry).map((chunk) => chunk.fileName));
        const tags: HtmlTagDescriptor[] = [app.fileName, ...app.imports.filter((file) => !entries.has(file))].map((file) => ({
          tag: 'link',
          attrs: { rel: 'modulepreload', crossorigin: true, href: `./${file}` },
          injectTo: 'head',
        }));
        for (const css of app.viteMetadata?.importedCss ?? []) tags.push({ tag: 'link', attrs: { rel: 'stylesheet', crossorigin: true, href: `./${css}` }, injectTo: 'head' });
        return tags;
      },
    },
  };
}

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
    plugins: [svelte(), preloadAppChunk()],
    build: {
      outDir: 'out/renderer',
      // electron-vite leaves the renderer unminified: the page's script was 0.5 MB, and ECharts 1.4 MB.
      minify: true,
      rollupOptions: { input: 'renderer/index.html' },
    },
  },
});
