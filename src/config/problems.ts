/**
 * Collects every problem in a configuration, so an operator fixes them in one
 * pass instead of one deploy per typo. Messages name the app and the field and
 * describe values by type only: a misplaced secret must never be echoed.
 */
export class Problems {
  private readonly list: string[] = [];

  add(where: string, message: string): void {
    this.list.push(`${where}: ${message}`);
  }

  /** A message from another parser that already names where the problem is. */
  addMessage(message: string): void {
    this.list.push(message);
  }

  get empty(): boolean {
    return this.list.length === 0;
  }

  get count(): number {
    return this.list.length;
  }

  summary(subject: string): string {
    const noun = this.list.length === 1 ? "problem" : "problems";
    return `${subject} has ${this.list.length} ${noun}: ${this.list.join("; ")}`;
  }

  /** A lone problem as it stands (its message already names the setting); several, summed up under `subject`. */
  brief(subject: string): string {
    const [only] = this.list;
    return this.list.length === 1 && only !== undefined ? only : this.summary(subject);
  }
}

/**
 * Says what kind of value was given without showing a string's content.
 * Numbers and booleans are shown: they cannot be a secret.
 */
export function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  switch (typeof value) {
    case "string":
      return value === "" ? "an empty string" : "a string";
    case "number":
    case "boolean":
      return String(value);
    case "object":
      return "an object";
    default:
      return typeof value;
  }
}
