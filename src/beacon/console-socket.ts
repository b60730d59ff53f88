import { CONSOLE_PATH } from "../contract/console";
import { CONSOLE_TAG, type ConsoleFeed } from "./state/console-feed";

/**
 * Whether an upgrade is the dashboard's console rather than a Pusher
 * client: by its path, which only the Worker's dashboard code sends (a
 * Pusher upgrade keeps `/app/{key}`, and its headers are the client's).
 */
export function isConsoleUpgrade(request: Request): boolean {
  return new URL(request.url).pathname === CONSOLE_PATH;
}

/**
 * Accepts a console the Worker has authorised. It hibernates like any
 * socket; its tag (and no attachment) keeps it apart from the app's
 * sockets. It only listens: anything it sends is ignored.
 */
export function openConsole(ctx: DurableObjectState, feed: ConsoleFeed): Response {
  const { 0: client, 1: server } = new WebSocketPair();
  ctx.acceptWebSocket(server, [CONSOLE_TAG]);
  feed.add(server);
  return new Response(null, { status: 101, webSocket: client });
}
