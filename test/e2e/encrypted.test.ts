import { randomBytes } from "node:crypto";
import type PusherClient from "pusher-js";
import { afterEach, describe, expect, it } from "vitest";
import { backend, client, once, uniqueName } from "./support/clients";
import { withEncryptionBuild } from "./support/with-encryption";

const masterKey = randomBytes(32).toString("base64");
const sdkOptions = { encryptionMasterKeyBase64: masterKey };

const open: PusherClient[] = [];
function track(pusher: PusherClient): PusherClient {
  open.push(pusher);
  return pusher;
}
afterEach(() => {
  for (const pusher of open.splice(0)) pusher.disconnect();
});

describe("end-to-end encrypted channels with pusher-js/with-encryption", () => {
  it("subscribes with the shared secret from the auth endpoint and decrypts what the backend sends", async () => {
    const name = uniqueName("private-encrypted-");
    const pusher = track(client({ build: withEncryptionBuild(), sdkOptions }));
    const channel = pusher.subscribe(name);
    await once(channel, "pusher:subscription_succeeded");

    const received = once(channel, "secret-note");
    await backend(undefined, sdkOptions).trigger(name, "secret-note", { text: "only for subscribers" });
    expect(await received).toEqual({ text: "only for subscribers" });
  });
});
