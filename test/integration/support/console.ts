import type { ConsoleEvent } from "../../../src/contract/console";
import { isRecord } from "../../../src/lib/json";
import { DASHBOARD_TOKEN, dashboard, json, ORIGIN } from "./dashboard";
import { poll } from "./webhooks";

/** One kind of console event (some members of the union carry two kinds). */
export type EventOf<K extends ConsoleEvent["kind"]> = ConsoleEvent & { kind: K };

/**
 * The dashboard's debug console as its page opens it: one socket per
 * object of the app that holds sockets, through the Worker, with the session
 * cookie and the dashboard's own Origin. Every frame's text is kept, so a
 * test can look for what must never be there.
 */
export class ConsoleClient {
  readonly events: ConsoleEvent[] = [];
  readonly texts: string[] = [];
  dropped = 0;

  private constructor(private readonly sockets: WebSocket[]) {
    for (const ws of sockets) {
      ws.addEventListener("message", (message) => {
        const text = String(message.data);
        this.texts.push(text);
        const frame: unknown = JSON.parse(text);
        if (!isRecord(frame) || !Array.isArray(frame.events) || typeof frame.dropped !== "number") {
          throw new Error(`not a console frame: ${text}`);
        }
        this.dropped += frame.dropped;
        this.events.push(...frame.events);
      });
    }
  }

  static async open(cookie: string, appId: string): Promise<ConsoleClient> {
    const described = await json(await dashboard(`/api/apps/${appId}/console`, { cookie }));
    const shards = Number(described.shards);
    const sockets: WebSocket[] = [];
    for (let shard = 0; shard < shards; shard++) {
      const response = await openConsoleSocket(appId, { cookie, query: `?shard=${shard}` });
      const ws = response.webSocket;
      if (ws === null) throw new Error(`console not opened: ${response.status} ${await response.text()}`);
      ws.accept();
      sockets.push(ws);
    }
    return new ConsoleClient(sockets);
  }

  /** Waits for an event that matches, and returns it. */
  waitFor<K extends ConsoleEvent["kind"]>(
    kind: K,
    matches: (event: EventOf<K>) => boolean = () => true,
    timeoutMs = 4000,
  ): Promise<EventOf<K>> {
    const ofKind = (event: ConsoleEvent): event is EventOf<K> => event.kind === kind;
    return poll(timeoutMs, `a console "${kind}" event`, () =>
      this.events.find((event): event is EventOf<K> => ofKind(event) && matches(event)),
    );
  }

  close(): void {
    for (const ws of this.sockets) ws.close(1000);
  }
}

/** A console upgrade through the Worker, with the page's headers unless told otherwise. */
export function openConsoleSocket(
  appId: string,
  options: { cookie?: string; query?: string; headers?: Record<string, string>; token?: string },
): Promise<Response> {
  const headers = { Upgrade: "websocket", Origin: ORIGIN, "Sec-Fetch-Site": "same-origin", ...options.headers };
  return dashboard(`/api/apps/${appId}/console${options.query ?? ""}`, {
    ...(options.cookie === undefined ? {} : { cookie: options.cookie }),
    headers,
    token: options.token ?? DASHBOARD_TOKEN,
  });
}
