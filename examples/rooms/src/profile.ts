import { readProperties } from "./properties";

/**
 * Profiles are flat string properties. A name starting with "_" is private:
 * it is stored and given back to its owner only, and never leaves the backend
 * in a presence `user_info` or an event.
 */
export type Profile = Record<string, string>;

const RULES = {
  what: "profile",
  name: /^_?[A-Za-z][A-Za-z0-9_]{0,31}$/,
  nameHint: "a letter then letters, digits or _ (up to 32), optionally after a leading _",
  maxValue: 200,
  maxCount: 20,
};
// Presence `user_info` may be 1 KB; leave room for the JSON around it.
const MAX_PUBLIC_BYTES = 900;

export function isPrivate(property: string): boolean {
  return property.startsWith("_");
}

/** What other members may see. */
export function publicPart(profile: Profile): Profile {
  return Object.fromEntries(Object.entries(profile).filter(([property]) => !isPrivate(property)));
}

/**
 * `current` with `changes` applied: each property in `changes` is set, and an
 * empty value removes it. Returns a message instead when the result would not
 * be a valid profile.
 */
export function applyChanges(current: Profile, changes: unknown): Profile | string {
  const properties = readProperties(changes, RULES);
  if (typeof properties === "string") return properties;
  const next: Profile = { ...current };
  for (const [property, value] of Object.entries(properties)) {
    if (value === "") delete next[property];
    else next[property] = value;
  }
  if (Object.keys(next).length > RULES.maxCount) return `a profile has at most ${RULES.maxCount} properties`;
  if (new TextEncoder().encode(JSON.stringify(publicPart(next))).length > MAX_PUBLIC_BYTES) {
    return `the public properties take more than ${MAX_PUBLIC_BYTES} bytes`;
  }
  return next;
}
