import { vi } from "vitest";

/** Every JSON line written through console.warn while `action` runs (restore mocks after each test). */
export async function warnings(action: () => Promise<unknown>): Promise<Array<Record<string, unknown>>> {
  const spy = vi.spyOn(console, "warn").mockImplementation(() => undefined);
  await action();
  return spy.mock.calls.map(([line]) => JSON.parse(String(line)));
}
