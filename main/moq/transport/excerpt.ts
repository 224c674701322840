// What a server that is not a moq-lite relay answered, in a few words that fit in one line of an
// error message: a web page's title or the start of its text, never its markup or line breaks.

const DEFAULT_MAX = 60;

/** `an HTML page ("Welcome to nginx!")`, `"some text…"`, or "" for an empty body. */
export function describeBody(body: string, max = DEFAULT_MAX): string {
  const trimmed = body.trim();
  if (trimmed === "") return "";
  if (!/^</.test(trimmed)) return quoted(trimmed, max);
  const title = /<title[^>]*>([\s\S]*?)<\/title>/i.exec(trimmed)?.[1];
  const text = title ?? trimmed.replace(/<(script|style)[\s\S]*?<\/\1>/gi, " ").replace(/<[^>]*>?/g, " ");
  const excerpt = quoted(text, max);
  return excerpt ? `an HTML page (${excerpt})` : "an HTML page";
}

/** The text on one line without control characters or angle brackets, cut to `max` characters. */
function quoted(text: string, max: number): string {
  const clean = text
    .replace(/[\u0000-\u001f\u007f-\u009f<>]/g, " ")
    .replace(/\s+/g, " ")
    .trim();
  if (clean === "") return "";
  const chars = [...clean];
  return JSON.stringify(chars.length > max ? `${chars.slice(0, max - 1).join("")}…` : clean);
}
