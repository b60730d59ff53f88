import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type Pusher from "pusher";
import { Deliveries, type DeliveryResult } from "./deliveries.ts";
import { ENVELOPE_EVENT, type Envelope, type Fields, parseAck } from "./envelope.ts";
import { bearerToken, HttpError, readBody, readJson, sendJson } from "./http.ts";
import { asRecord } from "./json.ts";
import { verifyJwt } from "./jwt.ts";

export interface InboxBackendOptions {
  /** The pusher SDK, pointed at Sower. */
  pusher: Pusher;
  /** The HS256 secret the app's sign-in tokens are signed with. */
  jwtSecret: string;
  /** How long a delivery waits for its devices' answers. */
  ackTimeoutMs?: number;
}

export interface InboxBackend {
  /** POST /pusher/user-auth (pusher-js signin) and POST /acks (device answers). */
  server: Server;
  /** Sends an envelope to every device of `user` and waits for their answers. */
  send(user: string, message: { fields: Fields; body: unknown }): Promise<DeliveryResult>;
  /** Devices signed in as `user` right now, as Sower counts them. */
  countDevices(user: string): Promise<number>;
}

export function createInboxBackend({ pusher, jwtSecret, ackTimeoutMs = 5000 }: InboxBackendOptions): InboxBackend {
  const deliveries = new Deliveries(ackTimeoutMs);

  /** The user a request's bearer token was issued to; 401 for any bad token. */
  function authenticatedUser(request: IncomingMessage): string {
    const verified = verifyJwt(bearerToken(request), jwtSecret);
    if (!verified.ok) throw new HttpError(401, `invalid token: ${verified.reason}`);
    return verified.claims.sub;
  }

  async function userAuth(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const user = authenticatedUser(request);
    const socketId = new URLSearchParams(await readBody(request)).get("socket_id");
    if (socketId === null || socketId === "") throw new HttpError(400, "socket_id required");
    sendJson(response, 200, pusher.authenticateUser(socketId, { id: user }));
  }

  async function acknowledge(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const user = authenticatedUser(request);
    const parsed = parseAck(readJson(await readBody(request)));
    if (!parsed.ok) throw new HttpError(400, parsed.error);
    const status = deliveries.answer(user, parsed.ack);
    if (status === "unknown") throw new HttpError(404, "no open delivery with that id for this user");
    if (status === "duplicate") throw new HttpError(409, "this device already answered");
    response.writeHead(204).end();
  }

  async function countDevices(user: string): Promise<number> {
    // pusher-js subscribes each signed-in connection to its user's #server-to-user- channel.
    const channel = encodeURIComponent(`#server-to-user-${user}`);
    const reply = await pusher.get({ path: `/channels/${channel}`, params: { info: "subscription_count" } });
    if (!reply.ok) throw new Error(`Sower answered ${reply.status} to a channel query: ${await reply.text()}`);
    const count = asRecord(await reply.json())?.subscription_count;
    return typeof count === "number" ? count : 0;
  }

  async function send(user: string, message: { fields: Fields; body: unknown }): Promise<DeliveryResult> {
    const devices = await countDevices(user);
    const envelope: Envelope = { id: randomUUID(), ...message };
    const result = deliveries.wait(envelope.id, user, devices);
    if (devices > 0) {
      try {
        await pusher.sendToUser(user, ENVELOPE_EVENT, envelope);
      } catch (error) {
        deliveries.cancel(envelope.id);
        throw error;
      }
    }
    return result;
  }

  const routes: Record<string, (request: IncomingMessage, response: ServerResponse) => Promise<void>> = {
    "POST /pusher/user-auth": userAuth,
    "POST /acks": acknowledge,
  };

  const server = createServer((request, response) => {
    const route = routes[`${request.method} ${new URL(request.url ?? "/", "http://backend").pathname}`];
    if (route === undefined) return sendJson(response, 404, { error: "not found" });
    route(request, response).catch((error: unknown) => {
      if (error instanceof HttpError) return sendJson(response, error.status, { error: error.message });
      console.error("request failed", error);
      sendJson(response, 500, { error: "internal error" });
    });
  });

  return { server, send, countDevices };
}
