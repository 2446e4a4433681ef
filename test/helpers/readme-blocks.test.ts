import { describe, expect, it } from "vitest";
import { blockProblems, envelopesIn, readmeShellBlocks } from "./readme-blocks";

const FENCE = "```";

describe("README shell blocks (scripts/readme.test.ts)", () => {
  it("finds shell blocks in order with their heading, skip reason and announced error codes", () => {
    const markdown = [
      "# Title",
      `${FENCE}sh`,
      "npm start",
      FENCE,
      "## Try it",
      "<!-- readme-test: skip (an interactive session) -->",
      "",
      `${FENCE}bash`,
      "npm run chat",
      FENCE,
      `${FENCE}json`,
      '{ "not": "shell" }',
      FENCE,
      `${FENCE}sh`,
      "curl -s $B/x   # → 403 API_KEY_SCOPE_MISSING: no scope",
      "curl -s $B/y   # 401 INVALID_API_KEY",
      'curl -s -d \'{"a":"#1 200 NOT_A_COMMENT"}\' $B/z',
      FENCE,
    ].join("\n");
    const blocks = readmeShellBlocks(markdown);
    expect(blocks.map((b) => [b.heading, b.line, b.skip])).toEqual([
      ["# Title", 2, undefined],
      ["## Try it", 8, "an interactive session"],
      ["## Try it", 14, undefined],
    ]);
    expect(blocks[2]?.expectedErrors).toEqual(["API_KEY_SCOPE_MISSING", "INVALID_API_KEY"]);
    expect(blocks[0]?.expectedErrors).toEqual([]);
  });

  it("refuses a marker without a reason, one that is not right before its block, or one before another language", () => {
    expect(() => readmeShellBlocks(`<!-- readme-test: skip -->\n${FENCE}sh\nx\n${FENCE}`)).toThrow(
      /the reason/,
    );
    expect(() =>
      readmeShellBlocks(`<!-- readme-test: skip (why) -->\ntext\n${FENCE}sh\nx\n${FENCE}`),
    ).toThrow(/right before its block/);
    expect(() => readmeShellBlocks(`<!-- readme-test: skip (why) -->\n${FENCE}text\nx\n${FENCE}`)).toThrow(
      /not a shell block/,
    );
    expect(() => readmeShellBlocks(`${FENCE}sh\nnever closed`)).toThrow(/never closed/);
  });

  it("reads every answer curl printed, also back to back and inside other text", () => {
    const output =
      '{"success":true,"data":{"note":"a } and a \\" inside"}}{"success":false,"error":"no","code":"INCORRECT_PIN"}\n' +
      'ratelimit-limit: 60\nsaid {"success":false,"error":"x {","code":"RATE_LIMITED","details":{"a":[1,{"b":2}]}} ok';
    expect(envelopesIn(output).map((e) => [e.success, e.code])).toEqual([
      [true, undefined],
      [false, "INCORRECT_PIN"],
      [false, "RATE_LIMITED"],
    ]);
    expect(envelopesIn('{"success":true,"data":')[0]).toMatchObject({
      success: false,
      code: "UNREADABLE_ANSWER",
    });
  });
});

describe("a block's run", () => {
  const [block] = readmeShellBlocks(`${FENCE}sh\ncurl -s $B/w   # → 403 API_KEY_SCOPE_MISSING\n${FENCE}`);
  const refused = '{"success":false,"error":"no scope","code":"API_KEY_SCOPE_MISSING"}';
  const ok = '{"success":true,"data":{}}';

  it("is as written when it exits 0, every error answer is announced and every announced one came", () => {
    if (!block) {
      throw new Error("no block");
    }
    expect(blockProblems(block, { code: 0, output: `${ok}${refused}`, leftRunning: false })).toEqual([]);
  });

  it("fails on an exit code, an unannounced error, an announced error that never came, a process left behind", () => {
    if (!block) {
      throw new Error("no block");
    }
    const wrongPin = '{"success":false,"error":"wrong","code":"INCORRECT_PIN"}';
    expect(blockProblems(block, { code: 7, output: `${ok}${wrongPin}`, leftRunning: true })).toEqual([
      "a command exited with 7",
      "it left a process running (a block that starts one in the background must stop it)",
      `an unexpected error answer: ${wrongPin}`,
      "its comments announce API_KEY_SCOPE_MISSING, which never came",
    ]);
  });
});
