// The `bpfscope` command as one bundle (npm run build:cli → out/cli/cli.cjs, run by
// bin/bpfscope.js): tree-shaken, with each verb in its own chunks loaded when it runs.
// CommonJS because Node 20 loads a CommonJS chunk faster than an ES module (no async
// module graph to resolve and link); dependencies stay in node_modules.
import { createHash } from 'node:crypto';
import { defineConfig, type Plugin } from 'vite';

/**
 * out/cli/build-id: a digest of every chunk. bin/code-cache.js names its caches with it: V8
 * checks a cache against its source's length only, and a rebuilt cli.cjs (the one chunk named
 * without a content hash) of the same length would otherwise run the old build's code from a
 * cache kept outside out/cli (BPFSCOPE_CODE_CACHE), requiring chunks that no longer exist.
 */
function buildId(): Plugin {
  return {
    name: 'bpfscope-build-id',
    generateBundle(_options, bundle) {
      const digest = createHash('sha256');
      for (const name of Object.keys(bundle).sort()) {
        const item = bundle[name]!;
        digest.update(name).update(item.type === 'chunk' ? item.code : item.source);
      }
      this.emitFile({ type: 'asset', fileName: 'build-id', source: digest.digest('hex').slice(0, 16) });
    },
  };
}

export default defineConfig({
  plugins: [buildId()],
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
        // No comments: a third of the bundle's bytes (1.5 -> 1.0 MB), read, kept as source and
        // copied by the young generation's collections in every command (show prog at 1,000
        // programs: 6 scavenges -> 5; ls progs 2.4 -> 2.1 ms of them, under SCHED_FIFO).
        comments: false,
        // Nor indentation and line breaks: another sixth (1.0 -> 0.84 MB). Names stay as written
        // (no mangling), so errors and stacks still name our functions. Interleaved, 30 runs: ls
        // progs at 1,000 programs 130.6 -> 127.1 ms, show prog 126.5 -> 124.0.
        minify: { compress: false, mangle: false, codegen: { removeWhitespace: true } },
        entryFileNames: '[name].cjs',
        chunkFileNames: '[name]-[hash].cjs',
        // BTF value formatting (map dumps, watch, program metadata) in a chunk of its own: left to
        // itself, the bundler put program metadata beside the info decoders every listing loads,
        // and with it the value formatter. Only those modules: with the modules they import, the
        // chunk took the BTF type names the parser needs, and a listing that parses a .rodata's
        // BTF (to see whether it declares metadata) loaded the whole formatter.
        codeSplitting: { groups: [{ name: 'btf-values', includeDependenciesRecursively: false, test: /main[\\/]kernel[\\/](btf[\\/](value[^/\\]*|decimal-bytes)|info[\\/]metadata)\.ts$/ }] },
      },
    },
  },
});
