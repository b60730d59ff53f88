import PusherClient from "pusher-js";
import { clientOptions, type SowerConnection } from "../../shared/sower.ts";
import { ENVELOPE_EVENT, type Envelope, type Fields, matchesFilter, type Outcome, parseEnvelope } from "./envelope.ts";

export interface DeviceOptions {
  sower: SowerConnection;
  /** The app's backend, e.g. http://127.0.0.1:3000. */
  backendUrl: string;
  /** The app's own sign-in token (HS256 JWT) for this user. */
  token: string;
  /** A name the sender sees in the answers, e.g. "phone". */
  name: string;
  /** Only envelopes whose fields match all of these reach `handle`; `{}` takes all. */
  filter?: Fields;
  /** The app's work on an envelope; what it returns is the device's answer. */
  handle: (envelope: Envelope) => unknown;
}

export interface Device {
  pusher: PusherClient;
  /** Resolves once signed in and subscribed to the user's channel; rejects if sign-in is refused. */
  ready: Promise<void>;
  stop(): void;
}

/** A device of one user: signs in to Sower through the backend, filters envelopes and answers each. */
export function startDevice({ sower, backendUrl, token, name, filter = {}, handle }: DeviceOptions): Device {
  const pusher = new PusherClient(sower.key, {
    ...clientOptions(sower),
    userAuthentication: {
      endpoint: `${backendUrl}/pusher/user-auth`,
      transport: "ajax",
      headers: { Authorization: `Bearer ${token}` },
    },
  });

  async function answer(delivery: string, outcome: Outcome): Promise<void> {
    const reply = await fetch(`${backendUrl}/acks`, {
      method: "POST",
      headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
      body: JSON.stringify({ delivery, socket_id: pusher.connection.socket_id, device: name, ...outcome }),
    });
    if (!reply.ok) console.error(`${name}: the backend refused an answer (${reply.status}): ${await reply.text()}`);
  }

  async function receive(data: unknown): Promise<void> {
    const envelope = parseEnvelope(data);
    if (envelope === undefined) return;
    if (!matchesFilter(filter, envelope.fields)) return answer(envelope.id, { outcome: "filtered" });
    let outcome: Outcome;
    try {
      outcome = { outcome: "handled", result: await handle(envelope) };
    } catch (error) {
      outcome = { outcome: "failed", error: error instanceof Error ? error.message : String(error) };
    }
    await answer(envelope.id, outcome);
  }

  pusher.user.bind(ENVELOPE_EVENT, (data: unknown) => {
    receive(data).catch((error: unknown) => console.error(`${name}: could not answer an envelope`, error));
  });
  pusher.signin();
  return { pusher, ready: signedIn(pusher), stop: () => pusher.disconnect() };
}

function signedIn(pusher: PusherClient): Promise<void> {
  return new Promise((resolve, reject) => {
    const refused = (error: { error?: string; status?: number }) => {
      pusher.user.unbind("pusher:signin_error", refused);
      reject(new Error(`sign-in refused (${error.status ?? "no status"}): ${error.error ?? "unknown"}`));
    };
    pusher.user.bind("pusher:signin_error", refused);
    pusher.user.signinDonePromise?.then(() => {
      const channel = pusher.user.serverToUserChannel;
      if (channel === null) return;
      pusher.user.unbind("pusher:signin_error", refused);
      // Envelopes reach this device only once its user channel is subscribed.
      if (channel.subscribed) resolve();
      else channel.bind("pusher:subscription_succeeded", () => resolve());
    });
  });
}
