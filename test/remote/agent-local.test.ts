// AgentHost over a locally spawned agent returns what LocalHost returns.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentHost } from '../../main/hosts/agent-host.js';
import { LocalHost } from '../../main/hosts/local-host.js';
import { startFixtures, type LoadedFixtures } from '../helpers/fixtures.js';
import { AGENT_BINARY, agentTestProblem } from './requirements.js';
import { PROTOCOL_VERSION } from '../../main/hosts/frame.js';
import { decodeProgStatsSample } from '../../main/kernel/live/index.js';
import { decodeMapInfo, decodeProgInfo, parseFdinfo } from '../../main/kernel/info/index.js';
import { decodeProgBatch, type ProgBatch } from '../../main/kernel/info/prog-batch.js';
import { decodeMapBatch, type MapBatch } from '../../main/kernel/info/map-batch.js';
import { decodeProgArrayBatch, type ProgArrayBatch } from '../../main/kernel/attach/index.js';
import { expectSameAttachments, expectSameLiveReads, expectSameMapDumps, expectSameObjects } from './same-host.js';

const problem = agentTestProblem();

describe.skipIf(problem)(`AgentHost over a local agent${problem ? ` (skipped: ${problem})` : ''}`, () => {
  let fixtures: LoadedFixtures;
  let agent: AgentHost;
  const local = new LocalHost();
  // The net and cgroup objects count live traffic in their maps: not comparable read to read.
  const stableMaps = () => fixtures.report.maps.filter((m) => m.object !== 'net' && m.object !== 'cgroup');

  beforeAll(async () => {
    fixtures = await startFixtures({ only: ['maps', 'tracing', 'kprobes', 'net', 'cgroup'] });
    agent = new AgentHost(spawn(AGENT_BINARY, [], { stdio: ['pipe', 'pipe', 'pipe'] }), { label: 'local agent' });
  });
  afterAll(async () => {
    await agent?.close();
    await fixtures?.stop();
  });

  it('handshakes with kernel, arch, CPUs, capabilities and sysctls', async () => {
    const hello = await agent.ready();
    expect(hello).toMatchObject({ agent: 'bpfscope-agent', protocol: PROTOCOL_VERSION, arch: 'x86_64', bpf: 'ok', euid: 0 });
    expect(hello.kernel).toBe((await local.readFile('/proc/sys/kernel/osrelease', 4096)).toString().trim());
    expect(BigInt(`0x${hello.capEff}`) & (1n << 39n)).not.toBe(0n);
  });

  it('returns the same ids, info bytes, aux arrays and BTF as LocalHost', async () => {
    const { programs, maps, links } = fixtures.report;
    const compared = await expectSameObjects(local, agent, {
      prog: programs.map((p) => p.id),
      map: maps.map((m) => m.id),
      link: links.map((l) => l.id),
    });
    expect(compared).toBeGreaterThan(programs.length + maps.length);
  });

  it('reads programs in batches as LocalHost does: the same ids, info and map ids', async () => {
    const [mine, theirs] = await Promise.all([local.progInfoBatch(0, 4096), agent.progInfoBatch(0, 4096)]).then((both) => both.map(decodeProgBatch));
    const fixtureIds = fixtures.report.programs.map((p) => p.id);
    const pick = (batch: ProgBatch) => batch.records.filter((r) => fixtureIds.includes(r.id)).map((r) => ({ id: r.id, mapIds: Array.from(r.mapIds), name: decodeProgInfo(r.info).name, tag: decodeProgInfo(r.info).tag, memlock: parseFdinfo(r.fdinfo).memlock }));
    expect(pick(theirs)).toEqual(pick(mine));
    expect(pick(theirs).map((p) => p.id)).toEqual(fixtureIds.toSorted((a, b) => a - b));
    expect(decodeProgBatch(await agent.progInfoBatch(fixtureIds[0]!, 1)).records.length).toBe(1);
  });

  it('reads maps\' info in batches as LocalHost does', async () => {
    const [mine, theirs] = await Promise.all([local.mapInfoBatch(0, 4096), agent.mapInfoBatch(0, 4096)]).then((both) => both.map(decodeMapBatch));
    const fixtureIds = fixtures.report.maps.map((m) => m.id);
    const pick = (batch: MapBatch) => batch.records.filter((r) => fixtureIds.includes(r.id)).map((r) => ({ id: r.id, info: decodeMapInfo(r.info) }));
    expect(pick(theirs)).toEqual(pick(mine));
    expect(pick(theirs).map((m) => m.id)).toEqual(fixtureIds.toSorted((a, b) => a - b));
    expect(decodeMapBatch(await agent.mapInfoBatch(fixtureIds[0]!, 1)).records.length).toBe(1);
    await expect(agent.mapInfoBatch(0, 0)).rejects.toThrow(/bad arguments/);
  });

  it('reads every prog_array\'s slots in batches as LocalHost does', async () => {
    const [mine, theirs] = await Promise.all([local.progArrayBatch(0, 4096), agent.progArrayBatch(0, 4096)]).then((both) => both.map(decodeProgArrayBatch));
    const fixtureIds = fixtures.report.maps.map((m) => m.id);
    const pick = (batch: ProgArrayBatch) => batch.records.filter((r) => fixtureIds.includes(r.id)).map((r) => ({ id: r.id, info: decodeMapInfo(r.info), slots: r.slots }));
    expect(pick(theirs)).toEqual(pick(mine));
    const jumps = pick(theirs).find((r) => r.id === fixtures.map('jump_table', 'maps').id);
    expect(jumps?.slots?.map((s) => s.index)).toEqual([0, 2]);
    const one = decodeProgArrayBatch(await agent.progArrayBatch(jumps!.id - 1, 1));
    expect({ walked: one.walked, lastId: one.lastId, ids: one.records.map((r) => r.id) }).toEqual({ walked: 1, lastId: jumps!.id, ids: [jumps!.id] });
    await expect(agent.progArrayBatch(0, 0)).rejects.toThrow(/bad arguments/);
    await expect(agent.progArrayBatch(0, 4097)).rejects.toThrow(/bad arguments/);
  });

  it('dumps every fixture map to the same entries in batch and next-key modes', async () => {
    const cpus = (await local.readFile('/sys/devices/system/cpu/possible', 64)).toString().trim();
    const possible = Number(cpus.split('-').at(-1)) + 1;
    expect(await expectSameMapDumps(local, agent, stableMaps(), possible)).toBeGreaterThan(4);
  });

  it('refuses, as LocalHost does, a page whose sizes do not fit the map\'s entries', async () => {
    const map = fixtures.map('hash_map', 'maps');
    const [mine, theirs] = await Promise.all([local.openMap(map.id), agent.openMap(map.id)]);
    try {
      const size = decodeMapInfo((await local.mapInfoBytes(map.id))!);
      for (const [keySize, stride] of [[size.keySize!, size.valueSize! - 1], [size.keySize! + 4, size.valueSize!]] as const) {
        for (const mode of ['batch', 'next'] as const) {
          await expect(theirs!.read(mode, null, keySize, stride, 4), `${mode} ${keySize}/${stride}`).rejects.toThrow(/bad arguments/);
          await expect(mine!.read(mode, null, keySize, stride, 4), `${mode} ${keySize}/${stride}`).rejects.toThrow(/does not fit/);
        }
      }
      expect((await theirs!.read('next', null, size.keySize!, size.valueSize!, 4)).count).toBeGreaterThan(0);
    } finally {
      await Promise.all([mine?.close(), theirs?.close()]);
    }
  });

  it('answers owners, readFile refusals, clocks and stats like LocalHost', async () => {
    expect((await agent.owners()).length).toBeGreaterThan(0);
    await expect(agent.readFile('/etc/shadow', 100)).rejects.toMatchObject({ code: 'EACCES' });
    // Owners' command lines and cgroups are readable; their environment and memory are not.
    expect(Buffer.from(await agent.readFile(`/proc/${process.pid}/cmdline`, 1 << 16))).toEqual(Buffer.from(await local.readFile(`/proc/${process.pid}/cmdline`, 1 << 16)));
    expect((await agent.readFile('/proc/1/cgroup', 1 << 16)).byteLength).toBeGreaterThan(0);
    // The kernel's helper documentation, where installed (explain shows it).
    await expect(agent.readFile('/usr/include/linux/bpf.h', 8 << 20)).resolves.toEqual(await local.readFile('/usr/include/linux/bpf.h', 8 << 20));
    // The files a process maps, for naming its stack frames: ELF files only.
    const mapped = readFileSync(`/proc/${process.pid}/maps`, 'utf8').split('\n').map((l) => /^([0-9a-f]+)-([0-9a-f]+) r-xp \S+ \S+ \d+\s+(\/\S+libc\.so\S*)$/.exec(l)).find((m) => m);
    const viaMapFiles = `/proc/${process.pid}/map_files/${mapped![1]}-${mapped![2]}`;
    expect(Buffer.from((await agent.readFile(viaMapFiles, 64 << 20)).subarray(0, 4))).toEqual(Buffer.from([0x7f, 0x45, 0x4c, 0x46]));
    for (const path of ['/proc/1/environ', '/proc/1/mem', '/proc/self/cgroup', '/proc/1/root/etc/shadow', '/proc/01/cgroup', '/proc/1/cgroup/../environ', '/proc/1/map_files/', '/proc/1/map_files/10-x']) {
      await expect(agent.readFile(path, 100), path).rejects.toMatchObject({ code: 'EACCES' });
    }
    await expect(agent.progInfo(0x7ffffff0, false)).resolves.toBeNull();
    const [a, b] = [await local.clocks(), await agent.clocks()];
    expect(b.boottimeNs - a.boottimeNs).toBeGreaterThanOrEqual(0n);
    expect(b.boottimeNs - a.boottimeNs).toBeLessThan(5_000_000_000n);
    const hold = await agent.enableStats();
    const statsHolders = (await local.owners()).filter((o) => o.target === 'anon_inode:bpf-stats');
    expect(statsHolders.length).toBeGreaterThan(0);
    await hold.release();
  });

  it('reads one-pass stats samples, ring buffer positions and mmap copies like LocalHost', async () => {
    expect(await expectSameLiveReads(local, agent, stableMaps())).toBeGreaterThan(1);
  });

  it('walks from known program ids like LocalHost', async () => {
    // Stable answers on a shared machine: a gone id above the first, and the first two only.
    const idsOf = async (host: AgentHost | LocalHost, known: number[], max = 100_000) =>
      decodeProgStatsSample(await host.progInfoAll(max, Uint32Array.from(known))).records.map((r) => r.id);
    const ids = await idsOf(local, []);
    expect(await idsOf(agent, [ids[0]!, 0x7ffffff0])).toEqual([ids[0]]);
    expect(await idsOf(agent, ids.slice(0, 2), 2)).toEqual(ids.slice(0, 2));
    await expect(agent.progInfoAll(10, Uint32Array.from([5]))).resolves.toBeInstanceOf(Uint8Array);
  });

  it('answers every attachment query (netns, rtnetlink, tcx, cgroups, perf fds) like LocalHost', async () => {
    expect(await expectSameAttachments(local, agent, fixtures.report.netns)).toBeGreaterThan(2);
  });
});
