// A growable list of type ids in a Uint32Array: the C printer's declarator stack and its
// emit queue, reused for every type instead of allocated per type.

export class IdList {
  ids: Uint32Array;
  length = 0;

  constructor(capacity: number) {
    this.ids = new Uint32Array(capacity);
  }

  push(id: number): void {
    if (this.length === this.ids.length) {
      const grown = new Uint32Array(this.ids.length * 2);
      grown.set(this.ids);
      this.ids = grown;
    }
    this.ids[this.length++] = id;
  }
}
