import { describe, expect, it } from "vitest";
import { bystanders, frameErrorOf } from "./support/channels";
import { connect } from "./support/socket";

const cases: Array<{ name: string; frame: string | ArrayBuffer; message: string }> = [
  { name: "text that is not JSON", frame: "hello", message: "Frame is not valid JSON" },
  { name: "truncated JSON", frame: '{"event":"pusher:subscribe"', message: "Frame is not valid JSON" },
  { name: "a JSON array", frame: "[]", message: "Frame must be a JSON object" },
  { name: "JSON null", frame: "null", message: "Frame must be a JSON object" },
  { name: "a JSON string", frame: '"pusher:ping"', message: "Frame must be a JSON object" },
  { name: "a frame without an event", frame: '{"data":{}}', message: "Frame has no event name" },
  { name: "an event that is a number", frame: '{"event":7}', message: "Frame has no event name" },
  { name: "an empty event name", frame: '{"event":""}', message: "Frame has no event name" },
  {
    name: "an unknown pusher: event",
    frame: '{"event":"pusher:hello","data":{}}',
    message: "Unsupported event 'pusher:hello'",
  },
  {
    name: "a pusher_internal: event",
    frame: '{"event":"pusher_internal:member_added","data":{}}',
    message: "Unknown event 'pusher_internal:member_added': client events must start with 'client-'",
  },
  {
    name: "an event without a known prefix",
    frame: '{"event":"message","channel":"private-x","data":{}}',
    message: "Unknown event 'message': client events must start with 'client-'",
  },
  {
    name: "a subscribe without data",
    frame: '{"event":"pusher:subscribe"}',
    message: "pusher:subscribe needs data.channel",
  },
  {
    name: "a subscribe whose channel is a number",
    frame: '{"event":"pusher:subscribe","data":{"channel":5}}',
    message: "pusher:subscribe needs data.channel",
  },
  {
    name: "a subscribe whose auth is not a string",
    frame: '{"event":"pusher:subscribe","data":{"channel":"private-x","auth":{}}}',
    message: "pusher:subscribe data.auth must be a string",
  },
  {
    name: "a subscribe whose channel_data is an object",
    frame: '{"event":"pusher:subscribe","data":{"channel":"presence-x","auth":"k:s","channel_data":{"user_id":"a"}}}',
    message: "pusher:subscribe data.channel_data must be a JSON string",
  },
  {
    name: "an unsubscribe without a channel",
    frame: '{"event":"pusher:unsubscribe","data":{}}',
    message: "pusher:unsubscribe needs data.channel",
  },
  {
    name: "a signin with wrong types",
    frame: '{"event":"pusher:signin","data":{"auth":1,"user_data":{}}}',
    message: "pusher:signin needs data.auth and data.user_data strings",
  },
  {
    name: "a client event without a channel",
    frame: '{"event":"client-x","data":{}}',
    message: "Client events need a channel",
  },
  {
    name: "a client event name over 200 characters",
    frame: JSON.stringify({ event: `client-${"e".repeat(194)}`, channel: "private-x", data: {} }),
    message: "Event name is longer than 200 characters",
  },
  {
    name: "a frame over 64 KiB",
    frame: JSON.stringify({ event: "client-x", channel: "private-x", data: "x".repeat(64 * 1024) }),
    message: "Frame is larger than 65536 bytes",
  },
  {
    name: "a binary frame",
    frame: new ArrayBuffer(8),
    message: "Binary frames are not supported",
  },
];

describe("malformed frames", () => {
  for (const { name, frame, message } of cases) {
    it(`answers ${name} with a pusher:error and leaves every socket working`, async () => {
      const others = await bystanders();
      const socket = await connect();
      socket.ws.send(frame);
      expect(await socket.next()).toEqual(frameErrorOf(message));
      await socket.expectSilence();
      expect(socket.closed).toBeUndefined();
      await others.stillWorking();
    });
  }
});
