import { readProperties } from "./properties";
import type { RoomConfig } from "./room-store";

const RULES = {
  what: "configuration",
  name: /^[A-Za-z][A-Za-z0-9_]{0,31}$/,
  nameHint: "a letter then letters, digits or _ (up to 32)",
  maxValue: 500,
  maxCount: 20,
};

/** A room's whole configuration (e.g. `title`, `welcome`), replacing the last one; or what is wrong with it. */
export function readConfig(input: unknown): RoomConfig | string {
  return readProperties(input, RULES);
}
