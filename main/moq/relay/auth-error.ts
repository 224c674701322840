import { ErrorCode, MoqError } from "../errors.ts";

/**
 * A session or token refused; the message says what to fix. Closes with code 6 Unauthorized, or
 * AUTH_UNAVAILABLE_CODE when the auth server could not decide (as moq-relay does).
 */
export class AuthError extends MoqError {
  constructor(message: string, code: number = ErrorCode.Unauthorized) {
    super(code, message);
    this.name = "AuthError";
  }
}
