// How a command tells the ways a session can end apart: the server closing it (with its code and
// reason) and the connection dropping under it (the server process killed).

import { afterEach, describe, expect, it } from "vitest";
import { ErrorCode } from "../../../main/moq/errors.ts";
import { within } from "../../helpers/wait.ts";
import { killAll, startCli, startCliServer, startServerProcess } from "./helpers.ts";

afterEach(() => killAll());

describe("the end of a session", () => {
  it(
    "the server process killed outright: the connection was lost, not closed by the server",
    { timeout: 60_000 },
    async () => {
      const server = await startServerProcess();
      const cli = startCli(["inspect", server.ws]);
      await cli.line((l) => l.startsWith("connected:"), "the connection");
      server.child.kill("SIGKILL");
      const result = await within(cli.exited, 30_000, "inspect to exit");
      expect(result.code).toBe(1);
      expect(result.stderr).toContain("lost the connection to the server");
      expect(result.stderr).not.toContain("the server closed the session");
    },
  );

  it("the server closing the session: said so, with its code and reason", { timeout: 60_000 }, async () => {
    const server = await startCliServer();
    try {
      const cli = startCli(["inspect", server.ws]);
      await cli.line((l) => l.startsWith("connected:"), "the connection");
      (await server.nextSession()).closeWithError(ErrorCode.Unauthorized, "token expired");
      const result = await within(cli.exited, 30_000, "inspect to exit");
      expect(result.code).toBe(1);
      expect(result.stderr).toContain("the server closed the session with 6 Unauthorized");
      expect(result.stderr).toContain('("token expired")');
      expect(result.stderr).not.toContain("lost the connection");
    } finally {
      await server.close();
    }
  });
});
