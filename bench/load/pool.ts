import { Worker } from "node:worker_threads";
import type { Command, Envelope } from "./messages.ts";

interface Reply {
  id: number;
  body?: unknown;
  error?: string;
}

/**
 * The load generator's client threads. Sockets are dealt round-robin: the
 * socket with global index g lives on thread g % threads, at local index
 * floor(g / threads), so every thread carries the same share.
 */
export class ClientPool {
  private readonly workers: Worker[];
  private readonly waiting = new Map<number, { resolve: (body: unknown) => void; reject: (error: Error) => void }>();
  private nextId = 0;
  private failure: Error | undefined;
  private readonly threads: number;

  constructor(threads: number) {
    this.threads = threads;
    this.workers = Array.from({ length: threads }, () => {
      const worker = new Worker(new URL("./client-thread.ts", import.meta.url));
      worker.on("message", (reply: Reply) => {
        const waiting = this.waiting.get(reply.id);
        this.waiting.delete(reply.id);
        if (reply.error !== undefined) waiting?.reject(new Error(reply.error));
        else waiting?.resolve(reply.body);
      });
      worker.on("error", (error) => {
        // A thread that failed (even while loading, before any call) answers nothing again.
        this.failure ??= error;
        for (const waiting of this.waiting.values()) waiting.reject(error);
        this.waiting.clear();
      });
      return worker;
    });
  }

  /** How many of `total` sockets live on `thread`. */
  share(total: number, thread: number): number {
    return Math.floor(total / this.threads) + (thread < total % this.threads ? 1 : 0);
  }

  /** The global indexes of the sockets on `thread`, in local order. */
  indexes(total: number, thread: number): number[] {
    return Array.from({ length: this.share(total, thread) }, (_, local) => local * this.threads + thread);
  }

  /** Sends each thread its own command and waits for every reply. */
  all<T>(commandFor: (thread: number) => Command): Promise<T[]> {
    return Promise.all(this.workers.map((worker, thread) => this.call<T>(worker, commandFor(thread))));
  }

  private call<T>(worker: Worker, body: Command): Promise<T> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.waiting.set(id, { resolve: (value) => resolve(value as T), reject });
      worker.postMessage({ id, body } satisfies Envelope<Command>);
    });
  }

  async stop(): Promise<void> {
    await Promise.all(this.workers.map((worker) => worker.terminate()));
  }
}
