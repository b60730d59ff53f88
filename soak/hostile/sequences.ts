import type { Signer } from "../../bench/load/app.ts";
import { channelAuth, clientEventFrame, subscribeFrame, unsubscribeFrame } from "../../bench/load/frames.ts";
import { EVENTS, LIMITS } from "../../src/protocol/constants.ts";
import type { HonestChannels } from "../honest-socket.ts";
import type { Random } from "../random.ts";

/*
 * The hostile frames that come as sequences: prototype-key names in every
 * place, subscribe/unsubscribe churn, forged signatures and client-event
 * abuse. frames.ts picks among these and the one-frame attacks.
 */

/** What one hostile socket knows when it makes its next attack. */
export interface AttackContext {
  random: Random;
  socketId: string;
  /** Honest sockets' ids: a signature made for one of them is replayed here. */
  otherSocketIds: readonly string[];
  honest: HonestChannels;
  signer: Signer;
  /** The presence user this socket joins as; several hostile sockets share one. */
  userId: string;
  /** A private channel of the hostile sockets' own. */
  ownChannel: string;
}

export interface HostileFrame {
  /** Text (sent as a text frame even when it is not valid UTF-8) or binary. */
  payload: string | Buffer;
  binary: boolean;
}

export const text = (payload: string): HostileFrame => ({ payload, binary: false });
export const bytes = (payload: Buffer, binary = false): HostileFrame => ({ payload, binary });

/** Names every JavaScript object answers to, and channel names built on them. */
const PROTOTYPE_NAMES = ["__proto__", "constructor", "prototype", "toString", "hasOwnProperty", "valueOf"];

export function prototypeAttack(context: AttackContext): HostileFrame[] {
  const name = context.random.pick(PROTOTYPE_NAMES);
  const member = JSON.stringify({ user_id: name, user_info: { __proto__: { admin: true }, constructor: name } });
  const presence = `presence-${name}`;
  const userData = JSON.stringify({ id: name, watchlist: PROTOTYPE_NAMES });
  const frames = [
    text(subscribeFrame(name, "")),
    text(unsubscribeFrame(name)),
    text(subscribeFrame(`cache-${name}`, "")),
    text(subscribeFrame(presence, channelAuth(context.socketId, presence, member, context.signer), member)),
    text(unsubscribeFrame(presence)),
    text(`{"__proto__":{"event":"pusher:subscribe"},"event":"pusher:ping","data":{}}`),
    text(`{"event":"pusher:subscribe","data":{"__proto__":{"channel":"${context.honest.public}"}}}`),
    text(`{"event":"pusher:subscribe","data":{"constructor":{"prototype":{"channel":"x"}},"channel":"${name}"}}`),
    text(clientEventFrame(`client-${name}`, { __proto__: { polluted: true } }, context.ownChannel)),
  ];
  // A valid sign-in as a user named like a prototype key, watching the others. Sign-in signs
  // `{socket_id}::user::{user_data}`, which is the channel signature's form with ":user:" for the channel.
  if (context.random.chance(0.2)) {
    const auth = channelAuth(context.socketId, ":user:", userData, context.signer);
    frames.push(text(JSON.stringify({ event: EVENTS.signin, data: { auth, user_data: userData } })));
  }
  return frames;
}

export function churnAttack(context: AttackContext): HostileFrame[] {
  const { honest, random, socketId, signer } = context;
  const member = JSON.stringify({ user_id: context.userId, user_info: { hostile: true } });
  const choices: Array<[string, string, string | undefined]> = [
    [honest.public, "", undefined],
    [honest.cache, "", undefined],
    [honest.presence, channelAuth(socketId, honest.presence, member, signer), member],
    [context.ownChannel, channelAuth(socketId, context.ownChannel, undefined, signer), undefined],
  ];
  const [channel, auth, channelData] = random.pick(choices);
  const frames: HostileFrame[] = [];
  for (let round = random.int(1, 10); round > 0; round--) {
    frames.push(text(subscribeFrame(channel, auth, channelData)), text(unsubscribeFrame(channel)));
  }
  // Sometimes it stays: the socket's close must clean it up.
  if (random.chance(0.3)) frames.push(text(subscribeFrame(channel, auth, channelData)));
  return frames;
}

export function badAuthAttack(context: AttackContext): HostileFrame[] {
  const { honest, random, signer, socketId } = context;
  const channel = random.pick([honest.private, honest.presence, context.ownChannel]);
  const otherSocket = random.pick(context.otherSocketIds.length > 0 ? context.otherSocketIds : [socketId]);
  const member = JSON.stringify({ user_id: context.userId });
  const signedForOther = channelAuth(otherSocket, channel, channel === honest.presence ? member : undefined, signer);
  const good = channelAuth(socketId, channel, undefined, signer);
  const auth = random.pick([
    "",
    `${signer.key}:`,
    `${signer.key}:${"0".repeat(64)}`,
    signedForOther,
    `other-key:${good.split(":")[1]}`,
    good.toUpperCase(),
    `${good}0`,
    good.replace(":", "::"),
  ]);
  const frames = [text(subscribeFrame(channel, auth, channel === honest.presence ? member : undefined))];
  // A presence signature over other channel_data than is sent.
  const signed = JSON.stringify({ user_id: "someone-else" });
  frames.push(text(subscribeFrame(honest.presence, channelAuth(socketId, honest.presence, signed, signer), member)));
  // A failed sign-in closes the socket (4009), so it is rarer.
  if (random.chance(0.05)) {
    frames.push(text(JSON.stringify({ event: EVENTS.signin, data: { auth, user_data: JSON.stringify({ id: "x" }) } })));
  }
  return frames;
}

export function clientEventAttack(context: AttackContext): HostileFrame[] {
  const { honest, random, socketId, signer } = context;
  const own = context.ownChannel;
  const shape = random.int(0, 4);
  if (shape === 0) return [text(clientEventFrame("client-public", {}, honest.public))];
  if (shape === 1) return [text(clientEventFrame("client-not-held", {}, `private-not-held-${random.int(0, 99)}`))];
  if (shape === 2) return [text(clientEventFrame("client-secret", {}, "private-encrypted-soak"))];
  if (shape === 3) {
    return [text(clientEventFrame("client-large", "x".repeat(LIMITS.eventDataBytes + random.int(1, 1000)), own))];
  }
  // More than the per-second allowance, on a channel the socket does hold.
  return [
    text(subscribeFrame(own, channelAuth(socketId, own, undefined, signer))),
    ...Array.from({ length: random.int(11, 40) }, (_, index) =>
      text(clientEventFrame("client-burst", { n: index }, own)),
    ),
  ];
}
