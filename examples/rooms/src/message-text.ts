const MAX_TEXT = 1000;

/** Chat lines, questions for the admin and announcements: some text, and well inside an event's 10 KB. */
export function isMessageText(value: unknown): value is string {
  return typeof value === "string" && value.trim() !== "" && value.length <= MAX_TEXT;
}

export const MESSAGE_TEXT_RULE = `text must be a non-empty string of at most ${MAX_TEXT} characters`;
