import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { hmacSha256Hex } from "../../src/auth/crypto";
import { restStringToSign, verifyRestSignature } from "../../src/auth/rest-signature";
import { useNodeMd5 } from "../support/node-md5";

/** The worked example of Pusher's HTTP API reference (docs/protocol.md §12.2). */
const PAIR = { key: "278d425bdf160c739803", secret: "7ad3773142a6692b25b8" };
const EXAMPLE = {
  // An app of one pair, as the example has.
  app: { ...PAIR, keys: [{ ...PAIR, retired: false }] },
  timestamp: 1353088179,
  body: '{"name":"foo","channels":["project-3"],"data":"{\\"some\\":\\"data\\"}"}',
  md5: "ec365a775a4cd0599faeb73354201b6f",
  stringToSign:
    "POST\n/apps/3/events\nauth_key=278d425bdf160c739803&auth_timestamp=1353088179&auth_version=1.0&body_md5=ec365a775a4cd0599faeb73354201b6f",
  signature: "da454824c97ba181a32ccc17a72625ba02771f50b50e1e7430e47a1f3f457e6c",
};
const QUERY = `auth_key=${EXAMPLE.app.key}&auth_timestamp=${EXAMPLE.timestamp}&auth_version=1.0&body_md5=${EXAMPLE.md5}`;
const BODY = new TextEncoder().encode(EXAMPLE.body);

useNodeMd5();

function verify(query: string, options: { body?: Uint8Array; now?: number; path?: string; method?: string } = {}) {
  return verifyRestSignature(
    EXAMPLE.app,
    { method: options.method ?? "POST", path: options.path ?? "/apps/3/events", query, body: options.body ?? BODY },
    options.now ?? EXAMPLE.timestamp,
  );
}

describe("REST signatures: the published worked example", () => {
  it("builds the exact string to sign", () => {
    const params = new URLSearchParams(QUERY);
    expect(restStringToSign("POST", "/apps/3/events", [...params])).toBe(EXAMPLE.stringToSign);
  });

  it("signs it to the published signature", async () => {
    expect(await hmacSha256Hex(EXAMPLE.app.secret, EXAMPLE.stringToSign)).toBe(EXAMPLE.signature);
    expect(createHash("md5").update(EXAMPLE.body).digest("hex")).toBe(EXAMPLE.md5);
  });

  it("accepts the example request", async () => {
    expect(await verify(`${QUERY}&auth_signature=${EXAMPLE.signature}`)).toEqual({ ok: true, value: undefined });
  });

  it("accepts the signature in any parameter order and in upper-case hex", async () => {
    const shuffled = `auth_signature=${EXAMPLE.signature.toUpperCase()}&body_md5=${EXAMPLE.md5}&auth_version=1.0&auth_timestamp=${EXAMPLE.timestamp}&auth_key=${EXAMPLE.app.key}`;
    expect((await verify(shuffled)).ok).toBe(true);
  });

  it("refuses it with one signature character changed", async () => {
    const forged = `${EXAMPLE.signature.slice(0, -1)}d`;
    const result = await verify(`${QUERY}&auth_signature=${forged}`);
    expect(result).toEqual({ ok: false, error: expect.stringContaining("Invalid signature") });
    // The message shows what to sign, to help fix a client, and never the expected digest.
    const message = result.ok ? "" : result.error;
    expect(message).toContain(JSON.stringify(EXAMPLE.stringToSign));
    expect(message).not.toContain(EXAMPLE.signature);
  });

  it("refuses the example replayed 601 s later, and accepts it 600 s later", async () => {
    const signed = `${QUERY}&auth_signature=${EXAMPLE.signature}`;
    expect((await verify(signed, { now: EXAMPLE.timestamp + 600 })).ok).toBe(true);
    expect((await verify(signed, { now: EXAMPLE.timestamp - 600 })).ok).toBe(true);
    expect(await verify(signed, { now: EXAMPLE.timestamp + 601 })).toEqual({
      ok: false,
      error: expect.stringContaining("Timestamp expired"),
    });
    expect((await verify(signed, { now: EXAMPLE.timestamp - 601 })).ok).toBe(false);
  });

  it("refuses a changed body, path or method", async () => {
    const signed = `${QUERY}&auth_signature=${EXAMPLE.signature}`;
    const other = new TextEncoder().encode(EXAMPLE.body.replace("foo", "bar"));
    expect(await verify(signed, { body: other })).toEqual({
      ok: false,
      error: "body_md5 does not match the MD5 of the request body",
    });
    expect((await verify(signed, { path: "/apps/4/events" })).ok).toBe(false);
    expect((await verify(signed, { method: "PUT" })).ok).toBe(false);
  });

  it("refuses a body without body_md5", async () => {
    const query = `auth_key=${EXAMPLE.app.key}&auth_timestamp=${EXAMPLE.timestamp}&auth_version=1.0&auth_signature=${EXAMPLE.signature}`;
    expect(await verify(query)).toEqual({ ok: false, error: expect.stringContaining("Missing body_md5") });
  });

  it.each([
    ["auth_key", "Missing auth_key"],
    ["auth_timestamp", "Missing auth_timestamp"],
    ["auth_version", "Missing auth_version"],
    ["auth_signature", "Missing auth_signature"],
  ])("refuses a request without %s", async (name, message) => {
    const query = `${QUERY}&auth_signature=${EXAMPLE.signature}`
      .split("&")
      .filter((pair) => !pair.startsWith(`${name}=`))
      .join("&");
    expect(await verify(query)).toEqual({ ok: false, error: expect.stringContaining(message) });
  });

  it("refuses another key, another version, a non-numeric timestamp and repeated auth parameters", async () => {
    const signed = `${QUERY}&auth_signature=${EXAMPLE.signature}`;
    expect(await verify(signed.replace(EXAMPLE.app.key, "other-key"))).toEqual({
      ok: false,
      error: "Unknown auth_key 'other-key'",
    });
    expect(await verify(signed.replace("auth_version=1.0", "auth_version=2.0"))).toEqual({
      ok: false,
      error: expect.stringContaining("Unsupported auth_version '2.0'"),
    });
    expect(await verify(signed.replace(String(EXAMPLE.timestamp), "yesterday"))).toEqual({
      ok: false,
      error: "auth_timestamp must be a Unix time in seconds",
    });
    expect(await verify(`${signed}&auth_key=${EXAMPLE.app.key}`)).toEqual({
      ok: false,
      error: "auth_key is given more than once",
    });
  });
});

describe("REST signatures: the string to sign", () => {
  it("lower-cases keys, sorts them, leaves values unescaped and drops auth_signature", () => {
    const params: [string, string][] = [
      ["Name", "Something else"],
      ["auth_signature", "x"],
      ["auth_key", "foo"],
    ];
    expect(restStringToSign("get", "/apps/1/channels", params)).toBe(
      "GET\n/apps/1/channels\nauth_key=foo&name=Something else",
    );
  });

  it("accepts a query signed over decoded values but sent escaped, and a path signed raw or decoded", async () => {
    const app = EXAMPLE.app;
    const ts = EXAMPLE.timestamp;
    const base = `auth_key=${app.key}&auth_timestamp=${ts}&auth_version=1.0&info=user_count,subscription_count`;
    const decodedPath = "/apps/3/channels/presence-a@b";
    const signature = await hmacSha256Hex(app.secret, `GET\n${decodedPath}\n${base}`);
    const escaped = `${base.replace("user_count,subscription_count", "user_count%2Csubscription_count")}&auth_signature=${signature}`;
    const get = (query: string, path: string) =>
      verifyRestSignature(app, { method: "GET", path, query, body: new Uint8Array(0) }, ts);
    expect((await get(escaped, "/apps/3/channels/presence-a%40b")).ok).toBe(true);
    expect((await get(`${base}&auth_signature=${signature}`, decodedPath)).ok).toBe(true);
    const rawSigned = await hmacSha256Hex(app.secret, `GET\n/apps/3/channels/presence-a%40b\n${base}`);
    expect((await get(`${base}&auth_signature=${rawSigned}`, "/apps/3/channels/presence-a%40b")).ok).toBe(true);
  });

  it("needs no body_md5 without a body, but checks one that is given", async () => {
    const app = EXAMPLE.app;
    const ts = EXAMPLE.timestamp;
    const base = `auth_key=${app.key}&auth_timestamp=${ts}&auth_version=1.0`;
    const get = async (query: string) => {
      const signature = await hmacSha256Hex(app.secret, `GET\n/apps/3/channels\n${query}`);
      return verifyRestSignature(
        app,
        {
          method: "GET",
          path: "/apps/3/channels",
          query: `${query}&auth_signature=${signature}`,
          body: new Uint8Array(0),
        },
        ts,
      );
    };
    expect((await get(base)).ok).toBe(true);
    expect((await get(`${base}&body_md5=d41d8cd98f00b204e9800998ecf8427e`)).ok).toBe(true);
    expect((await get(`${base}&body_md5=${EXAMPLE.md5}`)).ok).toBe(false);
  });
});

describe("REST signatures: an app with several key pairs", () => {
  const next = { key: "next-key", secret: "next-secret-0123456789", retired: false };
  const old = { key: "old-key", secret: "old-secret-0123456789", retired: true };
  const app = { keys: [{ ...PAIR, retired: false }, next, old] };
  const path = "/apps/3/channels";

  async function signedBy(pair: { key: string; secret: string }, secret = pair.secret) {
    const query = `auth_key=${pair.key}&auth_timestamp=${EXAMPLE.timestamp}&auth_version=1.0`;
    const signature = await hmacSha256Hex(secret, `GET\n${path}\n${query}`);
    const request = { method: "GET", path, query: `${query}&auth_signature=${signature}`, body: new Uint8Array(0) };
    return verifyRestSignature(app, request, EXAMPLE.timestamp);
  }

  it("accepts a request signed with any pair that is not retired", async () => {
    expect(await signedBy(PAIR)).toEqual({ ok: true, value: undefined });
    expect(await signedBy(next)).toEqual({ ok: true, value: undefined });
  });

  it("checks the signature with the secret of the pair auth_key names, not another pair's", async () => {
    const refused = await signedBy(next, PAIR.secret);
    expect(refused).toEqual({ ok: false, error: expect.stringContaining("Invalid signature") });
  });

  it("refuses a retired pair, even correctly signed, saying it is retired", async () => {
    expect(await signedBy(old)).toEqual({
      ok: false,
      error: "auth_key 'old-key' is retired: sign requests with a current key and secret of the app",
    });
  });
});
