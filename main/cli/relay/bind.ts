// --bind HOST:PORT for `moqscope relay`: IPv4, a name, or [IPv6]; the port may be 0 (any free one).

import { UsageError } from "../errors.ts";

export const DEFAULT_BIND = "127.0.0.1:4443";

export interface BindAddress {
  host: string;
  port: number;
}

export function parseBind(text: string, flag = "--bind"): BindAddress {
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(text) ?? /^([^:[\]]+):(\d+)$/.exec(text);
  if (!m) throw new UsageError(`${flag} wants HOST:PORT (e.g. 127.0.0.1:4443 or [::1]:4443), got "${text}"`, "relay");
  const port = Number(m[2]);
  if (!Number.isInteger(port) || port > 65535)
    throw new UsageError(`${flag} port must be 0-65535, got ${m[2]}`, "relay");
  return { host: m[1]!, port };
}

export { isLoopback } from "../../moq/node.ts";
