import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { backend, client, disconnectAfterEach, once, subscribed, uniqueName } from "./support/clients";
import { withEncryptionBuild } from "./support/with-encryption";

const masterKey = randomBytes(32).toString("base64");
const sdkOptions = { encryptionMasterKeyBase64: masterKey };

const track = disconnectAfterEach();

describe("end-to-end encrypted channels with pusher-js/with-encryption", () => {
  it("subscribes with the shared secret from the auth endpoint and decrypts what the backend sends", async () => {
    const name = uniqueName("private-encrypted-");
    const pusher = track(client({ build: withEncryptionBuild(), sdkOptions }));
    const channel = await subscribed(pusher, name);

    const received = once(channel, "secret-note");
    await backend(undefined, sdkOptions).trigger(name, "secret-note", { text: "only for subscribers" });
    expect(await received).toEqual({ text: "only for subscribers" });
  });
});
