import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkHostKey, entryMatches, fingerprint, knownHostsLine, parseKnownHosts, wildcardMatch } from '../../../main/hosts/known-hosts.js';

const dir = mkdtempSync(join(tmpdir(), 'bpfscope-kh-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function keygen(name: string): { type: string; b64: string; blob: Buffer } {
  const file = join(dir, name);
  const r = spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', file]);
  if (r.status !== 0) throw new Error(String(r.stderr));
  const [type, b64] = readFileSync(`${file}.pub`, 'utf8').split(' ');
  return { type: type!, b64: b64!, blob: Buffer.from(b64!, 'base64') };
}

const hasKeygen = !spawnSync('ssh-keygen', ['-?']).error;
const problem = hasKeygen ? undefined : 'ssh-keygen (openssh-client) is not installed';
if (problem && process.env.CI === 'true') throw new Error(problem);

describe('wildcardMatch', () => {
  it.each([
    ['*.example.com', 'a.example.com', true],
    ['*.example.com', 'example.com', false],
    ['host?', 'host1', true],
    ['host?', 'host12', false],
    ['[10.0.0.*]:2222', '[10.0.0.7]:2222', true],
    ['*', 'anything', true],
    ['HOST', 'host', true],
    ['a*b*c', 'aXXbYYc', true],
    ['a*b*c', 'aXXbYY', false],
  ])('%s vs %s → %s', (pattern, name, expected) => {
    expect(wildcardMatch(pattern, name)).toBe(expected);
  });
});

describe.skipIf(problem)(`known_hosts${problem ? ` (skipped: ${problem})` : ''}`, () => {
  const a = hasKeygen ? keygen('a') : { type: '', b64: '', blob: Buffer.alloc(0) };
  const b = hasKeygen ? keygen('b') : a;
  const c = hasKeygen ? keygen('c') : a;

  it('matches plain, port, wildcard and negated patterns', () => {
    const entries = parseKnownHosts(
      [
        '# comment',
        `box,10.0.0.1 ${a.type} ${a.b64}`,
        `[box]:2222 ${b.type} ${b.b64}`,
        `*.lab,!secret.lab ${c.type} ${c.b64} comment here`,
        'garbage line',
        `@unknown-marker box ${a.type} ${a.b64}`,
      ].join('\n'),
    );
    expect(entries).toHaveLength(3);
    expect(checkHostKey(entries, 'box', 22, a.blob).status).toBe('known');
    expect(checkHostKey(entries, '10.0.0.1', 22, a.blob).status).toBe('known');
    expect(checkHostKey(entries, 'box', 2222, b.blob).status).toBe('known');
    expect(checkHostKey(entries, 'box', 2222, a.blob).status).toBe('changed');
    expect(checkHostKey(entries, 'box', 22, b.blob)).toMatchObject({ status: 'changed', entry: { line: 2 } });
    expect(checkHostKey(entries, 'x.lab', 22, c.blob).status).toBe('known');
    expect(checkHostKey(entries, 'secret.lab', 22, c.blob).status).toBe('unknown');
    expect(checkHostKey(entries, 'other', 22, a.blob).status).toBe('unknown');
  });

  it('matches entries hashed by ssh-keygen -H, and only for their host', () => {
    const file = join(dir, 'known_hosts');
    writeFileSync(file, `box.example ${a.type} ${a.b64}\n[box.example]:2200 ${b.type} ${b.b64}\n`);
    expect(spawnSync('ssh-keygen', ['-H', '-f', file]).status).toBe(0);
    const text = readFileSync(file, 'utf8');
    expect(text).not.toContain('box.example');
    const entries = parseKnownHosts(text);
    expect(entries.every((e) => e.hashed)).toBe(true);
    expect(checkHostKey(entries, 'box.example', 22, a.blob).status).toBe('known');
    expect(checkHostKey(entries, 'box.example', 2200, b.blob).status).toBe('known');
    expect(checkHostKey(entries, 'box.example', 2200, a.blob).status).toBe('changed');
    expect(checkHostKey(entries, 'box.other', 22, a.blob).status).toBe('unknown');
  });

  it('refuses @revoked keys everywhere and ignores @cert-authority for plain keys', () => {
    const entries = parseKnownHosts([`@revoked * ${a.type} ${a.b64}`, `box ${a.type} ${a.b64}`, `@cert-authority *.lab ${b.type} ${b.b64}`].join('\n'));
    expect(checkHostKey(entries, 'box', 22, a.blob).status).toBe('revoked');
    expect(checkHostKey(entries, 'x.lab', 22, b.blob).status).toBe('unknown');
  });

  it('records lines ssh-keygen -F finds, plain and hashed', () => {
    const file = join(dir, 'recorded');
    writeFileSync(file, `${knownHostsLine('rec.example', 2022, a.blob, false)}\n${knownHostsLine('hashed.example', 22, b.blob, true)}\n`);
    expect(spawnSync('ssh-keygen', ['-F', '[rec.example]:2022', '-f', file]).status).toBe(0);
    expect(spawnSync('ssh-keygen', ['-F', 'hashed.example', '-f', file]).status).toBe(0);
    const entries = parseKnownHosts(readFileSync(file, 'utf8'));
    expect(entryMatches(entries[1]!, 'hashed.example', 22)).toBe(true);
  });

  it('prints fingerprints as ssh-keygen -l does', () => {
    const out = spawnSync('ssh-keygen', ['-l', '-f', join(dir, 'a.pub')], { encoding: 'utf8' }).stdout;
    expect(out).toContain(fingerprint(a.blob));
  });
});
