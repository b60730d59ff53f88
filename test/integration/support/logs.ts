import { vi } from "vitest";

/** Every JSON line written through `console[level]` while `action` runs, parsed; they stay out of the output. */
export async function linesLogged(
  level: "warn" | "error",
  action: () => Promise<unknown>,
): Promise<Array<Record<string, unknown>>> {
  const spy = vi.spyOn(console, level).mockImplementation(() => undefined);
  try {
    await action();
    return spy.mock.calls.map(([line]) => JSON.parse(String(line)));
  } finally {
    spy.mockRestore();
  }
}

/** Every JSON line written through console.warn while `action` runs. */
export const warnings = (action: () => Promise<unknown>) => linesLogged("warn", action);
