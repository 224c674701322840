import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);

// `npm test` builds first; this checks the built CLI that `npx moqscope` runs.
describe("the built moqscope binary", () => {
  it("exists after npm run build", () => {
    expect(existsSync("out/main/cli.js"), "run `npm run build` before the tests").toBe(true);
  });

  it("prints help listing the commands", async () => {
    const { stdout } = await run(process.execPath, ["bin/moqscope.js", "--help"]);
    for (const command of ["sub", "pub", "inspect", "probe"]) expect(stdout).toContain(`  ${command}`);
  });

  it("exits 2 with a usage line on an unknown command", async () => {
    const err = await run(process.execPath, ["bin/moqscope.js", "frobnicate"]).catch(
      (e: { code: number; stderr: string }) => e,
    );
    expect(err).toMatchObject({ code: 2 });
    expect((err as { stderr: string }).stderr).toMatch(/usage/i);
  });
});
