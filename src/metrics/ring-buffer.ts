/** A fixed-capacity buffer that keeps the latest `capacity` items, oldest first. */
export class RingBuffer<T> {
  readonly #items: (T | undefined)[];
  #start = 0;
  #size = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`ring buffer capacity must be an integer >= 1, got ${capacity}`);
    }
    this.#items = new Array<T | undefined>(capacity);
  }

  get size(): number {
    return this.#size;
  }

  /** Appends `item`, dropping the oldest one when the buffer is full. */
  push(item: T): void {
    const index = (this.#start + this.#size) % this.capacity;
    this.#items[index] = item;
    if (this.#size < this.capacity) this.#size++;
    else this.#start = (this.#start + 1) % this.capacity;
  }

  /** Returns the item `back` places before the latest (0 is the latest), if it is kept. */
  fromEnd(back: number): T | undefined {
    if (back < 0 || back >= this.#size) return undefined;
    return this.#items[(this.#start + this.#size - 1 - back) % this.capacity];
  }

  /** Copies the items out, oldest first. */
  toArray(): T[] {
    const items: T[] = [];
    for (let back = this.#size - 1; back >= 0; back--) items.push(this.fromEnd(back)!);
    return items;
  }
}

/**
 * Every item of a run, in at most `maxItems`. When full, it drops every other kept item and
 * from then on keeps one new item in two. So a long run keeps its whole span, at half the
 * resolution each time the history fills.
 */
export class DownsampledHistory<T> {
  #items: T[] = [];
  /** Keep one pushed item in `#stride`. */
  #stride = 1;
  #skipped = 0;
  /** The latest pushed item, when the stride skipped it. */
  #latestSkipped: T | undefined;

  constructor(readonly maxItems: number) {
    if (!Number.isInteger(maxItems) || maxItems < 2) {
      throw new RangeError(`history size must be an integer >= 2, got ${maxItems}`);
    }
  }

  get stride(): number {
    return this.#stride;
  }

  push(item: T): void {
    if (this.#skipped + 1 < this.#stride) {
      this.#skipped++;
      this.#latestSkipped = item;
      return;
    }
    this.#skipped = 0;
    this.#latestSkipped = undefined;
    this.#items.push(item);
    if (this.#items.length >= this.maxItems) {
      this.#items = this.#items.filter((_, index) => index % 2 === 0);
      this.#stride *= 2;
    }
  }

  /** Copies the kept items out, oldest first, ending with the latest pushed item. */
  toArray(): T[] {
    const items = [...this.#items];
    if (this.#latestSkipped !== undefined) items.push(this.#latestSkipped);
    return items;
  }
}
