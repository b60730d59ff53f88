import { DurableObject } from "cloudflare:workers";
import * as frames from "../../src/protocol/server-frames";
import { newSocketId } from "../../src/protocol/socket-id";

/**
 * The bench's baseline: the least a Worker and a hibernating Durable Object
 * must do to serve the bench's traffic. It sends the same frames as Sower
 * (the same builders), answers subscribe, relays client events and posted
 * messages, and announces presence members; it checks no signature, keeps
 * no SQLite state and enforces no limit. The gap between it and Sower is
 * what Sower's protocol logic costs.
 */
interface BaselineEnv {
  ROOM: DurableObjectNamespace<BaselineRoom>;
}

interface PresenceUser {
  id: string;
  info: unknown;
}

/** Channels this socket holds, with its presence user where there is one. */
interface Attachment {
  socketId: string;
  channels: Record<string, PresenceUser | null>;
}

interface PostedEvent {
  name: string;
  data: string;
  channels: string[];
}

const EVENTS_PATH = /^\/apps\/[^/]+\/events$/;

export default {
  async fetch(request: Request, env: BaselineEnv): Promise<Response> {
    const url = new URL(request.url);
    const room = env.ROOM.getByName("bench");
    if (url.pathname.startsWith("/app/")) return room.fetch(request);
    if (request.method === "POST" && EVENTS_PATH.test(url.pathname)) {
      const body = await request.json<{ name: string; data: string; channels?: string[]; channel?: string }>();
      const channels = body.channels ?? (body.channel === undefined ? [] : [body.channel]);
      await room.publish({ name: body.name, data: body.data, channels });
      return Response.json({});
    }
    return new Response("Not found\n", { status: 404 });
  },
} satisfies ExportedHandler<BaselineEnv>;

export class BaselineRoom extends DurableObject<BaselineEnv> {
  /** channel -> sockets; a cache rebuilt from attachments after a wake. */
  private index: Map<string, Set<WebSocket>> | undefined;
  /** Attachments kept in memory while awake, as Sower keeps its connections. */
  private readonly attachments = new WeakMap<WebSocket, Attachment>();

  override async fetch(): Promise<Response> {
    const { 0: client, 1: server } = new WebSocketPair();
    this.ctx.acceptWebSocket(server);
    const socketId = newSocketId();
    const attachment: Attachment = { socketId, channels: {} };
    server.serializeAttachment(attachment);
    this.attachments.set(server, attachment);
    server.send(frames.connectionEstablished(socketId));
    return new Response(null, { status: 101, webSocket: client });
  }

  publish(event: PostedEvent): void {
    for (const channel of event.channels) this.broadcast(channel, frames.userEvent(event.name, channel, event.data));
  }

  override webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): void {
    const frame = JSON.parse(String(message)) as { event: string; channel?: string; data?: Record<string, unknown> };
    const channel = frame.event.startsWith("client-") ? frame.channel : frame.data?.channel;
    if (typeof channel !== "string") return;
    if (frame.event === "pusher:subscribe") this.subscribe(ws, channel, frame.data?.channel_data);
    else if (frame.event === "pusher:unsubscribe") this.leave(ws, channel);
    else if (frame.event.startsWith("client-")) {
      const user = this.attachmentOf(ws).channels[channel];
      this.broadcast(channel, frames.userEvent(frame.event, channel, frame.data, user?.id), ws);
    }
  }

  override webSocketClose(ws: WebSocket): void {
    for (const channel of Object.keys(this.attachmentOf(ws).channels)) this.leave(ws, channel);
  }

  private subscribe(ws: WebSocket, channel: string, channelData: unknown): void {
    const attachment = this.attachmentOf(ws);
    const parsed = typeof channelData === "string" ? (JSON.parse(channelData) as Record<string, unknown>) : undefined;
    const user = parsed === undefined ? null : { id: String(parsed.user_id), info: parsed.user_info ?? {} };
    attachment.channels[channel] = user;
    ws.serializeAttachment(attachment);
    const sockets = this.sockets(channel);
    sockets.add(ws);
    if (user === null) {
      ws.send(frames.subscriptionSucceeded(channel));
      return;
    }
    const hash: Record<string, unknown> = {};
    for (const other of sockets) {
      const member = this.attachmentOf(other).channels[channel];
      if (member) hash[member.id] = member.info;
    }
    const ids = Object.keys(hash);
    ws.send(frames.subscriptionSucceeded(channel, { ids, hash, count: ids.length }));
    this.broadcast(channel, frames.memberAdded(channel, user.id, user.info), ws);
  }

  private leave(ws: WebSocket, channel: string): void {
    const attachment = this.attachmentOf(ws);
    const user = attachment.channels[channel];
    if (user === undefined) return;
    delete attachment.channels[channel];
    try {
      ws.serializeAttachment(attachment);
    } catch {
      // Closed sockets keep no attachment; nothing to update.
    }
    this.sockets(channel).delete(ws);
    if (user !== null) this.broadcast(channel, frames.memberRemoved(channel, user.id));
  }

  private broadcast(channel: string, frame: string, except?: WebSocket): void {
    for (const ws of this.sockets(channel)) {
      if (ws === except) continue;
      try {
        ws.send(frame);
      } catch {
        // Closing; its close handler removes it.
      }
    }
  }

  private sockets(channel: string): Set<WebSocket> {
    if (this.index === undefined) {
      this.index = new Map();
      for (const ws of this.ctx.getWebSockets()) {
        for (const name of Object.keys(this.attachmentOf(ws).channels)) this.setOf(name).add(ws);
      }
    }
    return this.setOf(channel);
  }

  private attachmentOf(ws: WebSocket): Attachment {
    let attachment = this.attachments.get(ws);
    if (attachment === undefined) {
      attachment = ws.deserializeAttachment() as Attachment;
      this.attachments.set(ws, attachment);
    }
    return attachment;
  }

  private setOf(channel: string): Set<WebSocket> {
    const index = this.index ?? new Map<string, Set<WebSocket>>();
    this.index = index;
    let sockets = index.get(channel);
    if (sockets === undefined) {
      sockets = new Set();
      index.set(channel, sockets);
    }
    return sockets;
  }
}
