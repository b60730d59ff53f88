import { channelStringToSign, signToken, userStringToSign } from "../../../src/auth/signatures";
import { APP_KEY, APP_SECRET, connect, type Frame, type TestSocket } from "./socket";

const APP = { key: APP_KEY, secret: APP_SECRET };

/** What the app's auth endpoint would return for this socket and channel. */
export function channelAuth(socket: TestSocket, channel: string, channelData?: string): Promise<string> {
  return signToken(APP, channelStringToSign(socket.socketId, channel, channelData));
}

export function userAuth(socket: TestSocket, userData: string): Promise<string> {
  return signToken(APP, userStringToSign(socket.socketId, userData));
}

/** Signs the socket in and returns `pusher:signin_success`. */
export async function signIn(socket: TestSocket, user: Record<string, unknown>): Promise<Frame> {
  const userData = JSON.stringify(user);
  socket.send({ event: "pusher:signin", data: { auth: await userAuth(socket, userData), user_data: userData } });
  return socket.nextEvent("pusher:signin_success");
}

export async function connectSignedIn(user: Record<string, unknown>): Promise<TestSocket> {
  const socket = await connect();
  await signIn(socket, user);
  return socket;
}

/** Subscribes with a valid token where one is needed; returns the first frame on the channel. */
export async function subscribe(socket: TestSocket, channel: string, channelData?: string): Promise<Frame> {
  const needsAuth = /^(private-|presence-)/.test(channel);
  const auth = needsAuth ? await channelAuth(socket, channel, channelData) : "";
  socket.send({ event: "pusher:subscribe", data: { channel, auth, channel_data: channelData } });
  return socket.next();
}

export { unique } from "./channels";
