import type { ConsoleEvent, ConsoleFrame } from "../../contract/console";

/**
 * The tag of a dashboard console's socket. Tags are fixed when a socket is
 * accepted, so after a wake `getWebSockets(CONSOLE_TAG)` finds the consoles
 * again; Pusher sockets carry no tag and no console carries an attachment,
 * so a console is never counted, reconciled or served as a Pusher client.
 */
export const CONSOLE_TAG = "sower-console";

/**
 * Events one object sends its consoles in one second, at most. The runtime
 * does not say how much a socket's peer has yet to read, so what a slow
 * console can make the object queue is bounded by rate: events past it are
 * counted, and the next frame says how many were dropped.
 */
export const CONSOLE_EVENTS_PER_SECOND = 500;

/** What the feed needs of a console's socket. */
export type ConsoleSocket = Pick<WebSocket, "send">;

/** What the code that reports to the consoles needs. */
export interface ConsoleState {
  readonly console: ConsoleFeed;
}

/**
 * The open debug consoles of one object, and what is on its way to them.
 * `open` is the one thing the hot paths read: with no console it is false
 * and they build no event at all. It is set from the tagged sockets when the
 * object is constructed, so it is right after every wake.
 */
export class ConsoleFeed {
  open: boolean;
  private readonly sockets: Set<ConsoleSocket>;
  private pending: ConsoleEvent[] = [];
  private dropped = 0;
  private flushQueued = false;
  private second = 0;
  private sentThisSecond = 0;

  constructor(consoles: Iterable<ConsoleSocket>) {
    this.sockets = new Set(consoles);
    this.open = this.sockets.size > 0;
  }

  add(ws: ConsoleSocket): void {
    this.sockets.add(ws);
    this.open = true;
  }

  /** True when `ws` was a console (so there is nothing else to do with its close). */
  remove(ws: ConsoleSocket): boolean {
    const removed = this.sockets.delete(ws);
    this.open = this.sockets.size > 0;
    return removed;
  }

  /**
   * Queues one event for every console. Events of one turn of the object
   * (a batch trigger, a socket's leave from every channel) go out as one
   * frame, sent once the turn's work is done.
   */
  emit(event: ConsoleEvent): void {
    if (!this.open) return;
    const second = Math.floor(event.at / 1000);
    if (second !== this.second) {
      this.second = second;
      this.sentThisSecond = 0;
    }
    if (this.sentThisSecond >= CONSOLE_EVENTS_PER_SECOND) {
      this.dropped++;
      return;
    }
    this.sentThisSecond++;
    this.pending.push(event);
    if (this.flushQueued) return;
    this.flushQueued = true;
    queueMicrotask(() => this.flush());
  }

  private flush(): void {
    this.flushQueued = false;
    const frame: ConsoleFrame = { events: this.pending, dropped: this.dropped };
    this.pending = [];
    this.dropped = 0;
    const text = JSON.stringify(frame);
    for (const ws of this.sockets) {
      try {
        ws.send(text);
      } catch {
        // A console that went away: its close handler may never come for a socket that broke.
        this.remove(ws);
      }
    }
  }
}
