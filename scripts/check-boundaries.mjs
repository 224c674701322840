#!/usr/bin/env node
// Import-boundary lint: every arrow points down. The library (main/moq) knows nothing of the
// app, the app services (main/studio) know nothing of Electron, the renderer never touches Node.
// No dependencies: a small tokenizer finds import/export-from/import()/require() specifiers in
// .ts/.js/.svelte files, skipping comments, strings, template literals and regular expressions,
// so text that merely looks like an import is never reported.
//
// Usage: node scripts/check-boundaries.mjs [root]   (root defaults to the repository)
// Exit: 0 when clean, 1 on violations, 2 when the root cannot be checked.

import { readdirSync, readFileSync, statSync } from "node:fs";
import { isBuiltin } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const SOURCE_EXTENSIONS = [".ts", ".mts", ".cts", ".tsx", ".js", ".mjs", ".cjs", ".jsx", ".svelte"];
const SCANNED_FOLDERS = ["main", "preload", "renderer"];
const SKIPPED_FOLDERS = new Set(["node_modules", "out", "dist"]);

// ---------------------------------------------------------------------------------------------
// Rules. A target is described by `kind` ("electron" | "node" | "package" | "project" | "outside")
// and, for project files, `area` (see areaOf).

const CONTRACT = "main/ipc/contract.ts";

/** Does a project area fall inside one of the named areas? "main/ipc" covers the contract too. */
function inAreas(area, names) {
  return names.some((name) => area === name || area.startsWith(`${name}/`) || (name === "main/ipc" && area === CONTRACT));
}

const RULES = [
  {
    from: "main/moq",
    check(target) {
      const denied = ["main/studio", "main/ipc", "main/cli", "main/index.ts", "preload", "renderer"];
      if (target.kind === "electron" || (target.kind === "project" && inAreas(target.area, denied))) {
        return "main/moq is the MoQ library: no Electron and no app code (studio, ipc, cli, main/index.ts, preload, renderer)";
      }
      return null;
    },
  },
  {
    from: "main/studio",
    check(target) {
      const denied = ["main/ipc", "main/cli", "main/index.ts", "preload", "renderer"];
      if (target.kind === "electron" || (target.kind === "project" && inAreas(target.area, denied))) {
        return "main/studio is app services without Electron: no electron, ipc, cli, main/index.ts, preload, renderer";
      }
      return null;
    },
  },
  {
    from: "main/cli",
    check(target) {
      if (target.kind === "electron" || (target.kind === "project" && inAreas(target.area, ["preload", "renderer"]))) {
        return "main/cli runs on plain Node: no electron, preload or renderer";
      }
      return null;
    },
  },
  {
    from: CONTRACT,
    check() {
      return "main/ipc/contract.ts is shared verbatim with preload and renderer: it imports nothing";
    },
  },
  {
    from: "preload",
    check(target, typeOnly) {
      if (target.kind === "electron") return null;
      if (target.kind === "project" && inAreas(target.area, ["preload"])) return null;
      if (target.kind === "project" && target.area === CONTRACT) {
        return typeOnly ? null : "preload may use main/ipc/contract.ts through `import type` only";
      }
      return "preload exposes only the contract: it may import electron and main/ipc/contract.ts types, nothing else";
    },
  },
  {
    from: "renderer",
    check(target, typeOnly) {
      if (target.kind === "node") return "renderer never touches Node: no Node built-in modules";
      if (target.kind === "electron") return "renderer never touches Node: no electron (use the window.moqscope API)";
      if (target.kind !== "project") return null;
      if (target.area === CONTRACT) {
        return typeOnly ? null : "renderer may use main/ipc/contract.ts through `import type` only";
      }
      if (target.area === "main" || target.area.startsWith("main/") || inAreas(target.area, ["main/index.ts", "preload"])) {
        return "renderer talks only to the API object: nothing from main/** (except contract types) or preload";
      }
      return null;
    },
  },
];

/**
 * The area a root-relative path belongs to: "main/index.ts", "main/ipc/contract.ts", "main/moq",
 * "main/studio", "main/ipc", "main/cli", "preload", "renderer", "main" (other files under main/),
 * or the path itself. Extensions are ignored, so "../index.js" and "../index" name main/index.ts.
 */
function areaOf(relativePath) {
  const bare = relativePath.replace(/\/+$/, "").replace(/(\.d)?\.(ts|mts|cts|tsx|js|mjs|cjs|jsx|svelte|json)$/, "");
  if (bare === "main" || bare === "main/index") return "main/index.ts";
  if (bare === "main/ipc/contract") return CONTRACT;
  for (const area of ["main/moq", "main/studio", "main/ipc", "main/cli", "preload", "renderer"]) {
    if (bare === area || bare.startsWith(`${area}/`)) return area;
  }
  if (bare.startsWith("main/")) return "main";
  return bare;
}

function ruleFor(fileArea) {
  return RULES.find((rule) => rule.from === fileArea);
}

/** Classifies an import specifier as seen from a root-relative file path. */
function classify(spec, fromFile) {
  if (spec === "electron" || spec.startsWith("electron/")) return { kind: "electron" };
  if (spec.startsWith("node:") || isBuiltin(spec)) return { kind: "node" };
  if (spec.startsWith(".") || spec.startsWith("/")) {
    const resolved = spec.startsWith("/")
      ? spec
      : path.posix.normalize(path.posix.join(path.posix.dirname(fromFile), spec));
    if (resolved === ".." || resolved.startsWith("../") || resolved.startsWith("/")) return { kind: "outside" };
    return { kind: "project", area: areaOf(resolved) };
  }
  return { kind: "package" };
}

// ---------------------------------------------------------------------------------------------
// Tokenizer: just enough JavaScript/TypeScript lexing to tell code from comments and literals.

const KEYWORDS_BEFORE_EXPRESSION = new Set([
  "return", "typeof", "case", "do", "else", "in", "of", "new", "delete", "void", "throw",
  "instanceof", "yield", "await",
]);

function isIdentifierStart(ch) {
  return /[A-Za-z_$]/.test(ch) || ch > "\x7f";
}

function isIdentifierPart(ch) {
  return /[\w$]/.test(ch) || ch > "\x7f";
}

/** Would a "/" after this token start a regular expression (rather than divide)? */
function regexCanFollow(previous) {
  if (!previous) return true;
  if (previous.type === "punct") return !")]}".includes(previous.value);
  if (previous.type === "id") return KEYWORDS_BEFORE_EXPRESSION.has(previous.value);
  return false;
}

/**
 * Splits source into identifier, string, number, template and punctuation tokens with line
 * numbers. Comments and regular expressions are dropped; template literals become one token per
 * literal piece while the code inside `${…}` is tokenized normally.
 */
export function tokenize(code) {
  const tokens = [];
  const braces = []; // "{" for a block, "${" for a template substitution
  let i = 0;
  let line = 1;
  const n = code.length;

  const countLines = (from, to) => {
    for (let k = from; k < to; k++) if (code[k] === "\n") line++;
  };

  // Scans template text from i (just past "`" or the "}" closing a substitution).
  const readTemplate = () => {
    const startLine = line;
    while (i < n) {
      const ch = code[i];
      if (ch === "\\") {
        countLines(i, i + 2);
        i += 2;
      } else if (ch === "`") {
        i++;
        tokens.push({ type: "template", value: "", line: startLine });
        return;
      } else if (ch === "$" && code[i + 1] === "{") {
        i += 2;
        braces.push("${");
        tokens.push({ type: "template", value: "", line: startLine });
        return;
      } else {
        if (ch === "\n") line++;
        i++;
      }
    }
  };

  while (i < n) {
    const ch = code[i];
    if (ch === "\n") {
      line++;
      i++;
    } else if (ch === " " || ch === "\t" || ch === "\r" || ch === "\f" || ch === "\v" || ch === "\ufeff" || ch === "\u00a0") {
      i++;
    } else if (ch === "/" && code[i + 1] === "/") {
      while (i < n && code[i] !== "\n") i++;
    } else if (ch === "/" && code[i + 1] === "*") {
      const end = code.indexOf("*/", i + 2);
      const stop = end === -1 ? n : end + 2;
      countLines(i, stop);
      i = stop;
    } else if (ch === '"' || ch === "'") {
      // Strings end at their quote or, if unterminated, at the line end (limits damage).
      let value = "";
      let k = i + 1;
      while (k < n && code[k] !== ch && code[k] !== "\n") {
        if (code[k] === "\\" && k + 1 < n) {
          if (code[k + 1] === "\n") line++;
          value += code[k + 1];
          k += 2;
        } else {
          value += code[k];
          k++;
        }
      }
      tokens.push({ type: "string", value, line });
      i = code[k] === ch ? k + 1 : k;
    } else if (ch === "`") {
      i++;
      readTemplate();
    } else if (ch === "}" && braces.at(-1) === "${") {
      braces.pop();
      i++;
      readTemplate();
    } else if (ch === "/" && regexCanFollow(tokens.at(-1))) {
      // Regular expression literal: skip to the closing "/" outside a character class.
      let k = i + 1;
      let inClass = false;
      while (k < n && code[k] !== "\n") {
        const c = code[k];
        if (c === "\\") k++;
        else if (c === "[") inClass = true;
        else if (c === "]") inClass = false;
        else if (c === "/" && !inClass) break;
        k++;
      }
      k++;
      while (k < n && isIdentifierPart(code[k])) k++; // flags
      tokens.push({ type: "regex", value: "", line });
      i = k;
    } else if (isIdentifierStart(ch)) {
      let k = i + 1;
      while (k < n && isIdentifierPart(code[k])) k++;
      tokens.push({ type: "id", value: code.slice(i, k), line });
      i = k;
    } else if (/[0-9]/.test(ch)) {
      let k = i + 1;
      while (k < n && /[\w.]/.test(code[k])) k++;
      tokens.push({ type: "number", value: code.slice(i, k), line });
      i = k;
    } else {
      if (ch === "{") braces.push("{");
      else if (ch === "}") braces.pop();
      tokens.push({ type: "punct", value: ch, line });
      i++;
    }
  }
  return tokens;
}

// ---------------------------------------------------------------------------------------------
// Import extraction.

const isPunct = (token, value) => token?.type === "punct" && token.value === value;
const isId = (token, value) => token?.type === "id" && token.value === value;

/**
 * Every module specifier a file names, with its line and whether it is erased at compile time
 * (`import type`, `export type … from`, `typeof import(…)`).
 */
export function findImports(code) {
  const tokens = tokenize(code);
  const found = [];
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    if (token.type !== "id") continue;
    // `x.import` / `x?.require` are property names, not the keywords (`...require(…)` is a spread).
    if (isPunct(tokens[i - 1], ".") && !isPunct(tokens[i - 2], ".")) continue;
    if (token.value === "import") {
      const next = tokens[i + 1];
      if (isPunct(next, "(")) {
        // Dynamic import; only literal specifiers can be checked.
        if (tokens[i + 2]?.type === "string" && (isPunct(tokens[i + 3], ")") || isPunct(tokens[i + 3], ","))) {
          found.push({ spec: tokens[i + 2].value, line: token.line, typeOnly: isId(tokens[i - 1], "typeof") });
        }
        continue;
      }
      if (isPunct(next, ".")) continue; // import.meta
      const typeOnly = isId(next, "type") && !isPunct(tokens[i + 2], ",") && !(isId(tokens[i + 2], "from") && tokens[i + 3]?.type === "string");
      const spec = specifierAfter(tokens, i + 1);
      if (spec) found.push({ spec: spec.value, line: token.line, typeOnly });
    } else if (token.value === "export") {
      let k = i + 1;
      const typeOnly = isId(tokens[k], "type");
      if (typeOnly) k++;
      if (!isPunct(tokens[k], "*") && !isPunct(tokens[k], "{")) continue; // export const/default/…
      const spec = specifierAfter(tokens, k);
      if (spec) found.push({ spec: spec.value, line: token.line, typeOnly });
    } else if (token.value === "require") {
      if (isPunct(tokens[i + 1], "(") && tokens[i + 2]?.type === "string" && isPunct(tokens[i + 3], ")")) {
        found.push({ spec: tokens[i + 2].value, line: token.line, typeOnly: false });
      }
    }
  }
  return found;
}

/**
 * From the token after `import`/`export`, the specifier string of a static import or re-export:
 * either a string right away (`import "x"`) or the string after `from` outside braces. Stops at
 * the end of the statement, so `export { a };` and `import x = require(…)` yield nothing here.
 */
function specifierAfter(tokens, start) {
  if (tokens[start]?.type === "string") return tokens[start];
  let depth = 0;
  for (let k = start; k < tokens.length; k++) {
    const token = tokens[k];
    if (isPunct(token, "{")) depth++;
    else if (isPunct(token, "}")) {
      depth--;
      if (depth < 0) return null;
    } else if (depth === 0) {
      if (isId(token, "from") && tokens[k + 1]?.type === "string") return tokens[k + 1];
      if (isPunct(token, ";") || isPunct(token, "=") || isPunct(token, "(")) return null;
      if (isId(token, "import") || isId(token, "export")) return null;
    }
  }
  return null;
}

/**
 * Keeps only the <script> contents of a Svelte component, with everything else blanked but line
 * breaks kept, so reported line numbers match the .svelte file.
 */
export function svelteScripts(source) {
  const blank = (text) => text.replace(/[^\n]/g, " ");
  let out = "";
  let last = 0;
  for (const match of source.matchAll(/(<script\b[^>]*>)([\s\S]*?)<\/script\s*>/gi)) {
    const contentStart = match.index + match[1].length;
    out += blank(source.slice(last, contentStart)) + match[2];
    last = contentStart + match[2].length;
  }
  return out + blank(source.slice(last));
}

// ---------------------------------------------------------------------------------------------
// Walking the tree and reporting.

function listSources(root) {
  const files = [];
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name.startsWith(".") || SKIPPED_FOLDERS.has(entry.name)) continue;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile() && SOURCE_EXTENSIONS.some((ext) => entry.name.endsWith(ext))) files.push(full);
    }
  };
  for (const folder of SCANNED_FOLDERS) {
    const full = path.join(root, folder);
    if (statSync(full, { throwIfNoEntry: false })?.isDirectory()) walk(full);
  }
  return files.sort();
}

/** Checks a tree; returns the violations as printable lines and what was looked at. */
export function checkBoundaries(root) {
  const violations = [];
  let importCount = 0;
  const files = listSources(root);
  for (const file of files) {
    const relative = path.relative(root, file).split(path.sep).join("/");
    const fileArea = areaOf(relative);
    const rule = ruleFor(fileArea);
    const source = readFileSync(file, "utf8");
    const code = file.endsWith(".svelte") ? svelteScripts(source) : source;
    for (const { spec, line, typeOnly } of findImports(code)) {
      importCount++;
      if (!rule) continue;
      const problem = rule.check(classify(spec, relative), typeOnly);
      if (problem) violations.push(`${relative}:${line}: ${fileArea} imports ${spec} (rule: ${problem})`);
    }
  }
  return { violations, fileCount: files.length, importCount };
}

function main(argv) {
  const defaultRoot = fileURLToPath(new URL("..", import.meta.url));
  const root = path.resolve(argv[0] ?? defaultRoot);
  if (!SCANNED_FOLDERS.some((folder) => statSync(path.join(root, folder), { throwIfNoEntry: false })?.isDirectory())) {
    console.error(`check-boundaries: ${root} has none of ${SCANNED_FOLDERS.join(", ")}; nothing to check`);
    return 2;
  }
  const { violations, fileCount, importCount } = checkBoundaries(root);
  for (const violation of violations) console.log(violation);
  if (violations.length > 0) {
    console.log(`check-boundaries: ${violations.length} violation(s) in ${fileCount} files`);
    return 1;
  }
  console.log(`check-boundaries: OK (${fileCount} files, ${importCount} imports checked)`);
  return 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = main(process.argv.slice(2));
}
