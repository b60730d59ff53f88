import { parseChannel } from "./channels";
import { type RoomsEnv, roomStub } from "./env";
import { problem } from "./http";
import { pusherFor } from "./sower";

/** The events this backend asks Sower for (see sower-webhooks.ts), as they arrive. */
type WebhookEvent =
  | { name: "member_removed"; channel: string; user_id: string }
  | { name: "client_event"; channel: string; event: string; data: string; user_id: string }
  | { name: "cache_miss"; channel: string };

/**
 * Sower's webhooks: votes (`client-vote` client events on a room's members
 * channel, with the voter's user id), members leaving for good, and cache
 * misses. Answering 2xx only after the rooms are updated makes Sower retry
 * anything a failure lost; each is safe to apply twice.
 */
export async function receiveWebhook(request: Request, env: RoomsEnv): Promise<Response> {
  const rawBody = await request.text();
  const headers = Object.fromEntries(request.headers);
  if (!pusherFor(env).webhook({ headers, rawBody }).isValid()) return problem(401, "invalid webhook signature");
  for (const event of events(JSON.parse(rawBody))) {
    const channel = parseChannel(event.channel);
    if (channel === undefined) continue;
    const room = roomStub(env, channel.room);
    if (event.name === "cache_miss") await room.republish(channel);
    else if (channel.kind !== "members") continue;
    else if (event.name === "member_removed") await room.memberLeft(channel.room, event.user_id);
    else if (event.event === "client-vote") await room.vote(channel.room, event.user_id, parseJson(event.data));
  }
  return new Response(null, { status: 204 });
}

function events(body: unknown): WebhookEvent[] {
  if (typeof body !== "object" || body === null || !("events" in body) || !Array.isArray(body.events)) return [];
  return body.events.flatMap((event: unknown) => {
    const parsed = webhookEvent(event);
    return parsed === undefined ? [] : [parsed];
  });
}

function webhookEvent(event: unknown): WebhookEvent | undefined {
  if (typeof event !== "object" || event === null || !("name" in event) || !("channel" in event)) return undefined;
  const { name, channel } = event;
  if (typeof channel !== "string") return undefined;
  if (name === "cache_miss") return { name, channel };
  const userId = "user_id" in event && typeof event.user_id === "string" ? event.user_id : undefined;
  if (userId === undefined) return undefined;
  if (name === "member_removed") return { name, channel, user_id: userId };
  if (name !== "client_event" || !("event" in event) || !("data" in event)) return undefined;
  const { event: clientEvent, data } = event;
  if (typeof clientEvent !== "string" || typeof data !== "string") return undefined;
  return { name, channel, event: clientEvent, data, user_id: userId };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
