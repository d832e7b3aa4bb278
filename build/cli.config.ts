// The `bpfscope` command as one bundle (npm run build:cli → out/cli/cli.cjs, run by
// bin/bpfscope.js): tree-shaken, with each verb in its own chunks loaded when it runs.
// CommonJS because Node 20 loads a CommonJS chunk faster than an ES module (no async
// module graph to resolve and link); dependencies stay in node_modules.
import { defineConfig } from 'vite';

export default defineConfig({
  build: {
    ssr: true,
    outDir: 'out/cli',
    emptyOutDir: true,
    target: 'node20',
    minify: false,
    rollupOptions: {
      input: { cli: 'main/cli.ts' },
      output: { format: 'cjs', entryFileNames: '[name].cjs', chunkFileNames: '[name]-[hash].cjs' },
    },
  },
});
