import { subscribeFrame, unsubscribeFrame } from "../bench/load/frames.ts";
import { LIMITS } from "../src/protocol/constants.ts";
import type { ServerInfo } from "../test/e2e/support/server.ts";
import { eventsOf, type WebhookReceiver } from "../test/e2e/support/webhook-receiver.ts";
import { SoakSocket } from "./load/soak-socket.ts";

export interface OutageOptions {
  /** Channels occupied and vacated during the outage: two webhook events each. */
  channels: number;
  /** Seconds the endpoint answers 500 once the events are queued, then seconds it hangs, before it recovers. */
  failSeconds: number;
  hangSeconds: number;
}

export interface OutageReport {
  /** Events queued while the endpoint was down: the outage's own, and others (the honest client events). */
  events: number;
  otherEvents: number;
  outageSeconds: number;
  /** From the endpoint answering again to the last queued event accepted; undefined if some never came. */
  recoverySeconds: number | undefined;
  /** Queued events never accepted within the wait. Must be 0. */
  lost: number;
  /** Events accepted twice (a 200 is final, so a second copy would be a fault). Must be 0. */
  duplicates: number;
  /** Channels whose channel_vacated was accepted before their channel_occupied. Must be 0. */
  misordered: number;
  /** Requests answered 500 or left hanging during the outage. */
  failedAttempts: number;
}

/** docs/protocol.md §13.6 promises the backlog within 15 s of recovery; wait well past that before counting losses. */
const RECOVERY_WAIT_MS = 60_000;

/**
 * The webhook endpoint answers 500, then hangs, while sockets occupy and
 * vacate channels; then it recovers, and every event queued meanwhile must
 * arrive once, in order, and soon.
 */
export async function webhookOutage(
  server: ServerInfo,
  receiver: WebhookReceiver,
  path: string,
  tag: string,
  options: OutageOptions,
): Promise<OutageReport> {
  const prefix = `outage-${tag}-`;
  const channels = Array.from({ length: options.channels }, (_, index) => `${prefix}${index}`);
  const firstRequest = receiver.requests.length;
  receiver.outage = "fail";
  const outageFrom = Date.now();
  await occupyAndVacate(server, channels);
  await sleep(options.failSeconds * 1000);
  receiver.outage = "hang";
  await sleep(options.hangSeconds * 1000);
  receiver.outage = undefined;
  const recoveredAt = Date.now();

  const ledger = new Ledger(prefix);
  let read = firstRequest;
  const giveUpAt = recoveredAt + RECOVERY_WAIT_MS;
  while (ledger.accepted < channels.length * 2 && Date.now() < giveUpAt) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    for (; read < receiver.requests.length; read++) {
      const request = receiver.requests[read];
      if (request?.path === path && request.status === 200 && ledger.accepted < channels.length * 2) {
        ledger.add(eventsOf(request), request.at);
      }
    }
  }
  const failedAttempts = receiver.requests
    .slice(firstRequest)
    .filter((request) => request.path === path && request.status !== 200 && request.at < recoveredAt).length;
  const complete = ledger.accepted >= channels.length * 2;
  return {
    events: channels.length * 2,
    otherEvents: ledger.others,
    outageSeconds: (recoveredAt - outageFrom) / 1000,
    recoverySeconds: complete ? (ledger.lastAt - recoveredAt) / 1000 : undefined,
    lost: Math.max(0, channels.length * 2 - ledger.accepted),
    duplicates: ledger.duplicates,
    misordered: ledger.misordered,
    failedAttempts,
  };
}

/** Sockets of up to 100 channels each subscribe to every channel, then leave every one. */
async function occupyAndVacate(server: ServerInfo, channels: readonly string[]): Promise<void> {
  const groups: string[][] = [];
  for (let first = 0; first < channels.length; first += LIMITS.channelsPerSocket) {
    groups.push(channels.slice(first, first + LIMITS.channelsPerSocket));
  }
  await Promise.all(
    groups.map(async (group) => {
      const socket = await SoakSocket.open(server);
      for (const channel of group) socket.send(subscribeFrame(channel, ""));
      await socket.barrier(30_000);
      for (const channel of group) socket.send(unsubscribeFrame(channel));
      await socket.barrier(30_000);
      socket.close();
      await socket.closed;
    }),
  );
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The accepted events of the outage's channels: each channel's occupied, then its vacated. */
class Ledger {
  accepted = 0;
  /** Events of other channels in the same requests, up to the last of the outage's own. */
  others = 0;
  duplicates = 0;
  misordered = 0;
  lastAt = 0;
  private readonly seen = new Set<string>();
  private readonly prefix: string;

  constructor(prefix: string) {
    this.prefix = prefix;
  }

  add(events: ReadonlyArray<Record<string, unknown>>, at: number): void {
    for (const event of events) {
      const { name, channel } = event;
      if (typeof channel !== "string" || !channel.startsWith(this.prefix)) {
        this.others++;
        continue;
      }
      const key = `${String(name)} ${channel}`;
      if (this.seen.has(key)) {
        this.duplicates++;
        continue;
      }
      if (name === "channel_vacated" && !this.seen.has(`channel_occupied ${channel}`)) this.misordered++;
      this.seen.add(key);
      this.accepted++;
      this.lastAt = at;
    }
  }
}
