import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { findLoops, type ImportLoop, moduleGraph, readImports } from "../support/module-graph";

const SRC = fileURLToPath(new URL("../../src", import.meta.url));
const MAX_LINES = 300;

/**
 * The Beacon's floors, lowest first (see src/beacon/README.md). A file may
 * import Beacon files on its own floor or below; the folders of one floor
 * do not import each other. "" is src/beacon/ itself: beacon.ts and its wiring.
 */
const FLOORS: ReadonlyArray<readonly string[]> = [
  ["state"],
  ["webhooks"],
  ["changes"],
  ["handlers", "rpc", "alarms", "hubs"],
  [""],
];

/** The Beacon folder a file is in ("" for src/beacon/ itself), or undefined for the Worker's files. */
function folderOf(file: string): string | undefined {
  const prefix = "src/beacon/";
  if (!file.startsWith(prefix)) return undefined;
  const rest = file.slice(prefix.length);
  return rest.includes("/") ? rest.slice(0, rest.indexOf("/")) : "";
}

function floorOf(folder: string): number {
  return FLOORS.findIndex((floor) => floor.includes(folder));
}

/** One way round the loop, and every file in it when the way round does not pass them all. */
function describeLoop({ path, files }: ImportLoop): string {
  const round = path.join(" -> ");
  return files.length < path.length ? round : `${round} (the loop holds ${files.join(", ")})`;
}

const edge = (file: string) => ({ file, typeOnly: false });

describe("the module reader", () => {
  it("reads imports and re-exports of every form, type-only ones marked, and nothing in comments or code", () => {
    const text = [
      'import { DurableObject } from "cloudflare:workers";',
      'import type { App } from "../apps";',
      "import {",
      "  type ClientFrame,",
      "  parseClientFrame,",
      '} from "./client-frames";',
      'import { type Only, type Types } from "./types";',
      'import * as frames from "./server-frames";',
      'import worker, { route } from "./router";',
      'import "./side-effect";',
      'export { Beacon } from "./beacon";',
      'export type { Gauges } from "./stats";',
      'export * from "./everything";',
      'export * as names from "./names";',
      '// import { commented } from "./commented";',
      ' * import { documented } from "./documented";',
      "export function notAnImport(): string {",
      '  return "from" + " ./nowhere";',
      "}",
    ].join("\n");
    expect(readImports(text)).toEqual([
      { specifier: "cloudflare:workers", typeOnly: false },
      { specifier: "../apps", typeOnly: true },
      { specifier: "./client-frames", typeOnly: false },
      { specifier: "./types", typeOnly: true },
      { specifier: "./server-frames", typeOnly: false },
      { specifier: "./router", typeOnly: false },
      { specifier: "./side-effect", typeOnly: false },
      { specifier: "./beacon", typeOnly: false },
      { specifier: "./stats", typeOnly: true },
      { specifier: "./everything", typeOnly: false },
      { specifier: "./names", typeOnly: false },
    ]);
  });

  it("finds each loop once, as a path back to where it started, and nothing in a tree", () => {
    const loops = new Map([
      ["a.ts", [edge("b.ts")]],
      ["b.ts", [edge("c.ts"), edge("d.ts")]],
      ["c.ts", [edge("a.ts")]],
      ["d.ts", []],
      ["e.ts", [edge("e.ts")]],
      ["f.ts", [edge("a.ts")]],
    ]);
    expect(findLoops(loops)).toEqual([
      { files: ["a.ts", "b.ts", "c.ts"], path: ["a.ts", "b.ts", "c.ts", "a.ts"] },
      { files: ["e.ts"], path: ["e.ts", "e.ts"] },
    ]);
    const tree = new Map([
      ["a.ts", [edge("b.ts"), edge("c.ts")]],
      ["b.ts", [edge("c.ts")]],
      ["c.ts", []],
    ]);
    expect(findLoops(tree)).toEqual([]);
  });
});

describe("the module graph of src/", () => {
  const graph = moduleGraph(SRC);

  it("resolves every relative import to a file", () => {
    expect(graph.edges.size).toBeGreaterThan(50);
    expect(graph.unresolved).toEqual([]);
  });

  it("has no import loops, type-only imports included", () => {
    expect(findLoops(graph.edges).map(describeLoop)).toEqual([]);
  });

  it(`has no file over ${MAX_LINES} lines`, () => {
    const long = [...graph.lines].filter(([, lines]) => lines > MAX_LINES).map(([file, lines]) => `${file}: ${lines}`);
    expect(long).toEqual([]);
  });

  it("keeps the Beacon's floors: each imports only its own floor and those below", () => {
    const breaches: string[] = [];
    for (const [file, targets] of graph.edges) {
      const from = folderOf(file);
      if (from === undefined) continue;
      expect(floorOf(from), `${file} is in no floor`).toBeGreaterThanOrEqual(0);
      for (const target of targets) {
        const to = folderOf(target.file);
        if (to === undefined || to === from) continue;
        if (floorOf(to) >= floorOf(from)) breaches.push(`${file} -> ${target.file}`);
      }
    }
    expect(breaches).toEqual([]);
  });

  it("lets the Worker reach into beacon/ only for the Durable Object classes (their types, or index.ts's export)", () => {
    const classes = ["src/beacon/beacon.ts", "src/beacon/hub.ts"];
    const reaches: string[] = [];
    for (const [file, targets] of graph.edges) {
      if (folderOf(file) !== undefined) continue;
      for (const target of targets) {
        if (folderOf(target.file) === undefined) continue;
        const allowed = classes.includes(target.file) && (target.typeOnly || file === "src/index.ts");
        if (!allowed) reaches.push(`${file} -> ${target.file}`);
      }
    }
    expect(reaches).toEqual([]);
  });
});
