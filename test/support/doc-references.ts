import { readFileSync } from "node:fs";
import ts from "typescript";

/** One clause of an "Enforced by:" list: the names it gives and the module that holds them. */
export interface CodeReference {
  /** `name` or `Class.member`, as written. */
  readonly names: readonly string[];
  readonly path: string;
  /** Where its paragraph starts, for the failure message. */
  readonly line: number;
}

export interface DocReferences {
  readonly code: readonly CodeReference[];
  /** Files named after "Tested in:". */
  readonly tests: ReadonlyArray<{ readonly path: string; readonly line: number }>;
  /** Clauses that do not name exactly one module, which the checks could not read. */
  readonly unread: readonly string[];
}

const ENFORCED = "Enforced by:";
const TESTED = "Tested in:";

/**
 * The references of docs/protocol.md, written as "`name` in `src/path.ts`",
 * "`a`, `b` and `c` in `src/path.ts`" or "the `Beacon` constructor in
 * `src/beacon/beacon.ts`", separated by semicolons after "Enforced by:" and
 * running to "Tested in:" or the paragraph's end. Words in parentheses that
 * hold no code, such as "(over capacity)", are notes, not references.
 */
export function readDocReferences(markdown: string): DocReferences {
  const code: CodeReference[] = [];
  const tests: Array<{ path: string; line: number }> = [];
  const unread: string[] = [];
  for (const { text, line } of paragraphs(markdown)) {
    const enforced = text.indexOf(ENFORCED);
    if (enforced < 0) continue;
    const tested = text.indexOf(TESTED, enforced);
    const clauses = text.slice(enforced + ENFORCED.length, tested < 0 ? undefined : tested);
    for (const clause of clauses.replace(/\s*\([^()`]*\)/g, "").split(";")) {
      const tokens = [...clause.matchAll(/`([^`]+)`/g)].map((match) => match[1] ?? "");
      const paths = tokens.filter((token) => token.startsWith("src/"));
      const [path] = paths;
      if (paths.length !== 1 || path === undefined) unread.push(`line ${line}: ${clause.trim()}`);
      else code.push({ names: tokens.filter((token) => !token.startsWith("src/")), path, line });
    }
    if (tested < 0) continue;
    for (const match of text.slice(tested).matchAll(/`(test\/[^`]+)`/g)) tests.push({ path: match[1] ?? "", line });
  }
  return { code, tests, unread };
}

/** Paragraphs (runs of non-blank lines) joined into one line each, with the line each starts on. */
function paragraphs(markdown: string): Array<{ text: string; line: number }> {
  const found: Array<{ text: string; line: number }> = [];
  let lines: string[] = [];
  let start = 0;
  markdown.split("\n").forEach((lineText, index) => {
    if (lineText.trim() === "") {
      if (lines.length > 0) found.push({ text: lines.join(" "), line: start + 1 });
      lines = [];
      return;
    }
    if (lines.length === 0) start = index;
    lines.push(lineText.trim());
  });
  if (lines.length > 0) found.push({ text: lines.join(" "), line: start + 1 });
  return found;
}

/**
 * Whether the TypeScript module at `file` exports `name`, or, for
 * `Outer.inner`, exports `Outer` with a member `inner` (a class's method or
 * property, a const object's key, an interface's or enum's member).
 */
export function exportsName(file: string, name: string): boolean {
  const [outer = "", inner] = name.split(".");
  const declaration = exportsOf(file).get(outer);
  if (declaration === undefined) return false;
  return inner === undefined || memberNames(declaration).includes(inner);
}

const parsed = new Map<string, Map<string, ts.Node>>();

/** A module's exported declarations by name, parsed once per file. */
function exportsOf(file: string): Map<string, ts.Node> {
  let found = parsed.get(file);
  if (found === undefined) {
    const source = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true);
    found = exportedDeclarations(source);
    parsed.set(file, found);
  }
  return found;
}

function exportedDeclarations(source: ts.SourceFile): Map<string, ts.Node> {
  const found = new Map<string, ts.Node>();
  for (const statement of source.statements) {
    if (ts.isExportDeclaration(statement) && statement.exportClause && ts.isNamedExports(statement.exportClause)) {
      for (const element of statement.exportClause.elements) found.set(element.name.text, element);
      continue;
    }
    const exported = ts.canHaveModifiers(statement)
      ? (ts.getModifiers(statement) ?? []).some((modifier) => modifier.kind === ts.SyntaxKind.ExportKeyword)
      : false;
    if (!exported) continue;
    if (ts.isVariableStatement(statement)) {
      for (const variable of statement.declarationList.declarations) {
        if (ts.isIdentifier(variable.name)) found.set(variable.name.text, variable);
      }
    } else if (
      (ts.isFunctionDeclaration(statement) ||
        ts.isClassDeclaration(statement) ||
        ts.isInterfaceDeclaration(statement) ||
        ts.isTypeAliasDeclaration(statement) ||
        ts.isEnumDeclaration(statement)) &&
      statement.name !== undefined
    ) {
      found.set(statement.name.text, statement);
    }
  }
  return found;
}

function memberNames(declaration: ts.Node): string[] {
  let members: ReadonlyArray<ts.NamedDeclaration> = [];
  if (ts.isClassDeclaration(declaration) || ts.isInterfaceDeclaration(declaration)) members = declaration.members;
  else if (ts.isEnumDeclaration(declaration)) members = declaration.members;
  else if (ts.isVariableDeclaration(declaration) && declaration.initializer !== undefined) {
    const value = unwrap(declaration.initializer);
    if (ts.isObjectLiteralExpression(value)) members = value.properties;
  }
  return members.flatMap((member) => {
    const name = member.name;
    return name !== undefined && (ts.isIdentifier(name) || ts.isStringLiteral(name)) ? [name.text] : [];
  });
}

/** `{...} as const`, `{...} satisfies T` and `({...})` are the object itself. */
function unwrap(expression: ts.Expression): ts.Expression {
  if (
    ts.isAsExpression(expression) ||
    ts.isSatisfiesExpression(expression) ||
    ts.isParenthesizedExpression(expression)
  ) {
    return unwrap(expression.expression);
  }
  return expression;
}
