/**
 * A single-consumer queue between callbacks (thread messages, NATS watches) and an async
 * generator: push from anywhere, `await shift()` in the generator. `fail(err)` wakes the consumer
 * with an error (abort, lost connection).
 */
export class AsyncQueue<T> {
  private items: T[] = [];
  private waiter: { resolve: (v: T) => void; reject: (e: unknown) => void } | undefined;
  private failure: { err: unknown } | undefined;

  push(item: T): void {
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = undefined;
      w.resolve(item);
    } else this.items.push(item);
  }

  fail(err: unknown): void {
    this.failure ??= { err };
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = undefined;
      w.reject(err);
    }
  }

  shift(): Promise<T> {
    if (this.items.length > 0) return Promise.resolve(this.items.shift() as T);
    if (this.failure) return Promise.reject(this.failure.err);
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject };
    });
  }
}
