import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { exportsName, readDocReferences } from "../support/doc-references";

/**
 * docs/protocol.md names the code that enforces each rule and the tests
 * that check it, and docs/reliability.md does the same for each guarantee.
 * This keeps those names true as code moves: a renamed symbol or a moved
 * file fails here until the doc follows.
 */
const ROOT = fileURLToPath(new URL("../../", import.meta.url));

const DOCS = [
  { doc: "docs/protocol.md", leastCode: 50, leastTests: 20 },
  { doc: "docs/reliability.md", leastCode: 10, leastTests: 10 },
];

describe.each(DOCS)("$doc's references to the code", ({ doc, leastCode, leastTests }) => {
  const references = readDocReferences(readFileSync(`${ROOT}${doc}`, "utf8"));

  it("are all written as `name` in `src/path.ts`, one module a clause", () => {
    expect(references.unread).toEqual([]);
    expect(references.code.length).toBeGreaterThan(leastCode);
  });

  it("name modules that exist", () => {
    const missing = references.code
      .filter((reference) => !existsSync(`${ROOT}${reference.path}`))
      .map((reference) => `line ${reference.line}: ${reference.path}`);
    expect(missing).toEqual([]);
  });

  it("name what those modules export", () => {
    const absent = references.code
      .filter((reference) => existsSync(`${ROOT}${reference.path}`))
      .flatMap((reference) =>
        reference.names
          .filter((name) => !exportsName(`${ROOT}${reference.path}`, name))
          .map((name) => `line ${reference.line}: ${name} in ${reference.path}`),
      );
    expect(absent).toEqual([]);
  });

  it("name test files that exist", () => {
    expect(references.tests.length).toBeGreaterThan(leastTests);
    const missing = references.tests
      .filter((test) => !existsSync(`${ROOT}${test.path}`))
      .map((test) => `line ${test.line}: ${test.path}`);
    expect(missing).toEqual([]);
  });
});
