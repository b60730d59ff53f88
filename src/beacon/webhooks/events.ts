/** What happened, as the Beacon reports it; `toWire` gives Pusher's shape (docs/protocol.md §13.3). */
export type WebhookEvent =
  | { readonly name: "channel_occupied"; readonly channel: string }
  | { readonly name: "channel_vacated"; readonly channel: string }
  | { readonly name: "member_added"; readonly channel: string; readonly userId: string }
  | { readonly name: "member_removed"; readonly channel: string; readonly userId: string }
  | {
      readonly name: "client_event";
      readonly channel: string;
      readonly event: string;
      readonly data: unknown;
      readonly socketId: string;
      /** Presence channels only. */
      readonly userId?: string;
    }
  | { readonly name: "cache_miss"; readonly channel: string }
  | { readonly name: "subscription_count"; readonly channel: string; readonly subscriptionCount: number };

export function toWire(event: WebhookEvent): Record<string, unknown> {
  switch (event.name) {
    case "channel_occupied":
    case "channel_vacated":
    case "cache_miss":
      return { name: event.name, channel: event.channel };
    case "member_added":
    case "member_removed":
      return { name: event.name, channel: event.channel, user_id: event.userId };
    case "client_event": {
      // Pusher sends client event data as the JSON text the client sent, like every `data` on the wire.
      const data = typeof event.data === "string" ? event.data : JSON.stringify(event.data ?? null);
      const wire: Record<string, unknown> = {
        name: event.name,
        channel: event.channel,
        event: event.event,
        data,
        socket_id: event.socketId,
      };
      if (event.userId !== undefined) wire.user_id = event.userId;
      return wire;
    }
    case "subscription_count":
      return { name: event.name, channel: event.channel, subscription_count: event.subscriptionCount };
    default: {
      const unreachable: never = event;
      return unreachable;
    }
  }
}
