import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { exportsName, readDocReferences } from "../support/doc-references";

/**
 * docs/protocol.md names the code that enforces each rule and the tests
 * that check it. This keeps those names true as code moves: a renamed
 * symbol or a moved file fails here until the doc follows.
 */
const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const references = readDocReferences(readFileSync(`${ROOT}docs/protocol.md`, "utf8"));

describe("docs/protocol.md's references to the code", () => {
  it("are all written as `name` in `src/path.ts`, one module a clause", () => {
    expect(references.unread).toEqual([]);
    expect(references.code.length).toBeGreaterThan(50);
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
    expect(references.tests.length).toBeGreaterThan(20);
    const missing = references.tests
      .filter((test) => !existsSync(`${ROOT}${test.path}`))
      .map((test) => `line ${test.line}: ${test.path}`);
    expect(missing).toEqual([]);
  });
});
