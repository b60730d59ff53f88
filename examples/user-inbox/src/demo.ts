import { randomBytes } from "node:crypto";
import { backendSdk, sowerForRun } from "../../shared/sower.ts";
import { createInboxBackend } from "./backend.ts";
import type { DeliveryResult } from "./deliveries.ts";
import { type Device, startDevice } from "./device.ts";
import type { Fields } from "./envelope.ts";
import { listenOnLoopback } from "./http.ts";
import { signJwt } from "./jwt.ts";

/**
 * `npm run example:user-inbox`: a backend, Alice's three devices and Bob's
 * phone against a Sower (a local one unless SOWER_* is set); sends a few
 * envelopes, prints what the sender got back, and stops.
 */
const { sower, stop: stopSower } = await sowerForRun();
const jwtSecret = process.env.INBOX_JWT_SECRET ?? randomBytes(32).toString("hex");
const backend = createInboxBackend({ pusher: backendSdk(sower), jwtSecret });
const backendUrl = await listenOnLoopback(backend.server, Number(process.env.INBOX_PORT ?? 0));
console.log(`Sower at ${sower.host}:${sower.port}, backend at ${backendUrl}`);

const devices: Device[] = [];
function connect(user: string, name: string, filter: Fields): Device {
  const token = signJwt({ sub: user, exp: Math.floor(Date.now() / 1000) + 3600 }, jwtSecret);
  const device = startDevice({
    sower,
    backendUrl,
    token,
    name,
    filter,
    handle: (envelope) => {
      console.log(`  ${user}'s ${name} handles`, JSON.stringify(envelope.body));
      return `${name} ok`;
    },
  });
  devices.push(device);
  return device;
}

try {
  await Promise.all(
    [
      connect("alice", "phone", { kind: "order" }),
      connect("alice", "laptop", {}),
      connect("alice", "watch", { kind: "order", priority: "high" }),
      connect("bob", "phone", {}),
    ].map((device) => device.ready),
  );
  await show("alice", { kind: "order", priority: "high" }, { order: 1042, total: "19.90" });
  await show("alice", { kind: "chat" }, { from: "carol", text: "lunch?" });
  await show("bob", { kind: "order" }, { order: 77 });
} finally {
  for (const device of devices) device.stop();
  backend.server.close();
  await stopSower();
}

async function show(user: string, fields: Fields, body: unknown): Promise<void> {
  console.log(`\nsend to ${user}, fields ${JSON.stringify(fields)}:`);
  const result: DeliveryResult = await backend.send(user, { fields, body });
  console.log(
    `  => ${result.devices} devices: ${result.reached} reached, ${result.filtered} filtered out, ${result.timedOut} timed out`,
  );
  for (const answer of result.answers) console.log(`     ${answer.device}: ${JSON.stringify(answer)}`);
}
