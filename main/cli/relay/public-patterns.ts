// --auth-public* values as moq-relay 0.17 reads them: repeatable, comma-separated path patterns
// from the relay's root. A pattern without a wildcard is refused, as moq-relay refuses it: 0.14
// read `anon` as a prefix, 0.17 reads it as one broadcast, and a silent change of meaning would
// open or close the wrong paths.

import { Pattern, PatternError } from "../../moq/node.ts";
import { UsageError } from "../errors.ts";

export function publicPatterns(values: readonly string[] | undefined, flag: string): string[] {
  const texts = (values ?? []).flatMap((v) => v.split(",")).map((t) => t.trim());
  return texts.map((text) => {
    let pattern: Pattern;
    try {
      pattern = Pattern.parse(text);
    } catch (err) {
      if (err instanceof PatternError) throw new UsageError(`${flag}: ${err.message}`, "relay");
      throw err;
    }
    if (pattern.isLiteral) {
      const hint = text === "" ? '"**" for everything' : `"${text}/**" for ${text} and everything under it`;
      throw new UsageError(
        `${flag}: pattern ${JSON.stringify(text)} has no wildcard, so it would name one broadcast only; write ${hint}`,
        "relay",
      );
    }
    return String(pattern);
  });
}
