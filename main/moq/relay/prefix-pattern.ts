// moq-relay 0.17 and moq-auth grant by path pattern (`*` one segment, `pre*suf`, `**` any depth;
// "" only the root itself). This relay grants by prefix, so it takes the patterns that are
// prefixes and refuses the others by name rather than widen or narrow them.

/** `**` → "" (everything), `a/b/**` → "a/b" (a/b and below); undefined for any other pattern. */
export function patternPrefix(pattern: string): string | undefined {
  if (pattern === "**") return "";
  if (!pattern.endsWith("/**")) return undefined;
  const head = pattern.slice(0, -3);
  return head.includes("*") ? undefined : head;
}

/** What to say about a pattern patternPrefix() refused. */
export function unsupportedPattern(pattern: string): string {
  const hint =
    pattern === ""
      ? ' (moq-relay reads "" as the root broadcast only; write "**" for everything)'
      : !pattern.includes("*")
        ? ` (a pattern without a wildcard names one broadcast; write "${pattern}/**" for everything under it)`
        : "";
  return `pattern ${JSON.stringify(pattern)} cannot be granted: this relay grants by prefix, so only "**" and "prefix/**" patterns are supported${hint}`;
}
