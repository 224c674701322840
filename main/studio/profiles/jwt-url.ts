// Relay URLs carry their token as `?jwt=…` (moq-relay's convention). Profiles keep the token apart
// from the URL so that the URL can be shown, logged and screenshotted.

/** The URL without its `jwt` parameter, and that parameter's value (null when absent). */
export function splitJwt(url: string): { url: string; jwt: string | null } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { url, jwt: null };
  }
  const jwt = parsed.searchParams.get("jwt");
  if (jwt === null) return { url, jwt: null };
  parsed.searchParams.delete("jwt");
  return { url: parsed.href, jwt: jwt === "" ? null : jwt };
}

/** `url` with any jwt value replaced by "…", for messages; works on text that is not a URL too. */
export function redactJwt(url: string): string {
  return url.replace(/([?&]jwt=)[^&#]*/gi, "$1…");
}
