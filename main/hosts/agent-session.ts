// One conversation with an agent over a byte stream: request ids, replies
// matched by id, a timeout on every request, and one terminal state. Any
// protocol violation closes the session and fails every pending request.
import type { Readable, Writable } from 'node:stream';
import { FrameDecoder, FrameError, PROTOCOL_VERSION, encodeFrame, type Frame, type FrameMeta } from './frame.js';
import { HostError, toHostError } from './host-error.js';

/** What a spawned process and an SSH exec channel both look like. */
export interface AgentStreams {
  stdin: Writable | null;
  stdout: Readable | null;
  stderr?: Readable | null;
  /** Ends the other side (kill the process, close the channel). */
  kill?(): unknown;
}

/** The agent's handshake (native/src/agent_hello.c). */
export interface AgentHello {
  agent: 'bpfscope-agent';
  protocol: number;
  version: string;
  kernel: string;
  arch: string;
  hostname: string;
  cpusOnline: string;
  cpusPossible: string;
  /** CapEff from /proc/self/status, hex. */
  capEff: string;
  uid: number;
  euid: number;
  /** The agent's pid on its host. */
  pid: number;
  /** $SUDO_USER: who ran the agent through sudo; '' when not through sudo. */
  sudoUser: string;
  /** Sysctls; -1 when unreadable. */
  bpfStatsEnabled: number;
  kptrRestrict: number;
  unprivilegedBpfDisabled: number;
  /** /sys/kernel/btf/vmlinux readable. */
  btf: boolean;
  /** "ok", or the errno name bpf() answered with (ENOSYS, EPERM, …). */
  bpf: string;
}

export interface AgentReply {
  result: unknown;
  blobs: Uint8Array[];
}

export interface AgentSessionOptions {
  /** Per-request timeout; a hung agent fails its requests, not the app. */
  requestTimeoutMs?: number;
  /** Time allowed for the magic and handshake. */
  helloTimeoutMs?: number;
  responseFrameMax?: number;
}

const STDERR_TAIL = 4096;
/** Replies for timed-out ids may still come; remember that many of them. */
const LATE_IDS_MAX = 1024;

interface Pending {
  resolve(reply: AgentReply): void;
  reject(error: HostError): void;
  timer: NodeJS.Timeout;
}

export class AgentSession {
  readonly hello: Promise<AgentHello>;
  private readonly streams: AgentStreams;
  private readonly decoder: FrameDecoder;
  private readonly pending = new Map<number, Pending>();
  private readonly late = new Set<number>();
  private readonly requestTimeoutMs: number;
  private nextId = 1;
  private stderrTail = '';
  private closedWith: HostError | null = null;
  private readonly closeListeners: ((error: HostError) => void)[] = [];
  private helloWaiter: Pending | undefined;

  constructor(streams: AgentStreams, options: AgentSessionOptions = {}) {
    if (!streams.stdin || !streams.stdout) throw new HostError({ code: 'EINVAL', message: 'agent: stdin and stdout must be pipes' });
    this.streams = streams;
    this.requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
    this.decoder = new FrameDecoder({ cap: options.responseFrameMax });
    this.hello = new Promise<AgentReply>((resolve, reject) => {
      const timer = setTimeout(
        () => this.fail(new HostError({ code: 'ETIMEDOUT', message: 'agent: no handshake', hint: 'the agent did not start; see its stderr' })),
        options.helloTimeoutMs ?? 15_000,
      );
      this.helloWaiter = { resolve, reject, timer };
    }).then((reply) => this.checkHello(reply.result));
    this.hello.catch(() => {});
    streams.stdout.on('data', (chunk: Buffer) => this.onData(chunk));
    streams.stdout.on('end', () => this.afterStderr(() => this.fail(this.endedError('agent: its output ended'))));
    streams.stdout.on('error', (e: Error) => this.fail(toHostError(e)));
    streams.stdin.on('error', (e: Error) => this.fail(this.endedError(`agent: cannot write to it (${e.message})`)));
    streams.stderr?.on('data', (chunk: Buffer) => {
      this.stderrTail = (this.stderrTail + chunk.toString('utf8')).slice(-STDERR_TAIL);
    });
  }

  get closed(): boolean {
    return this.closedWith !== null;
  }

  /** What the agent printed on stderr last (sudo, exec and shell errors land here). */
  get stderr(): string {
    return this.stderrTail;
  }

  onClose(listener: (error: HostError) => void): void {
    if (this.closedWith) listener(this.closedWith);
    else this.closeListeners.push(listener);
  }

  request(op: string, args: FrameMeta = {}, blobs: Uint8Array[] = [], timeoutMs = this.requestTimeoutMs): Promise<AgentReply> {
    if (this.closedWith) return Promise.reject(this.closedWith);
    const id = this.nextId++;
    let frame: Uint8Array;
    try {
      frame = encodeFrame({ id, op, ...args }, blobs);
    } catch (e) {
      return Promise.reject(new HostError({ code: 'E2BIG', message: (e as Error).message }));
    }
    return new Promise<AgentReply>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        if (this.late.size >= LATE_IDS_MAX) this.late.delete(this.late.values().next().value!);
        this.late.add(id);
        reject(new HostError({ code: 'ETIMEDOUT', message: `agent: ${op} timed out after ${timeoutMs} ms` }));
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      this.streams.stdin!.write(frame);
    });
  }

  /** Closes stdin (the agent exits on EOF) and ends the session. */
  close(): void {
    this.fail(new HostError({ code: 'ECLOSED', message: 'agent: session closed' }));
  }

  private onData(chunk: Buffer): void {
    if (this.closedWith) return;
    let frames: Frame[];
    try {
      frames = this.decoder.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    } catch (e) {
      const message = e instanceof FrameError ? e.message : String(e);
      this.fail(new HostError({ code: 'EPROTO', message: `agent: ${message}`, hint: 'the remote program is not a compatible bpfscope agent' }));
      return;
    }
    for (const frame of frames) {
      if (this.closedWith) return;
      this.onFrame(frame);
    }
  }

  private onFrame(frame: Frame): void {
    const { id, ok } = frame.meta;
    if (typeof id !== 'number' || typeof ok !== 'boolean') {
      this.protocolError('reply without id or ok');
      return;
    }
    const waiter = id === 0 ? this.takeHelloWaiter(frame) : this.pending.get(id);
    if (!waiter) {
      if (this.late.delete(id)) return;
      this.protocolError(`reply to unknown request ${id}`);
      return;
    }
    if (id !== 0) this.pending.delete(id);
    clearTimeout(waiter.timer);
    if (ok) waiter.resolve({ result: frame.meta.result ?? null, blobs: frame.blobs });
    else waiter.reject(toHostError(frame.meta.error ?? { code: 'EPROTO', message: 'agent: error without detail' }));
  }

  /** id 0 is the handshake, once; later it is the agent's fatal protocol error. */
  private takeHelloWaiter(frame: Frame): Pending | undefined {
    const waiter = this.helloWaiter;
    if (waiter) {
      this.helloWaiter = undefined;
      return waiter;
    }
    const error = toHostError(frame.meta.error ?? { code: 'EPROTO', message: 'unexpected handshake' });
    this.fail(new HostError({ code: 'EPROTO', message: `agent refused our request: ${error.message}` }));
    return undefined;
  }

  private checkHello(result: unknown): AgentHello {
    const hello = result as Partial<AgentHello> | null;
    if (!hello || hello.agent !== 'bpfscope-agent') {
      this.protocolError('handshake is not from a bpfscope agent');
      throw this.closedWith;
    }
    if (hello.protocol !== PROTOCOL_VERSION) {
      const error = new HostError({
        code: 'EPROTO',
        message: `agent speaks protocol ${hello.protocol}, we speak ${PROTOCOL_VERSION}`,
        hint: 'the agent binary and this app come from different versions',
      });
      this.fail(error);
      throw error;
    }
    return hello as AgentHello;
  }

  private protocolError(message: string): void {
    this.fail(new HostError({ code: 'EPROTO', message: `agent: ${message}`, hint: 'the remote program is not a compatible bpfscope agent' }));
  }

  /** Its last words (sudo, exec errors) may trail its stdout: wait briefly. */
  private afterStderr(then: () => void): void {
    const stderr = this.streams.stderr;
    if (!stderr || stderr.readableEnded) return then();
    const timer = setTimeout(then, 250);
    stderr.once('end', () => {
      clearTimeout(timer);
      then();
    });
  }

  private endedError(message: string): HostError {
    const stderr = this.stderrTail.trim();
    return new HostError({ code: 'ECLOSED', message: stderr ? `${message}: ${stderr.split('\n').slice(-3).join(' | ')}` : message });
  }

  private fail(error: HostError): void {
    if (this.closedWith) return;
    this.closedWith = error;
    const waiters = [...this.pending.values()];
    if (this.helloWaiter) waiters.push(this.helloWaiter);
    this.pending.clear();
    for (const w of waiters) {
      clearTimeout(w.timer);
      w.reject(error);
    }
    this.streams.stdout!.removeAllListeners('data');
    this.streams.stdin!.end();
    // A protocol error leaves the agent's state unknown: stop it.
    if (error.code !== 'ECLOSED') this.streams.kill?.();
    for (const listener of this.closeListeners.splice(0)) listener(error);
  }
}
