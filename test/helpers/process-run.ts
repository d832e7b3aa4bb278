// One command run as a whole process, the way a user feels it: wall time from spawn to exit,
// CPU time (user + system of all its threads, from bash's `times`: what a machine others load
// inflates least) and peak memory (max RSS, from GNU time), output to /dev/null. For the benchmarks that
// compare a bpfscope command with its bpftool equivalent in the same run.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { median } from './median.js';

export const GNU_TIME = '/usr/bin/time';

export interface ProcessRun {
  ms: number;
  cpuMs: number;
  mb: number;
}

/** Exits with a message when GNU time is missing: the peak memory figures come from it. */
export function requireGnuTime(bench: string): void {
  if (existsSync(GNU_TIME)) return;
  console.error(`${bench} bench: ${GNU_TIME} not found (apt-get install time): it reports each command's peak memory`);
  process.exit(1);
}

/** `times` prints the shell's user and system time, then its children's: `0m0.045s 0m0.004s`. */
function childCpuMs(timesOutput: string): number {
  const match = /^(\d+)m([\d.]+)s (\d+)m([\d.]+)s$/.exec(timesOutput.trim().split('\n').pop() ?? '');
  if (!match) throw new Error(`times: '${timesOutput}'`);
  return (Number(match[1]) * 60 + Number(match[2]) + Number(match[3]) * 60 + Number(match[4])) * 1000;
}

/** One run of argv: wall ms from spawn to exit, CPU ms, peak RSS in MB (`work` holds GNU time's report). Throws if it fails. */
export function runProcess(argv: string[], work: string): ProcessRun {
  const peakFile = join(work, 'peak');
  const t0 = process.hrtime.bigint();
  // GNU time's max RSS of bash covers the command bash waited for.
  const r = spawnSync(GNU_TIME, ['-f', '%M', '-o', peakFile, 'bash', '-c', '"$0" "$@" >/dev/null || exit; times', ...argv], {
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 1 << 24,
  });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${argv.join(' ')}: exit ${r.status ?? r.signal}: ${r.stderr.toString().slice(0, 500)}`);
  const kb = Number(readFileSync(peakFile, 'utf8').trim().split('\n').pop());
  return { ms, cpuMs: childCpuMs(r.stdout.toString()), mb: kb / 1024 };
}

export function medianRun(runs: readonly ProcessRun[]): ProcessRun {
  return { ms: median(runs.map((r) => r.ms)), cpuMs: median(runs.map((r) => r.cpuMs)), mb: median(runs.map((r) => r.mb)) };
}

/** A bpfscope command (arguments after `bpfscope`) and bpftool's equivalent, if it has one. */
export interface PeerCommands {
  ours: string[];
  peer?: string[];
}

export interface InTurnResult {
  /** `node -e 0` started as bpfscope's launcher starts Node: what no bpfscope command goes under. */
  floor: ProcessRun;
  /** `node -e 0` started plainly, in this environment (NODE_EXTRA_CA_CERTS and all). */
  plainFloor: ProcessRun;
  ours: ProcessRun[];
  peers: (ProcessRun | undefined)[];
}

/**
 * How the script `bin` starts Node: its `#!` line's interpreter and the one argument the kernel
 * passes it (everything after the interpreter's name, e.g. `-S -u NODE_EXTRA_CA_CERTS node`).
 */
export function launcherNode(bin: string): string[] {
  const line = readFileSync(bin, 'utf8').split('\n', 1)[0]!;
  const match = /^#!\s*(\S+)(?:\s+(.*\S))?\s*$/.exec(line);
  if (!match) throw new Error(`${bin}: no #! line`);
  return match[2] ? [match[1]!, match[2]] : [match[1]!];
}

/**
 * Each row's two commands in turn (swapping who goes first each round), round after round, so
 * that load on the shared cores hits both alike; medians per command. `bin`: bpfscope's script,
 * run as users run it (its `#!` line starts Node).
 */
export function measureInTurn(rows: readonly PeerCommands[], rounds: number, bin: string, work: string): InTurnResult {
  const floor: ProcessRun[] = [];
  const plainFloor: ProcessRun[] = [];
  const node = launcherNode(bin);
  const ours: ProcessRun[][] = rows.map(() => []);
  const peers: ProcessRun[][] = rows.map(() => []);
  for (let round = 0; round < rounds; round++) {
    floor.push(runProcess([...node, '-e', '0'], work));
    plainFloor.push(runProcess([process.execPath, '-e', '0'], work));
    rows.forEach((row, i) => {
      const mine = (): void => void ours[i]!.push(runProcess([bin, ...row.ours], work));
      const theirs = (): void => void (row.peer && peers[i]!.push(runProcess(['bpftool', ...row.peer], work)));
      if (round % 2 === 0) {
        mine();
        theirs();
      } else {
        theirs();
        mine();
      }
    });
  }
  return {
    floor: medianRun(floor),
    plainFloor: medianRun(plainFloor),
    ours: ours.map(medianRun),
    peers: rows.map((row, i) => (row.peer ? medianRun(peers[i]!) : undefined)),
  };
}
