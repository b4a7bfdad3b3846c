// Child processes of `npm run bench`: the target server, the probes on each runtime, and the
// start-to-first-request timing. Everything listens on 127.0.0.1 only.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { join } from "node:path";

export type RuntimeName = "node" | "bun" | "deno";

export const repoRoot = join(import.meta.dirname, "..", "..");
const bin = (name: string) => join(repoRoot, "node_modules", ".bin", name);
export const bunPath = bin("bun");
export const denoPath = bin("deno");

/** Returns the command that runs the TypeScript `file` on `runtime`, with `gc()` exposed. */
export function runtimeCommand(runtime: RuntimeName, file: string): string[] {
  switch (runtime) {
    case "node":
      return [process.execPath, "--expose-gc", join(repoRoot, "bin", "run-ts.mjs"), file];
    case "bun":
      return [bunPath, file];
    case "deno":
      return [denoPath, "run", "-A", "--v8-flags=--expose-gc", file];
  }
}

/** The version line of `runtime`, or why it could not be read. */
export function runtimeVersion(runtime: RuntimeName): string {
  if (runtime === "node") return process.version;
  const command = runtime === "bun" ? bunPath : denoPath;
  const result = spawnSync(command, ["--version"], { encoding: "utf8", timeout: 10_000 });
  return (result.stdout || result.stderr || String(result.error)).split("\n")[0]!.trim();
}

/** True when `taskset` can pin a process to one CPU on this machine. */
export const canPin =
  existsSync("/usr/bin/taskset") && spawnSync("taskset", ["-c", "0", "true"]).status === 0;

export interface ProbeRun {
  results: unknown[];
  stderr: string;
}

/**
 * Runs `probes` (name and arguments) in one process on `runtime`, in order, and returns
 * their results. `pinToCpu` runs the process on that CPU only. A probe process that
 * outlives `timeoutMs` is killed, and the promise rejects.
 */
export function runProbes(
  runtime: RuntimeName,
  probes: Array<[string, Record<string, unknown>]>,
  options: { timeoutMs: number; pinToCpu?: number },
): Promise<ProbeRun> {
  const command = runtimeCommand(runtime, join(repoRoot, "scripts", "bench", "probe.ts"));
  for (const [name, args] of probes) command.push(name, JSON.stringify(args));
  if (options.pinToCpu !== undefined && canPin) {
    command.unshift("taskset", "-c", String(options.pinToCpu));
  }
  return new Promise((resolve, reject) => {
    const child = spawn(command[0]!, command.slice(1), {
      cwd: repoRoot,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    const killer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs);
    child.on("close", (code) => {
      clearTimeout(killer);
      const results = stdout
        .split("\n")
        .filter((line) => line.startsWith("BENCH_RESULT "))
        .map((line) => JSON.parse(line.slice("BENCH_RESULT ".length)) as unknown);
      if (code === 0 && results.length === probes.length) return resolve({ results, stderr });
      const names = probes.map(([name]) => name).join(", ");
      reject(new Error(`probe ${names} on ${runtime} failed (exit code ${code}):\n${stderr}`));
    });
  });
}

/** Starts the minimal target server on Bun; resolves with its URL and a stop function. */
export function startTarget(): Promise<{ url: string; stop(): void }> {
  const child = spawn(bunPath, [join(repoRoot, "scripts", "bench", "target-server.ts")], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  return new Promise((resolve, reject) => {
    let output = "";
    child.stdout.on("data", (chunk) => {
      output += chunk;
      const match = /^port (\d+)$/m.exec(output);
      if (match) resolve({ url: `http://127.0.0.1:${match[1]}/`, stop: () => child.kill() });
    });
    child.on("close", (code) => reject(new Error(`target server exited (${code}): ${output}`)));
  });
}

/** A node:http server in this process that resolves a waiter on each request it gets. */
export async function startWatchedTarget() {
  let onRequest: (() => void) | undefined;
  const server: Server = createServer((_request, response) => {
    onRequest?.();
    response.end("ok");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    /** Resolves at the next request the server receives. */
    nextRequest: () => new Promise<void>((resolve) => (onRequest = resolve)),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * Spawns `command` and measures, in ms, the time until `until` resolves; then waits for
 * the process to exit (killing it after `timeoutMs`), so that runs never overlap.
 */
export async function timeUntil(
  command: string[],
  until: (child: ChildProcess) => Promise<void>,
  timeoutMs: number,
): Promise<number> {
  const startedMs = performance.now();
  const child = spawn(command[0]!, command.slice(1), {
    cwd: repoRoot,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
  const killer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
  let stderr = "";
  child.stderr!.on("data", (chunk) => (stderr += chunk));
  child.stdout!.resume();
  let elapsedMs: number | undefined;
  void until(child).then(() => (elapsedMs ??= performance.now() - startedMs));
  const code = await exited;
  clearTimeout(killer);
  if (elapsedMs === undefined) {
    throw new Error(`${command.join(" ")} exited (${code}) before the awaited event:\n${stderr}`);
  }
  return elapsedMs;
}
