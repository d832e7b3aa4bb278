// Program metadata (`bpf_metadata_*` in .rodata) against bpftool 7.1's prog show, which prints it
// under `metadata` in text and JSON: the printk fixture's programs carry a string and an int.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFixtures, type LoadedFixtures } from '../helpers/fixtures.js';
import { ensureKernelEnv } from '../helpers/kernel-env.js';
import { bpfscope, bpftoolJson, parseJsonExact, runCommand } from '../helpers/cli.js';

const skip = ensureKernelEnv();
let fixtures: LoadedFixtures;

/** The `metadata:` block of a prog show text: the line and the `name = value` lines under it. */
function metadataBlock(text: string): string {
  const at = text.indexOf('\tmetadata:');
  return at < 0 ? '' : text.slice(at);
}

describe.skipIf(skip)('program metadata (real programs, bpftool 7.1 as reference)', () => {
  beforeAll(async () => {
    fixtures = await startFixtures({ only: ['printk', 'maps'] });
  });
  afterAll(async () => {
    await fixtures?.stop();
  });

  it('show prog prints the metadata bpftool prints, in text and JSON', async () => {
    for (const name of ['printk_getegid', 'printk_geteuid']) {
      const { id } = fixtures.program(name, 'printk');
      const theirsText = (await runCommand('bpftool', ['prog', 'show', 'id', String(id)])).stdout;
      expect(metadataBlock(theirsText)).toBe('\tmetadata:\n\t\towner = "bpfscope tests"\n\t\trevision = 3\n');
      const ours = await bpfscope(['show', 'prog', String(id)]);
      expect(ours.code).toBe(0);
      expect(metadataBlock(ours.stdout).startsWith(metadataBlock(theirsText))).toBe(true);
      const theirsJson = await bpftoolJson<{ metadata: unknown }>(['prog', 'show', 'id', String(id)]);
      const oursJson = parseJsonExact<{ metadata: unknown }>((await bpfscope(['show', 'prog', String(id), '--json'])).stdout);
      expect(theirsJson.metadata).toEqual({ owner: 'bpfscope tests', revision: 3 });
      expect(oursJson.metadata).toEqual(theirsJson.metadata);
    }
  });

  it('ls progs carries metadata exactly where bpftool does', async () => {
    const ours = parseJsonExact<Array<{ id: number; metadata?: unknown }>>((await bpfscope(['ls', 'progs', '--json'])).stdout);
    const theirs = await bpftoolJson<Array<{ id: number; metadata?: unknown }>>(['prog', 'show']);
    const byId = new Map(ours.map((p) => [p.id, p]));
    const withMetadata = theirs.filter((p) => p.metadata !== undefined);
    expect(withMetadata.map((p) => p.id)).toEqual(expect.arrayContaining([fixtures.program('printk_getegid', 'printk').id]));
    for (const p of theirs) expect(byId.get(p.id)?.metadata, `prog ${p.id}`).toEqual(p.metadata);
  });

  it('an object file shows the metadata its programs would carry once loaded', async () => {
    const object = `${process.cwd()}/test/fixtures/build/printk.bpf.o`;
    const listed = parseJsonExact<Array<{ name: string; metadata?: unknown }>>((await bpfscope(['ls', 'progs', '--json', '--host', `objfile:${object}`])).stdout);
    expect(listed.find((p) => p.name === 'printk_getegid')?.metadata).toEqual({ owner: 'bpfscope tests', revision: 3 });
  });
});
