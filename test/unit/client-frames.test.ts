import { describe, expect, it } from "vitest";
import { parseClientFrame } from "../../src/protocol/client-frames";

function parsed(raw: string | ArrayBuffer) {
  const result = parseClientFrame(raw);
  if (!result.ok) throw new Error(`expected a frame, got: ${result.error.message}`);
  return result.value;
}

function refused(raw: string | ArrayBuffer) {
  const result = parseClientFrame(raw);
  if (result.ok) throw new Error(`expected a refusal, got: ${JSON.stringify(result.value)}`);
  return result.error;
}

describe("parsing client frames", () => {
  it("reads the frames pusher-js sends", () => {
    expect(parsed('{"event":"pusher:ping","data":{}}')).toEqual({ kind: "ping" });
    expect(parsed('{"event":"pusher:pong","data":{}}')).toEqual({ kind: "pong" });
    expect(parsed('{"event":"pusher:subscribe","data":{"auth":"","channel":"news"}}')).toEqual({
      kind: "subscribe",
      channel: "news",
      auth: "",
      channelData: undefined,
    });
    expect(
      parsed(
        '{"event":"pusher:subscribe","data":{"auth":"k:s","channel_data":"{\\"user_id\\":\\"1\\"}","channel":"presence-a"}}',
      ),
    ).toEqual({ kind: "subscribe", channel: "presence-a", auth: "k:s", channelData: '{"user_id":"1"}' });
    expect(parsed('{"event":"pusher:unsubscribe","data":{"channel":"news"}}')).toEqual({
      kind: "unsubscribe",
      channel: "news",
    });
    expect(parsed('{"event":"pusher:signin","data":{"auth":"k:s","user_data":"{\\"id\\":\\"1\\"}"}}')).toEqual({
      kind: "signin",
      auth: "k:s",
      userData: '{"id":"1"}',
    });
    expect(parsed('{"event":"client-typing","data":{"who":"ada"},"channel":"private-chat"}')).toEqual({
      kind: "client-event",
      event: "client-typing",
      channel: "private-chat",
      data: { who: "ada" },
    });
  });

  it("reads other clients' spellings: no data, and data as a JSON string", () => {
    expect(parsed('{"event": "pusher:ping"}')).toEqual({ kind: "ping" });
    expect(parsed('{"event":"pusher:ping","data":"{}"}')).toEqual({ kind: "ping" });
    expect(parsed('{"event":"pusher:subscribe","data":"{\\"channel\\":\\"news\\"}"}')).toMatchObject({
      kind: "subscribe",
      channel: "news",
      auth: "",
    });
    expect(parsed('{"event":"pusher:subscribe","data":{"channel":"news","auth":null,"channel_data":null}}')).toEqual({
      kind: "subscribe",
      channel: "news",
      auth: "",
      channelData: undefined,
    });
  });

  it("keeps client-event data exactly as sent, including strings and absent data", () => {
    expect(parsed('{"event":"client-a","channel":"private-x","data":"{\\"raw\\":1}"}')).toMatchObject({
      data: '{"raw":1}',
    });
    expect(parsed('{"event":"client-a","channel":"private-x"}')).toMatchObject({ data: undefined });
  });

  it.each([
    ["binary data", new ArrayBuffer(4), "Binary frames are not supported"],
    ["text that is not JSON", "{", "Frame is not valid JSON"],
    ["a JSON array", "[1]", "Frame must be a JSON object"],
    ["JSON null", "null", "Frame must be a JSON object"],
    ["a missing event", "{}", "Frame has no event name"],
    ["a numeric event", '{"event":1}', "Frame has no event name"],
    ["an unknown pusher: event", '{"event":"pusher:nope"}', "Unsupported event 'pusher:nope'"],
    [
      "an internal event",
      '{"event":"pusher_internal:x"}',
      "Unknown event 'pusher_internal:x': client events must start with 'client-'",
    ],
    ["a subscribe without a channel", '{"event":"pusher:subscribe","data":{}}', "pusher:subscribe needs data.channel"],
    [
      "a subscribe with a numeric auth",
      '{"event":"pusher:subscribe","data":{"channel":"a","auth":1}}',
      "pusher:subscribe data.auth must be a string",
    ],
    [
      "a subscribe with object channel_data",
      '{"event":"pusher:subscribe","data":{"channel":"a","channel_data":{}}}',
      "pusher:subscribe data.channel_data must be a JSON string",
    ],
    ["an unsubscribe without a channel", '{"event":"pusher:unsubscribe"}', "pusher:unsubscribe needs data.channel"],
    [
      "a signin without user_data",
      '{"event":"pusher:signin","data":{"auth":"a"}}',
      "pusher:signin needs data.auth and data.user_data strings",
    ],
    ["a client event without a channel", '{"event":"client-a","data":{}}', "Client events need a channel"],
    ["a client event with an empty channel", '{"event":"client-a","channel":""}', "Client events need a channel"],
  ])("refuses %s with a clear message and code null", (_name, raw, message) => {
    expect(refused(raw)).toEqual({ code: null, message, close: false });
  });

  it("refuses event names over 200 characters and accepts 200", () => {
    const name = (length: number) => `client-${"e".repeat(length - 7)}`;
    expect(parsed(JSON.stringify({ event: name(200), channel: "private-x" }))).toMatchObject({ event: name(200) });
    expect(refused(JSON.stringify({ event: name(201), channel: "private-x" })).message).toBe(
      "Event name is longer than 200 characters",
    );
  });

  it("refuses frames over 64 KiB before parsing them, counting UTF-8 bytes", () => {
    const frame = (data: string) => JSON.stringify({ event: "client-a", channel: "private-x", data });
    const overhead = frame("").length;
    expect(parsed(frame("x".repeat(64 * 1024 - overhead)))).toMatchObject({ kind: "client-event" });
    expect(refused(frame("x".repeat(64 * 1024 - overhead + 1))).message).toBe("Frame is larger than 65536 bytes");
    expect(refused(frame("é".repeat(32 * 1024))).message).toBe("Frame is larger than 65536 bytes");
  });

  it("clips long unknown event names in its messages", () => {
    const error = refused(JSON.stringify({ event: `pusher:${"x".repeat(500)}` }));
    expect(error.message.length).toBeLessThan(100);
  });
});
