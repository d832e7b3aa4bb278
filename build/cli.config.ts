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
      // Importing one of our modules runs nothing but definitions: a chunk that uses none of
      // another's exports does not load it (a barrel re-export left such requires behind).
      treeshake: { moduleSideEffects: false },
      // Every imported constant as its value, not only in conditions: a constant read from
      // another chunk is a getter call (BTF kinds in the printers' switches, per type printed).
      optimization: { inlineConst: { mode: 'all' } },
      output: {
        format: 'cjs',
        entryFileNames: '[name].cjs',
        chunkFileNames: '[name]-[hash].cjs',
        // BTF value formatting (map dumps, watch, program metadata) in a chunk of its own: left to
        // itself, the bundler put program metadata beside the info decoders every listing loads,
        // and with it the value formatter.
        codeSplitting: { groups: [{ name: 'btf-values', test: /main[\\/]kernel[\\/](btf[\\/](value[^/\\]*|decimal-bytes)|info[\\/]metadata)\.ts$/ }] },
      },
    },
  },
});
