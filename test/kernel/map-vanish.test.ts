// One rule for a map unloaded while bpfscope reads it (README, "When a map vanishes"):
// `dump map` and `watch map` both close what they printed (the JSON stays valid), say on
// stderr that the map is gone, and exit with status 1. The dump is held mid-read by not
// reading its stdout (the CLI waits for each write), then the map's loader exits.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { BIN } from '../helpers/cli.js';
import { loadBigHash } from '../helpers/big-hash.js';
import { ensureKernelEnv } from '../helpers/kernel-env.js';

const skipReason = ensureKernelEnv();

function start(args: string[]) {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return { child, stderr: () => stderr };
}

describe.skipIf(skipReason !== undefined)(`a map that vanishes mid-read${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  it('ends dump map --json with valid JSON, a message and status 1', async () => {
    const map = await loadBigHash(400_000);
    const { child, stderr } = start(['dump', 'map', String(map.id), '--json']);
    const chunks: Buffer[] = [];
    // Take the first chunk, then stop reading: the dump waits on its pipe, mid-map.
    const [first] = (await once(child.stdout, 'data')) as [Buffer];
    chunks.push(first);
    child.stdout.pause();
    await new Promise((r) => setTimeout(r, 300));
    await map.stop();
    child.stdout.on('data', (d: Buffer) => chunks.push(d));
    child.stdout.resume();
    const [code] = (await once(child, 'exit')) as [number];
    const text = Buffer.concat(chunks).toString();
    expect(code).toBe(1);
    expect(stderr()).toMatch(new RegExp(`map ${map.id}: gone \\(unloaded on .* while being read\\); the output above is incomplete`));
    const entries = JSON.parse(text) as unknown[];
    expect(entries.length).toBeGreaterThan(0);
    expect(entries.length).toBeLessThan(400_000);
  }, 120_000);

  it('ends watch map the same way', async () => {
    const map = await loadBigHash(1000);
    const { child, stderr } = start(['watch', 'map', String(map.id), '--interval', '100', '--json']);
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    while (!stdout.includes('"event":"start"')) await new Promise((r) => setTimeout(r, 50));
    await map.stop();
    const [code] = (await once(child, 'exit')) as [number];
    expect(code).toBe(1);
    const lines = stdout.trim().split('\n').map((l) => JSON.parse(l) as { event: string });
    expect(lines.at(-1)!.event).toBe('gone');
    expect(stderr()).toMatch(new RegExp(`map ${map.id}: gone \\(unloaded on .* while being watched\\)`));
  }, 60_000);
});
