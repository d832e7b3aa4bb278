import { describe, expect, it } from 'vitest';
import { parseHostSpec, resolveTarget } from '../../../main/hosts/ssh-target.js';

describe('parseHostSpec', () => {
  it.each([
    ['box', { host: 'box' }],
    ['root@box', { user: 'root', host: 'box' }],
    ['root@box:2222', { user: 'root', host: 'box', port: 2222 }],
    ['[::1]:2200', { host: '::1', port: 2200 }],
    ['u@[fe80::1]', { user: 'u', host: 'fe80::1' }],
    ['fe80::1', { host: 'fe80::1' }],
    ['ssh://a@b:7', { user: 'a', host: 'b', port: 7 }],
  ])('%s', (spec, expected) => {
    expect(parseHostSpec(spec)).toEqual(expected);
  });

  it.each(['', '@box', 'box:0', 'box:99999', 'box:x', 'a b'])('refuses %j', (spec) => {
    expect(() => parseHostSpec(spec)).toThrow(/bad host spec|bad/);
  });
});

describe('resolveTarget', () => {
  const configText = [
    'Host prod',
    '  HostName 10.1.2.3',
    '  User ops',
    '  Port 2200',
    '  IdentityFile ~/.ssh/prod_key',
    '  IdentityFile /keys/second',
    '  IdentitiesOnly yes',
    '  ProxyJump bastion',
    'Host bastion',
    '  HostName bastion.example',
    '  User jump',
    'Host *',
    '  User fallback',
  ].join('\n');

  it('applies HostName, User, Port, IdentityFile, IdentitiesOnly and ProxyJump', () => {
    const t = resolveTarget('prod', { configText, home: '/home/me' });
    expect(t).toMatchObject({
      host: '10.1.2.3',
      user: 'ops',
      port: 2200,
      identityFiles: ['/home/me/.ssh/prod_key', '/keys/second'],
      identitiesOnly: true,
    });
    expect(t.jumps).toMatchObject([{ host: 'bastion.example', user: 'jump', port: 22, jumps: [] }]);
  });

  it('lets the spec override the config and falls back to defaults', () => {
    const t = resolveTarget('admin@prod:22', { configText, home: '/home/me' });
    expect(t).toMatchObject({ user: 'admin', port: 22, host: '10.1.2.3' });
    const plain = resolveTarget('other', { configText, home: '/home/me' });
    expect(plain).toMatchObject({ host: 'other', user: 'fallback', port: 22, identitiesOnly: false, jumps: [] });
    expect(plain.identityFiles).toEqual(['/home/me/.ssh/id_ed25519', '/home/me/.ssh/id_ecdsa', '/home/me/.ssh/id_rsa']);
  });

  it('stops ProxyJump loops', () => {
    const loop = 'Host a\n  ProxyJump b\nHost b\n  ProxyJump a\n';
    expect(() => resolveTarget('a', { configText: loop, home: '/h' })).toThrow(/ProxyJump chain/);
  });
});
