// Output files are replaced whole or not at all, and only when the path names a regular file
// (or nothing yet): a device, FIFO or directory is refused before anything is written.
import { execFileSync } from 'node:child_process';
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { writeFileAtomically } from '../../../main/hosts/atomic-file.js';

const dir = mkdtempSync(join(tmpdir(), 'bpfscope-atomic-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const text = (content: string) => (out: Writable): Promise<void> =>
  new Promise((resolve, reject) => {
    out.on('error', reject);
    out.end(content, () => resolve());
  });

describe('atomic output files', () => {
  it('creates a new file and replaces a regular one, keeping its mode', async () => {
    const file = join(dir, 'a.out');
    await writeFileAtomically(file, text('first'));
    expect(readFileSync(file, 'utf8')).toBe('first');
    execFileSync('chmod', ['600', file]);
    await writeFileAtomically(file, text('second'));
    expect(readFileSync(file, 'utf8')).toBe('second');
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('writes through a symlink to a regular file: the link stays a link', async () => {
    const target = join(dir, 'real.out');
    const link = join(dir, 'link.out');
    writeFileSync(target, 'old');
    symlinkSync(target, link);
    await writeFileAtomically(link, text('new'));
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readFileSync(target, 'utf8')).toBe('new');
  });

  it.each([
    ['/dev/full', 'a character device'],
    ['/dev/null', 'a character device'],
    ['fifo', 'a FIFO'],
    ['subdir', 'a directory'],
  ])('refuses %s (%s) before writing anything', async (name, kind) => {
    const path = name.startsWith('/') ? name : join(dir, name);
    if (name === 'fifo') execFileSync('mkfifo', [path]);
    if (name === 'subdir') mkdirSync(path);
    let filled = false;
    const error = await writeFileAtomically(path, async () => void (filled = true)).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'ENOTREG', message: expect.stringContaining(`${path}: ${kind}: bpfscope writes its output to a regular file`) });
    expect(filled).toBe(false);
    expect(lstatSync(path).isFile()).toBe(false);
  });

  it('a failed write leaves the old file and no temporary file', async () => {
    const file = join(dir, 'kept.out');
    writeFileSync(file, 'kept');
    const failing = async (out: Writable) => {
      out.write('half of it');
      throw new Error('the host went away');
    };
    await expect(writeFileAtomically(file, failing)).rejects.toThrow('the host went away');
    expect(readFileSync(file, 'utf8')).toBe('kept');
    expect(readdirSync(dir).filter((n) => n.includes('partial'))).toEqual([]);
  });
});
