import { describe, expect, it } from "vitest";
import * as frames from "../../src/protocol/server-frames";

describe("server frames", () => {
  it("sends connection_established with data as a JSON string", () => {
    expect(frames.connectionEstablished("123.456")).toBe(
      '{"event":"pusher:connection_established","data":"{\\"socket_id\\":\\"123.456\\",\\"activity_timeout\\":120}"}',
    );
  });

  it("sends pusher:error with its code (null for frame problems) and message", () => {
    expect(frames.errorFrame({ code: 4001, message: "App key not found" })).toBe(
      '{"event":"pusher:error","data":{"code":4001,"message":"App key not found"}}',
    );
    expect(JSON.parse(frames.errorFrame({ code: null, message: "Frame is not valid JSON" }))).toEqual({
      event: "pusher:error",
      data: { code: null, message: "Frame is not valid JSON" },
    });
  });

  it("sends a pong", () => {
    expect(frames.pong()).toBe('{"event":"pusher:pong","data":"{}"}');
  });

  it("sends subscription_succeeded with {} or the presence roster", () => {
    expect(frames.subscriptionSucceeded("news")).toBe(
      '{"event":"pusher_internal:subscription_succeeded","channel":"news","data":"{}"}',
    );
    const presence = JSON.parse(
      frames.subscriptionSucceeded("presence-a", { ids: ["1"], hash: { 1: { name: "Ada" } }, count: 1 }),
    );
    expect(presence).toEqual({
      event: "pusher_internal:subscription_succeeded",
      channel: "presence-a",
      data: '{"presence":{"ids":["1"],"hash":{"1":{"name":"Ada"}},"count":1}}',
    });
  });

  it("sends subscription_error on the channel in the shape pusher-js emits for auth failures", () => {
    expect(
      JSON.parse(
        frames.subscriptionError({ channel: "private-a", type: "AuthError", error: "Invalid signature", status: 401 }),
      ),
    ).toEqual({
      event: "pusher:subscription_error",
      channel: "private-a",
      data: { type: "AuthError", error: "Invalid signature", status: 401 },
    });
  });

  it("sends member_added with user_info defaulting to {} and member_removed with the id", () => {
    expect(frames.memberAdded("presence-a", "7", undefined)).toBe(
      '{"event":"pusher_internal:member_added","channel":"presence-a","data":"{\\"user_id\\":\\"7\\",\\"user_info\\":{}}"}',
    );
    expect(frames.memberRemoved("presence-a", "7")).toBe(
      '{"event":"pusher_internal:member_removed","channel":"presence-a","data":"{\\"user_id\\":\\"7\\"}"}',
    );
  });

  it("relays user events with data as given and user_id only when known", () => {
    expect(JSON.parse(frames.userEvent("client-a", "private-x", { n: 1 }))).toEqual({
      event: "client-a",
      channel: "private-x",
      data: { n: 1 },
    });
    expect(JSON.parse(frames.userEvent("client-a", "presence-x", "text", "7"))).toEqual({
      event: "client-a",
      channel: "presence-x",
      data: "text",
      user_id: "7",
    });
  });

  it("sends signin_success with the user_data string unchanged", () => {
    expect(JSON.parse(frames.signinSuccess('{"id":"1"}'))).toEqual({
      event: "pusher:signin_success",
      data: '{"user_data":"{\\"id\\":\\"1\\"}"}',
    });
  });
});
