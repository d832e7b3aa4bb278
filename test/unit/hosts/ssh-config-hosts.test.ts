// The sidebar's ~/.ssh/config aliases: read from a real config file in a
// temporary HOME, through the same call the service answers.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readSshConfigText } from '../../../main/hosts/ssh-config-file.js';
import { readSshConfigHosts, sshConfigHosts } from '../../../main/hosts/ssh-config-hosts.js';
import { resolveTarget } from '../../../main/hosts/ssh-target.js';
import { createHostService } from '../../../main/server/host-service.js';

const CONFIG = `# work machines
Host web1 web2
  HostName %h.example.net
  User ops

Host db
  HostName 10.0.0.7
  Port 2222

Host *.internal !bastion ?x
  User nobody

Host bad-port
  Port 99999

Host db
  User later

Match host web1
  Port 2200

Host *
  User fallback
`;

describe('ssh config hosts', () => {
  let home: string;
  let savedHome: string | undefined;
  beforeEach(() => {
    home = mkdtempSync(join(tmpdir(), 'bpfscope-sshcfg-'));
    savedHome = process.env.HOME;
  });
  afterEach(() => {
    process.env.HOME = savedHome;
    rmSync(home, { recursive: true, force: true });
  });

  it('lists each non-wildcard alias once, in file order, with where ssh would connect', () => {
    expect(sshConfigHosts(CONFIG, home)).toEqual([
      { alias: 'web1', target: 'ops@web1.example.net:22' },
      { alias: 'web2', target: 'ops@web2.example.net:22' },
      { alias: 'db', target: 'later@10.0.0.7:2222' },
      { alias: 'bad-port' },
    ]);
  });

  it('reads ~/.ssh/config of the home given, and answers none when there is no file', () => {
    expect(readSshConfigHosts(home)).toEqual([]);
    mkdirSync(join(home, '.ssh'));
    writeFileSync(join(home, '.ssh', 'config'), 'Host lab\n  HostName 192.0.2.4\n  User root\n');
    expect(readSshConfigHosts(home)).toEqual([{ alias: 'lab', target: 'root@192.0.2.4:22' }]);
  });

  it('is answered by the service from $HOME', async () => {
    mkdirSync(join(home, '.ssh'));
    writeFileSync(join(home, '.ssh', 'config'), CONFIG);
    process.env.HOME = home;
    const service = createHostService({ hosts: {} });
    try {
      const aliases = await service.listSshConfigHosts({}, new AbortController().signal);
      expect(aliases.map((h) => h.alias)).toEqual(['web1', 'web2', 'db', 'bad-port']);
    } finally {
      await service.close();
    }
  });

  describe('Include', () => {
    const write = (path: string, text: string) => {
      mkdirSync(join(home, '.ssh', path, '..'), { recursive: true });
      writeFileSync(join(home, '.ssh', path), text);
    };
    const aliases = () => readSshConfigHosts(home).map((h) => h.alias);

    it('follows paths relative to ~/.ssh (also from an included file), globs in lexical order, ~ and absolute paths, nested', () => {
      write('config', 'Include conf.d/*.conf "~/extra/with space"\nHost last\n');
      write('conf.d/20-b.conf', 'Host b\n  Include nested/inner\n');
      write('conf.d/10-a.conf', 'Host a\n');
      write('conf.d/.hidden.conf', 'Host hidden\n');
      write('conf.d/30-c.txt', 'Host not-conf\n');
      write('nested/inner', 'Host inner\n  Include ' + join(home, 'abs') + '\n');
      writeFileSync(join(home, 'abs'), 'Host absolute\n');
      mkdirSync(join(home, 'extra'));
      writeFileSync(join(home, 'extra', 'with space'), 'Host spaced\n');
      expect(aliases()).toEqual(['a', 'b', 'inner', 'absolute', 'spaced', 'last']);
    });

    it('matches ? and [..] like glob(3)', () => {
      write('config', 'Include h?.conf h[!2].d\n');
      write('h1.conf', 'Host one\n');
      write('h22.conf', 'Host twotwo\n');
      write('h2.d', 'Host two\n');
      write('h3.d', 'Host three\n');
      expect(aliases()).toEqual(['one', 'three']);
    });

    it('ignores missing, unreadable and directory includes, and keeps reading', () => {
      // Unreadable for root too: a symlink to itself (ELOOP) and a directory (EISDIR).
      write('config', 'Include missing.conf nodir/*.conf loop.conf conf.d\nInclude ok.conf\n');
      symlinkSync('loop.conf', join(home, '.ssh', 'loop.conf'));
      write('conf.d/x', 'Host x\n');
      write('ok.conf', 'Host ok\n');
      expect(aliases()).toEqual(['ok']);
    });

    it('survives include cycles and bounds the depth at 16', () => {
      write('config', 'Include self.conf\n');
      write('self.conf', 'Host self\nInclude config self.conf\n');
      expect(aliases()).toEqual(['self']);
      write('config', 'Include d1\n');
      for (let depth = 1; depth <= 20; depth++) write(`d${depth}`, `Host at${depth}\nInclude d${depth + 1}\n`);
      expect(aliases()).toEqual(Array.from({ length: 16 }, (_, i) => `at${i + 1}`));
    });

    it('keeps the including block in force after the included lines', () => {
      write('config', ['Include top.conf', 'User everyone', 'Host web', '  User ops', '  Include web.conf', '  Port 2200', ''].join('\n'));
      write('top.conf', 'Host third\n  Port 3333\n');
      write('web.conf', 'HostName web.example.net\nHost other\n  HostName other.example.net\n');
      expect(readSshConfigHosts(home)).toEqual([
        { alias: 'third', target: 'everyone@third:3333' },
        { alias: 'web', target: 'everyone@web.example.net:2200' },
        { alias: 'other', target: 'everyone@other.example.net:22' },
      ]);
    });

    it('resolves an alias defined in an included file for connecting', () => {
      write('config', 'Include hosts/*\n');
      write('hosts/lab', 'Host lab\n  HostName 192.0.2.9\n  User root\n  Port 2022\n  IdentityFile ~/.ssh/lab_key\n');
      const target = resolveTarget('lab', { configText: readSshConfigText(home), home });
      expect(target).toMatchObject({ host: '192.0.2.9', user: 'root', port: 2022, identityFiles: [join(home, '.ssh', 'lab_key')] });
    });
  });
});
