import { Worker } from "node:worker_threads";

/**
 * The fuzz invariant run in a worker thread, one input at a time, so that an input that never comes back (an
 * infinite loop: no in-thread timer could interrupt it) is reported as a hang with its text, instead of stalling
 * the run. The worker is then terminated and replaced.
 */
export class IsolatedChecker {
  private worker: Worker;
  private nextId = 0;

  constructor(private readonly hangMs: number) {
    this.worker = this.spawn();
  }

  private spawn(): Worker {
    // About the main thread's stack (984 kB): a stack overflow the CLI would hit is hit here too.
    const worker = new Worker(new URL("./worker.mjs", import.meta.url), { resourceLimits: { stackSizeMb: 1 } });
    worker.unref();
    return worker;
  }

  /** The invariant's verdict on `text`: a failure description, or undefined. */
  run(text: string): Promise<string | undefined> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      const done = (failure: string | undefined) => {
        clearTimeout(timer);
        this.worker.off("message", onMessage);
        this.worker.off("error", onError);
        resolve(failure);
      };
      const onMessage = (m: { id: number; failure?: string }) => {
        if (m.id === id) done(m.failure);
      };
      const onError = (e: Error) => {
        this.worker = this.spawn();
        done(`the worker died: ${e.stack ?? e.message}`);
      };
      const timer = setTimeout(() => {
        void this.worker.terminate();
        this.worker = this.spawn();
        done(`hang: no result after ${this.hangMs} ms`);
      }, this.hangMs);
      this.worker.on("message", onMessage);
      this.worker.once("error", onError);
      this.worker.postMessage({ id, text });
    });
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }
}
