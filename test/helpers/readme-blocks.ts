/**
 * The README's shell blocks, in order, for scripts/readme.test.ts. A fenced block whose language is
 * a shell (```sh, ```bash, ```shell) is run unless the line right before its fence (blank lines
 * aside) is a marker a reader does not see:
 *
 *   <!-- readme-test: skip (why it cannot run in CI) -->
 *
 * so a new block is tested by default and a skip always says why.
 */

export type ShellBlock = {
  /** The nearest heading above the block, e.g. "### Try it (curl)". */
  heading: string;
  /** 1-based line of the opening fence. */
  line: number;
  code: string;
  /** The reason given by a skip marker, when there is one. */
  skip?: string;
  /** Error codes the block's comments say it answers, e.g. "→ 403 API_KEY_SCOPE_MISSING". */
  expectedErrors: string[];
};

const SHELL_LANGUAGES = new Set(["sh", "bash", "shell"]);
const MARKER = /^<!--\s*readme-test:\s*(.*?)\s*-->$/;
const SKIP = /^skip\s*\((.+)\)$/;
/** "403 API_KEY_SCOPE_MISSING" inside a comment: a status and an error code the block expects. */
const EXPECTED_ERROR = /\b[1-5]\d\d ([A-Z][A-Z0-9_]{2,})\b/g;

export function readmeShellBlocks(markdown: string): ShellBlock[] {
  const lines = markdown.split("\n");
  const blocks: ShellBlock[] = [];
  let heading = "(top)";
  let pendingMarker: { reason: string; line: number } | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? "";
    const fence = /^(`{3,})(\S*)\s*$/.exec(line);
    if (fence) {
      const close = lines.findIndex(
        (l, j) => j > i && l.startsWith(fence[1] ?? "```") && l.trim() === fence[1],
      );
      if (close === -1) {
        throw new Error(`README.md:${i + 1}: a fenced block that is never closed`);
      }
      const language = fence[2] ?? "";
      if (SHELL_LANGUAGES.has(language)) {
        const code = lines.slice(i + 1, close).join("\n");
        blocks.push({
          heading,
          line: i + 1,
          code,
          skip: pendingMarker?.reason,
          expectedErrors: expectedErrorsOf(code),
        });
      } else if (pendingMarker) {
        throw new Error(
          `README.md:${pendingMarker.line}: a readme-test marker before a block that is not a shell block`,
        );
      }
      pendingMarker = undefined;
      i = close;
      continue;
    }
    if (line.startsWith("#")) {
      heading = line.trim();
    }
    const marker = MARKER.exec(line.trim());
    if (marker) {
      const skip = SKIP.exec(marker[1] ?? "");
      if (!skip) {
        throw new Error(
          `README.md:${i + 1}: write the marker as <!-- readme-test: skip (the reason) --> (got "${line.trim()}")`,
        );
      }
      pendingMarker = { reason: skip[1] ?? "", line: i + 1 };
    } else if (pendingMarker && line.trim() !== "") {
      throw new Error(
        `README.md:${pendingMarker.line}: a readme-test marker must come right before its block`,
      );
    }
  }
  return blocks;
}

/** Codes named with a status in the block's comments (text after a `#` that starts a comment). */
function expectedErrorsOf(code: string): string[] {
  const found = new Set<string>();
  for (const line of code.split("\n")) {
    const comment = /(?:^|\s)#(.*)$/.exec(line)?.[1];
    for (const match of comment?.matchAll(EXPECTED_ERROR) ?? []) {
      found.add(match[1] ?? "");
    }
  }
  return [...found];
}

/**
 * The API's envelopes in a block's output, in order: each `{"success":…}` object curl printed
 * (answers follow one another on a line, or share it with other text).
 */
export function envelopesIn(output: string): { success: boolean; code?: string; raw: string }[] {
  const found: { success: boolean; code?: string; raw: string }[] = [];
  let from = 0;
  for (;;) {
    const start = output.indexOf('{"success":', from);
    if (start === -1) {
      return found;
    }
    const end = endOfJsonObject(output, start);
    const raw = output.slice(start, end);
    from = end;
    try {
      const value = JSON.parse(raw) as { success?: unknown; code?: unknown };
      found.push({
        success: value.success === true,
        code: typeof value.code === "string" ? value.code : undefined,
        raw,
      });
    } catch {
      found.push({ success: false, code: "UNREADABLE_ANSWER", raw });
    }
  }
}

/** Index just past the object that starts at `start` (strings and escapes respected). */
function endOfJsonObject(text: string, start: number): number {
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (ch === "\\") {
        i++;
      } else if (ch === '"') {
        inString = false;
      }
    } else if (ch === '"') {
      inString = true;
    } else if (ch === "{") {
      depth++;
    } else if (ch === "}") {
      depth--;
      if (depth === 0) {
        return i + 1;
      }
    }
  }
  return text.length;
}

/** What went wrong with a block's run, or [] when it ran as the README says. */
export function blockProblems(
  block: ShellBlock,
  run: { code: number | null; output: string; leftRunning: boolean },
): string[] {
  const problems: string[] = [];
  if (run.code !== 0) {
    problems.push(`a command exited with ${run.code}`);
  }
  if (run.leftRunning) {
    problems.push("it left a process running (a block that starts one in the background must stop it)");
  }
  const answers = envelopesIn(run.output);
  for (const answer of answers.filter((a) => !a.success)) {
    if (!block.expectedErrors.includes(answer.code ?? "")) {
      problems.push(`an unexpected error answer: ${answer.raw.slice(0, 400)}`);
    }
  }
  for (const expected of block.expectedErrors) {
    if (!answers.some((a) => !a.success && a.code === expected)) {
      problems.push(`its comments announce ${expected}, which never came`);
    }
  }
  return problems;
}
