// A text message channel: the one thing a transport must provide. The in-memory
// pair is how the protocol is tested, as VS Code tests its IPC.

export interface MessageChannel {
  send(text: string): void;
  /** Returns a function that removes the listener. */
  onMessage(listener: (text: string) => void): () => void;
  onClose(listener: () => void): () => void;
  close(): void;
}

class InMemoryEnd implements MessageChannel {
  peer!: InMemoryEnd;
  private readonly messageListeners = new Set<(text: string) => void>();
  private readonly closeListeners = new Set<() => void>();
  private closed = false;

  send(text: string): void {
    if (this.closed) return;
    // Asynchronous like every real transport, so tests catch ordering assumptions.
    queueMicrotask(() => this.peer.deliver(text));
  }

  onMessage(listener: (text: string) => void): () => void {
    this.messageListeners.add(listener);
    return () => this.messageListeners.delete(listener);
  }

  onClose(listener: () => void): () => void {
    this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }

  close(): void {
    this.shut();
    queueMicrotask(() => this.peer.shut());
  }

  private deliver(text: string): void {
    if (this.closed) return;
    for (const listener of [...this.messageListeners]) listener(text);
  }

  private shut(): void {
    if (this.closed) return;
    this.closed = true;
    for (const listener of [...this.closeListeners]) listener();
    this.messageListeners.clear();
    this.closeListeners.clear();
  }
}

export function createInMemoryChannelPair(): [MessageChannel, MessageChannel] {
  const a = new InMemoryEnd();
  const b = new InMemoryEnd();
  a.peer = b;
  b.peer = a;
  return [a, b];
}
