import type { ServerInfo } from "../../e2e/support/server";

/**
 * Page code that connects pusher-js exactly as a site would (only the host
 * changed) and reports what the user would see: connection states, socket
 * ids, subscriptions, members and events with their data.
 */
export function connectPusher(server: ServerInfo, wsPort = server.port): string {
  const options = {
    cluster: "",
    wsHost: server.host,
    wsPort,
    forceTLS: false,
    enabledTransports: ["ws"],
    disableStats: true,
    channelAuthorization: { endpoint: "/pusher/auth", transport: "ajax" },
    userAuthentication: { endpoint: "/pusher/user-auth", transport: "ajax" },
  };
  return `
    const pusher = new Pusher(${JSON.stringify(server.key)}, ${JSON.stringify(options)});
    window.pusher = pusher;
    pusher.connection.bind("state_change", ({ current }) => report("state", current));
    pusher.connection.bind("connected", () => report("connected", pusher.connection.socket_id));
    pusher.connection.bind("error", (error) => report("connection_error", error));
    window.watch = (name, events = []) => {
      const channel = pusher.subscribe(name);
      channel.bind("pusher:subscription_succeeded", (data) =>
        report("subscribed", {
          channel: name,
          members: data && data.members !== undefined ? { count: data.count, members: data.members, me: data.me } : null,
        }),
      );
      channel.bind("pusher:subscription_error", (error) => report("subscription_error", { channel: name, error }));
      channel.bind("pusher:member_added", (member) => report("member_added", { channel: name, member }));
      channel.bind("pusher:member_removed", (member) => report("member_removed", { channel: name, member }));
      for (const event of events) {
        channel.bind(event, (data, metadata) => report("event", { channel: name, event, data, metadata: metadata ?? null }));
      }
      return channel;
    };
  `;
}

/** Matches a report about one channel. */
export function about(channel: string): (data: unknown) => boolean {
  return (data) => typeof data === "object" && data !== null && "channel" in data && data.channel === channel;
}
