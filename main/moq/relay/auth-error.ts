import { ErrorCode, MoqError } from "../errors.ts";

/** A session or token refused; the message says what to fix. Closes with code 6 Unauthorized. */
export class AuthError extends MoqError {
  constructor(message: string) {
    super(ErrorCode.Unauthorized, message);
    this.name = "AuthError";
  }
}
