// Messages from the UI are untrusted input: a compromised or buggy renderer can send any channel
// name and any structured-clonable value. Everything is checked here before a handler sees it,
// and every rejection names the offending field so the UI developer can see what was wrong.

import type { InvokeArgs, InvokeChannel, InvokeContract, SessionStateRequest } from "./contract.ts";

/** A request from the UI that does not match the contract. */
export class IpcValidationError extends Error {
  override readonly name = "IpcValidationError";
  /** Path of the offending value, e.g. "channel" or "session:state request.connectionId". */
  readonly field: string;

  constructor(field: string, problem: string) {
    super(`${field}: ${problem}`);
    this.field = field;
  }
}

/** A request that passed validation, with its channel and arguments correlated. */
export type ValidInvoke = {
  [C in InvokeChannel]: { channel: C; args: InvokeArgs<C> };
}[InvokeChannel];

const MAX_CONNECTION_ID_LENGTH = 128;

type ArgsValidator<C extends InvokeChannel> = (args: readonly unknown[]) => InvokeArgs<C>;

// One entry per channel; the mapped type makes a missing channel a compile error.
const VALIDATORS: { [C in InvokeChannel]: ArgsValidator<C> } = {
  "app:info": (args) => {
    expectArgCount("app:info", args, 0, 0);
    return [];
  },
  "session:state": (args) => {
    expectArgCount("session:state", args, 0, 1);
    if (args[0] === undefined) return [];
    return [sessionStateRequest(args[0])];
  },
};

/** Checks a channel name and its arguments, as received from the UI. Throws IpcValidationError. */
export function validateInvoke(channel: unknown, args: unknown): ValidInvoke {
  const checked = validateChannel(channel);
  if (!Array.isArray(args))
    throw new IpcValidationError(`${checked} arguments`, `must be an array (got ${describe(args)})`);
  return { channel: checked, args: validateArgs(checked, args) } as ValidInvoke;
}

/** Checks that `channel` is one the contract knows. */
export function validateChannel(channel: unknown): InvokeChannel {
  if (typeof channel !== "string")
    throw new IpcValidationError("channel", `must be a string (got ${describe(channel)})`);
  // Own-property check, so "toString" or "__proto__" are unknown like any other name.
  if (!Object.hasOwn(VALIDATORS, channel)) {
    throw new IpcValidationError("channel", `${JSON.stringify(truncate(channel))} is not a channel of the contract`);
  }
  return channel as InvokeChannel;
}

/** Checks the arguments for a channel already known to be valid. */
export function validateArgs<C extends InvokeChannel>(channel: C, args: readonly unknown[]): InvokeArgs<C> {
  const validator = VALIDATORS[channel] as ArgsValidator<C>;
  return validator(args);
}

function sessionStateRequest(value: unknown): SessionStateRequest {
  const where = "session:state request";
  const record = plainObject(where, value, ["connectionId"] satisfies (keyof SessionStateRequest)[]);
  const request: SessionStateRequest = {};
  if (record.connectionId !== undefined) {
    request.connectionId = boundedString(`${where}.connectionId`, record.connectionId, MAX_CONNECTION_ID_LENGTH);
  }
  return request;
}

function expectArgCount(channel: keyof InvokeContract, args: readonly unknown[], min: number, max: number): void {
  if (args.length < min || args.length > max) {
    const expected = min === max ? `${min}` : `${min} to ${max}`;
    throw new IpcValidationError(`${channel} arguments`, `expected ${expected}, got ${args.length}`);
  }
}

/** A plain data object with only the allowed keys (structured clone never yields class instances we trust). */
function plainObject(field: string, value: unknown, allowedKeys: readonly string[]): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new IpcValidationError(field, `must be an object (got ${describe(value)})`);
  }
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) {
    throw new IpcValidationError(field, "must be a plain object");
  }
  for (const key of Object.keys(value)) {
    if (!allowedKeys.includes(key)) {
      throw new IpcValidationError(`${field}.${truncate(key)}`, "is not an allowed field");
    }
  }
  return value as Record<string, unknown>;
}

function boundedString(field: string, value: unknown, maxLength: number): string {
  if (typeof value !== "string") throw new IpcValidationError(field, `must be a string (got ${describe(value)})`);
  if (value.length === 0 || value.length > maxLength) {
    throw new IpcValidationError(field, `must be 1 to ${maxLength} characters long (got ${value.length})`);
  }
  return value;
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value;
}

// Names echoed back in errors come from the untrusted side; keep them short.
function truncate(text: string): string {
  return text.length > 64 ? `${text.slice(0, 64)}…` : text;
}
