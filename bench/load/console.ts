import { BENCH_CONSOLE_PATH } from "./app.ts";

/**
 * One dashboard debug console held open on Sower's Beacon while a scenario
 * runs (`--console`): what it costs the Beacon shows in the scenario's
 * figures; what it received goes in the notes.
 */
export class BenchConsole {
  private frames = 0;
  private events = 0;
  private dropped = 0;
  private readonly ws: WebSocket;

  private constructor(ws: WebSocket) {
    this.ws = ws;
    ws.addEventListener("message", (message) => {
      const frame: unknown = JSON.parse(String(message.data));
      if (typeof frame !== "object" || frame === null || !("events" in frame) || !Array.isArray(frame.events)) return;
      this.frames++;
      this.events += frame.events.length;
      if ("dropped" in frame && typeof frame.dropped === "number") this.dropped += frame.dropped;
    });
  }

  static open(origin: string): Promise<BenchConsole> {
    const ws = new WebSocket(`${origin.replace(/^http/, "ws")}${BENCH_CONSOLE_PATH}`);
    return new Promise((resolve, reject) => {
      ws.addEventListener("open", () => resolve(new BenchConsole(ws)), { once: true });
      ws.addEventListener("error", () => reject(new Error("the bench's debug console did not open")), { once: true });
    });
  }

  /** Closes it and says what it received. */
  close(): string {
    this.ws.close(1000);
    return `debug console open: ${this.events} events in ${this.frames} frames, ${this.dropped} dropped`;
  }
}
