/**
 * Webhook events that both the integration tier (in workerd) and the e2e tier
 * (against `wrangler dev`) expect for the same scenarios, so the two check
 * one wire format. Plain data, importable from either runtime.
 */

/** A user's whole stay on a presence channel it had to itself: it joins, and later leaves for good. */
export function presenceStay(channel: string, userId: string) {
  return [
    { name: "channel_occupied", channel },
    { name: "member_added", channel, user_id: userId },
    { name: "member_removed", channel, user_id: userId },
    { name: "channel_vacated", channel },
  ];
}

/** alice, then bob, join a presence channel, and alice sends `client-typing` with `{ typing: true }`. */
export function presenceChat(channel: string, aliceSocketId: string) {
  return [
    { name: "channel_occupied", channel },
    { name: "member_added", channel, user_id: "alice" },
    { name: "member_added", channel, user_id: "bob" },
    {
      name: "client_event",
      channel,
      event: "client-typing",
      data: '{"typing":true}',
      socket_id: aliceSocketId,
      user_id: "alice",
    },
  ];
}

/** The webhook for `client-ping` with `{ n: 1 }` on a private channel: a client event without user_id. */
export function privateClientPing(channel: string, socketId: string) {
  return { name: "client_event", channel, event: "client-ping", data: '{"n":1}', socket_id: socketId };
}
