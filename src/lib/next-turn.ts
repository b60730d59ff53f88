/**
 * Runs the tasks handed to it together, in the order they were handed over,
 * once a zero-delay timer set by the first of them fires: every task handed
 * over until then (by the calls that arrived meanwhile) runs in that one
 * synchronous pass. A caller gets its own task's result or error; one task
 * failing fails no other.
 *
 * A Durable Object that sends to many sockets per call uses it so that calls
 * arriving together send together: each socket's outgoing pump then carries
 * the messages of all of them at once, rather than waking once per call.
 * When calls come one at a time, a task waits for nothing but that timer.
 */
export class NextTurn {
  private waiting: Array<() => void> = [];

  run<T>(task: () => T | Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.waiting.push(() => {
        try {
          resolve(task());
        } catch (error) {
          reject(error);
        }
      });
      if (this.waiting.length === 1) setTimeout(() => this.runWaiting(), 0);
    });
  }

  private runWaiting(): void {
    const due = this.waiting;
    this.waiting = [];
    for (const task of due) task();
  }
}
