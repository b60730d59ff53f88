import type { App } from "./app";
import { parseApp } from "./app-options";
import { describeValue, Problems } from "./problems";

export type AppsParse = { ok: true; apps: App[] } | { ok: false; problem: string };

/**
 * The APPS secret: a JSON list of apps. Nothing is applied unless the whole
 * list is valid, and ids and keys (every pair's) must be unique across it.
 */
export function parseAppsJson(raw: string): AppsParse {
  const json = parseJson(raw);
  if (!json.ok) return json;
  const problems = new Problems();
  if (!Array.isArray(json.value) || json.value.length === 0) {
    problems.add("APPS", `must be a non-empty JSON list of apps, got ${describeValue(json.value)}`);
    return { ok: false, problem: problems.summary("APPS") };
  }
  const apps: App[] = [];
  const ids = new Map<string, number>();
  const keys = new Map<string, number>();
  json.value.forEach((entry: unknown, index) => {
    const where = `APPS[${index}]`;
    const app = parseApp(entry, where, problems);
    if (app === undefined) return;
    const sameId = ids.get(app.id);
    if (sameId !== undefined) problems.add(`${where} (app "${app.id}")`, `id is already used by APPS[${sameId}]`);
    // Every pair's key, retired or not, names this app on /app/{key}: none may name another app too.
    app.keys.forEach(({ key }, pair) => {
      const sameKey = keys.get(key);
      const field = pair === 0 ? "key" : `keys[${pair - 1}].key`;
      if (sameKey !== undefined)
        problems.add(`${where} (app "${app.id}")`, `${field} is already used by APPS[${sameKey}]`);
      keys.set(key, index);
    });
    ids.set(app.id, index);
    apps.push(app);
  });
  return problems.empty ? { ok: true, apps } : { ok: false, problem: problems.summary("APPS") };
}

/**
 * The runtime's JSON.parse message quotes the text around the mistake, which
 * may be a secret: only the position is kept.
 */
function parseJson(raw: string): { ok: true; value: unknown } | { ok: false; problem: string } {
  try {
    return { ok: true, value: JSON.parse(raw) };
  } catch (error) {
    const position = /position (\d+)/.exec(String(error))?.[1];
    const where = position === undefined ? "" : ` (near character ${position}${lineAndColumn(raw, Number(position))})`;
    return { ok: false, problem: `APPS is not valid JSON${where}` };
  }
}

function lineAndColumn(text: string, position: number): string {
  const before = text.slice(0, position).split("\n");
  return `, line ${before.length} column ${(before.at(-1)?.length ?? 0) + 1}`;
}
