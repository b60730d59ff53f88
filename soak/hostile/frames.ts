import { channelAuth, clientEventFrame, subscribeFrame, unsubscribeFrame } from "../../bench/load/frames.ts";
import { EVENTS, LIMITS, PUSHER_JS_PING } from "../../src/protocol/constants.ts";
import { isObject } from "../load/soak-socket.ts";
import {
  type AttackContext,
  badAuthAttack,
  bytes,
  churnAttack,
  clientEventAttack,
  type HostileFrame,
  prototypeAttack,
  text,
} from "./sequences.ts";

export type { AttackContext, HostileFrame } from "./sequences.ts";

export interface Attack {
  category: Category;
  frames: HostileFrame[];
}

/** A value of every JSON type, and edge cases of each, to put where another type belongs. */
export const WRONG_VALUES: unknown[] = [
  null,
  true,
  false,
  0,
  -1,
  1.5,
  1e308,
  2 ** 53 + 1,
  "",
  " ",
  "\u0000",
  "🙂",
  "x".repeat(300),
  [],
  [1, "a", null],
  {},
  { a: { b: { c: {} } } },
  { __proto__: null, constructor: 1 },
];

/** Well-formed frames of every kind a client sends, whose fields get wrong values. */
function templates(context: AttackContext): Array<Record<string, unknown>> {
  return [
    { event: EVENTS.subscribe, data: { channel: context.honest.public, auth: "", channel_data: "{}" } },
    { event: EVENTS.unsubscribe, data: { channel: context.honest.public } },
    { event: EVENTS.signin, data: { auth: `${context.signer.key}:00`, user_data: "{}" } },
    { event: EVENTS.ping, data: {} },
    { event: "client-typing", channel: context.ownChannel, data: { typing: true } },
  ];
}

const ATTACKS = {
  garbage: (context: AttackContext) => [text(context.random.text(context.random.int(0, 300)))],
  "malformed-json": (context: AttackContext) => {
    const whole = JSON.stringify(context.random.pick(templates(context)));
    const cut = context.random.int(0, whole.length - 1);
    const broken = context.random.chance(0.5)
      ? whole.slice(0, cut)
      : `${whole.slice(0, cut)}${context.random.pick(["{", "}", '"', ",", ":", "\\", "]", "\\u12"])}${whole.slice(cut + 1)}`;
    return [text(broken)];
  },
  "not-an-object": (context: AttackContext) => {
    const depth = context.random.int(1, 20_000);
    return [
      text(
        context.random.pick([
          "[]",
          "null",
          "0",
          "-0",
          "1e999",
          '"pusher:ping"',
          "true",
          `${"[".repeat(depth)}${"]".repeat(depth)}`,
          `${'{"a":'.repeat(Math.min(depth, 10_000))}1${"}".repeat(Math.min(depth, 10_000))}`,
          "",
          " ",
        ]),
      ),
    ];
  },
  "wrong-types": (context: AttackContext) => {
    const frame = structuredClone(context.random.pick(templates(context)));
    const data = frame.data;
    const wrong = context.random.pick(WRONG_VALUES);
    const fields = [
      "event",
      "channel",
      "data",
      "user_id",
      ...(isObject(data) ? Object.keys(data).map((key) => `data.${key}`) : []),
    ];
    const field = context.random.pick(fields);
    if (field.startsWith("data.") && isObject(data)) data[field.slice(5)] = wrong;
    else frame[field] = wrong;
    // Some clients send `data` as a JSON string of the object: the wrong value hides one level down.
    if (context.random.chance(0.25) && isObject(frame.data)) frame.data = JSON.stringify(frame.data);
    return [text(JSON.stringify(frame))];
  },
  "unknown-event": (context: AttackContext) => {
    const event = context.random.pick([
      "pusher:hello",
      "pusher:subscribe ",
      "PUSHER:SUBSCRIBE",
      EVENTS.subscriptionSucceeded,
      EVENTS.memberAdded,
      "pusher_internal:",
      "pusher:",
      "client",
      "message",
      `client-${context.random.text(context.random.int(0, 30))}`,
      context.random.text(context.random.int(1, 40)),
    ]);
    return [text(JSON.stringify({ event, channel: context.ownChannel, data: {} }))];
  },
  "huge-channel-list": (context: AttackContext) => {
    const names = Array.from({ length: context.random.int(100, 3000) }, (_, index) => `soak-list-${index}`);
    const shape = context.random.int(0, 3);
    if (shape === 0) return [text(JSON.stringify({ event: EVENTS.subscribe, data: { channel: names } }))];
    if (shape === 1) return [text(JSON.stringify({ event: EVENTS.subscribe, data: { channels: names } }))];
    if (shape === 2) return [text(JSON.stringify({ event: EVENTS.unsubscribe, data: { channel: names } }))];
    // One more subscription than a socket may hold, then all of them undone.
    const held = names.slice(0, LIMITS.channelsPerSocket + 5);
    return [
      ...held.map((channel) => text(subscribeFrame(channel, ""))),
      ...held.map((channel) => text(unsubscribeFrame(channel))),
    ];
  },
  "long-names": (context: AttackContext) => {
    const long = "c".repeat(context.random.int(LIMITS.channelNameLength + 1, 5000));
    return [
      text(subscribeFrame(long, "")),
      text(
        subscribeFrame(`private-${long}`, channelAuth(context.socketId, `private-${long}`, undefined, context.signer)),
      ),
      text(
        clientEventFrame(
          `client-${"e".repeat(context.random.int(LIMITS.eventNameLength, 3000))}`,
          {},
          context.ownChannel,
        ),
      ),
      text(subscribeFrame(`#server-to-user-${"u".repeat(context.random.int(129, 2000))}`, "")),
    ];
  },
  "prototype-keys": (context: AttackContext) => prototypeAttack(context),
  "invalid-utf8": (context: AttackContext) => {
    const invalid = Buffer.from(
      context.random.pick([
        [0xff],
        [0xfe, 0xff],
        [0xc0, 0xaf],
        [0xed, 0xa0, 0x80],
        [0x80],
        [0xf8, 0x88, 0x80, 0x80, 0x80],
        [0xe2, 0x82],
      ]),
    );
    const where = context.random.int(0, 3);
    const frame = (event: Buffer | string, channel: Buffer | string, data: Buffer | string) =>
      Buffer.concat([
        Buffer.from('{"event":"'),
        Buffer.from(event),
        Buffer.from('","channel":"'),
        Buffer.from(channel),
        Buffer.from('","data":"'),
        Buffer.from(data),
        Buffer.from('"}'),
      ]);
    if (where === 0) return [bytes(frame("client-utf8", context.ownChannel, invalid))];
    if (where === 1) return [bytes(frame(Buffer.concat([Buffer.from("client-"), invalid]), context.ownChannel, "x"))];
    if (where === 2) return [bytes(frame(EVENTS.subscribe, Buffer.concat([Buffer.from("soak-"), invalid]), ""))];
    return [bytes(context.random.bytes(context.random.int(1, 200)))];
  },
  binary: (context: AttackContext) => [bytes(context.random.bytes(context.random.int(0, 2000)), true)],
  oversized: (context: AttackContext) => [
    text(
      clientEventFrame("client-big", "x".repeat(context.random.int(LIMITS.frameBytes, 200_000)), context.ownChannel),
    ),
  ],
  churn: (context: AttackContext) => churnAttack(context),
  "bad-auth": (context: AttackContext) => badAuthAttack(context),
  "client-events": (context: AttackContext) => clientEventAttack(context),
  pings: (context: AttackContext) => [
    text(
      context.random.pick([
        PUSHER_JS_PING,
        '{"event": "pusher:ping"}',
        '{"event":"pusher:ping","data":"{}"}',
        '{"event":"pusher:pong","data":{}}',
        '{"data":{},"event":"pusher:ping"}',
      ]),
    ),
  ],
} as const;

export type Category = keyof typeof ATTACKS;

/** How often each attack is chosen, out of the sum. */
const WEIGHTS: Record<Category, number> = {
  garbage: 8,
  "malformed-json": 8,
  "not-an-object": 5,
  "wrong-types": 16,
  "unknown-event": 6,
  "huge-channel-list": 2,
  "long-names": 4,
  "prototype-keys": 8,
  "invalid-utf8": 6,
  binary: 4,
  oversized: 1,
  churn: 12,
  "bad-auth": 8,
  "client-events": 8,
  pings: 4,
};

export const CATEGORIES = Object.keys(WEIGHTS) as Category[];
const TOTAL_WEIGHT = Object.values(WEIGHTS).reduce((sum, weight) => sum + weight, 0);

export function nextAttack(context: AttackContext): Attack {
  let roll = context.random.next() * TOTAL_WEIGHT;
  for (const category of CATEGORIES) {
    roll -= WEIGHTS[category];
    if (roll < 0) return { category, frames: ATTACKS[category](context) };
  }
  return { category: "garbage", frames: ATTACKS.garbage(context) };
}
