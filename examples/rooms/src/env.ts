import type { Room } from "./room";
import type { SowerSettings } from "./sower";

export interface RoomsEnv extends SowerSettings {
  ROOMS: DurableObjectNamespace<Room>;
  /** A secret: whoever joins with it is an admin of that room. Empty means nobody can be. */
  ADMIN_PASSWORD: string;
}

export function roomStub(env: RoomsEnv, room: string): DurableObjectStub<Room> {
  return env.ROOMS.get(env.ROOMS.idFromName(room));
}
