/** Rules for a flat object of string properties (a profile, a room's configuration). */
export interface PropertyRules {
  /** What the object is called in messages. */
  what: string;
  name: RegExp;
  /** How a valid name looks, for the message when one is not. */
  nameHint: string;
  maxValue: number;
  maxCount: number;
}

/** The string properties in `input`, or a message saying what is wrong with it. */
export function readProperties(input: unknown, rules: PropertyRules): Record<string, string> | string {
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    return `${rules.what} must be an object of string properties`;
  }
  const entries = Object.entries(input);
  if (entries.length > rules.maxCount) return `${rules.what} has at most ${rules.maxCount} properties`;
  const properties: Record<string, string> = {};
  for (const [name, value] of entries) {
    if (!rules.name.test(name)) return `${rules.what}: property name ${JSON.stringify(name)} must be ${rules.nameHint}`;
    if (typeof value !== "string") return `${rules.what}: property ${name} must be a string`;
    if (value.length > rules.maxValue)
      return `${rules.what}: property ${name} is longer than ${rules.maxValue} characters`;
    properties[name] = value;
  }
  return properties;
}
