import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** The command that runs `bin/harness.mjs` on the runtime running this test. */
export function harnessCommand(): { command: string; args: string[] } {
  const entry = join(repoRoot, "bin", "harness.mjs");
  const deno = (globalThis as unknown as { Deno?: { execPath(): string } }).Deno;
  if (deno) return { command: deno.execPath(), args: ["run", "-A", entry] };
  return { command: process.execPath, args: [entry] };
}

export interface HarnessProcess {
  child: ChildProcess;
  /** Resolves with the port of the metrics server once the harness prints it. */
  port: Promise<number>;
  /** Resolves when the process exits, with its code and output. */
  exited: Promise<{ code: number | null; stdout: string; stderr: string }>;
  stdout(): string;
  stderr(): string;
  /**
   * Sends `signal` to the process. It goes through `process.kill` because Deno's
   * `child.kill()` makes the exit look signal-caused even when the child exits with a code.
   */
  signal(signal: "SIGINT" | "SIGTERM"): void;
}

/** Starts the harness with `args`; a hard `timeoutMs` kills it so no test can hang. */
export function startHarness(
  args: string[],
  options: { env?: Record<string, string>; timeoutMs?: number; cwd?: string } = {},
): HarnessProcess {
  const { command, args: prefix } = harnessCommand();
  const child = spawn(command, [...prefix, ...args], {
    cwd: options.cwd ?? repoRoot,
    env: { ...process.env, NO_COLOR: "1", ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  let resolvePort!: (port: number) => void;
  let rejectPort!: (error: Error) => void;
  const port = new Promise<number>(
    (resolve, reject) => ((resolvePort = resolve), (rejectPort = reject)),
  );
  port.catch(() => {});
  child.stdout!.on("data", (chunk) => (stdout += chunk));
  child.stderr!.on("data", (chunk) => {
    stderr += chunk;
    const match = /metrics and status on http:\/\/[^\s]+:(\d+)/.exec(stderr);
    if (match) resolvePort(Number(match[1]));
  });
  const killer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 60_000);
  const exited = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    child.on("close", (code) => {
      clearTimeout(killer);
      rejectPort(new Error(`harness exited (${code}) before printing its address:\n${stderr}`));
      resolve({ code, stdout, stderr });
    });
  });
  return {
    child,
    port,
    exited,
    stdout: () => stdout,
    stderr: () => stderr,
    signal: (signal) => void process.kill(child.pid!, signal),
  };
}

/** Runs the harness to its end. */
export function runHarness(
  args: string[],
  options: { env?: Record<string, string>; timeoutMs?: number; cwd?: string } = {},
) {
  return startHarness(args, options).exited;
}

/** Writes `files` (name to content) into a new temporary folder and returns its path. */
export function scenarioFolder(files: Record<string, string>): string {
  const folder = mkdtempSync(join(tmpdir(), "harness-test-"));
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(dirname(join(folder, name)), { recursive: true });
    writeFileSync(join(folder, name), content);
  }
  return folder;
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
