// The host-backed service without a kernel: hosts that fail to open report it
// as data, per host, and are retried; unknown hosts are an error with a hint.
import { describe, expect, it } from 'vitest';
import { HostError } from '../../../main/hosts/host-error.js';
import type { HostSession } from '../../../main/hosts/host-session.js';
import { createHostService } from '../../../main/server/host-service.js';
import { toWireJson } from '../../../main/server/wire-json.js';

const signal = new AbortController().signal;

describe('host service', () => {
  it('reports a host that cannot open as failed, with code and hint, and tries again on the next call', async () => {
    let attempts = 0;
    const service = createHostService({
      hosts: {
        local: async () => {
          attempts++;
          throw new HostError({ code: 'EPRIV', message: 'local: missing CAP_SYS_ADMIN', hint: 'run as root' });
        },
      },
    });
    const seen: unknown[] = [];
    const unsubscribe = service.watchHosts({}, (hosts) => seen.push(hosts));
    await expect(service.listPrograms({ host: 'local' }, signal)).rejects.toMatchObject({ code: 'EPRIV', hint: 'run as root' });
    await expect(service.listMaps({ host: 'local' }, signal)).rejects.toMatchObject({ code: 'EPRIV' });
    expect(attempts).toBe(2);
    expect(await service.listHosts({}, signal)).toEqual([
      { id: 'local', label: 'local', status: 'failed', error: { code: 'EPRIV', message: 'local: missing CAP_SYS_ADMIN', hint: 'run as root' } },
    ]);
    expect(seen[0]).toEqual([{ id: 'local', label: 'local', status: 'connecting' }]);
    unsubscribe();
    await service.close();
  });

  it('keeps a refused host key until the user retries: views opening next do not ask again', async () => {
    let attempts = 0;
    const service = createHostService({
      hosts: {
        box: async () => {
          attempts++;
          throw new HostError({ code: 'EHOSTKEY', message: 'box: unknown host key refused' });
        },
      },
    });
    await expect(service.listPrograms({ host: 'box' }, signal)).rejects.toMatchObject({ code: 'EHOSTKEY' });
    await expect(service.listMaps({ host: 'box' }, signal)).rejects.toMatchObject({ code: 'EHOSTKEY' });
    expect(attempts).toBe(1);
    expect(await service.reconnectHost({ host: 'box' }, signal)).toMatchObject({ status: 'failed', error: { code: 'EHOSTKEY' } });
    expect(attempts).toBe(2);
    await service.close();
  });

  it('answers an unknown host with ENOHOST and a hint', async () => {
    const service = createHostService({ hosts: {} });
    await expect(service.listLinks({ host: 'box' }, signal)).rejects.toMatchObject({ code: 'ENOHOST', hint: expect.any(String) });
  });

  it('closes every session it opened', async () => {
    let closed = 0;
    const session = { close: async () => void closed++ } as unknown as HostSession;
    const service = createHostService({ hosts: { a: async () => session, b: async () => session } });
    await service.listPrograms({ host: 'a' }, signal).catch(() => {});
    await service.close();
    expect(closed).toBe(1);
  });

  it('answers a warmed program list from the listing started early, once; a failed warm-up is that answer', async () => {
    let opens = 0;
    const service = createHostService({
      hosts: {
        local: async () => {
          opens++;
          throw new HostError({ code: 'EPRIV', message: 'local: missing CAP_SYS_ADMIN' });
        },
      },
    });
    service.warmProgramList('nowhere');
    service.warmProgramList('local');
    await expect(service.listPrograms({ host: 'local' }, signal)).rejects.toMatchObject({ code: 'EPRIV' });
    expect(opens).toBe(1);
    await expect(service.listPrograms({ host: 'local' }, signal)).rejects.toMatchObject({ code: 'EPRIV' });
    expect(opens).toBe(2);
    await service.close();
  });

  it('turns bigints into numbers when exact, else into decimal strings', () => {
    expect(toWireJson({ a: 5n, b: 2n ** 64n - 1n, c: [1n, 'x', null] })).toEqual({ a: 5, b: '18446744073709551615', c: [1, 'x', null] });
  });
});
