import process from "node:process";
import { runtimeName } from "./detect.ts";

/** Command-line arguments after the script. */
export function commandArgs(): string[] {
  if (runtimeName === "deno") return [...Deno.args];
  return process.argv.slice(2);
}

export function environment(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) if (value !== undefined) env[key] = value;
  return env;
}

export function writeOut(text: string): void {
  process.stdout.write(text);
}

export function writeErr(text: string): void {
  process.stderr.write(text);
}

export function stdoutIsTerminal(): boolean {
  return Boolean(process.stdout.isTTY);
}

export function stderrIsTerminal(): boolean {
  return Boolean(process.stderr.isTTY);
}

export function exitProcess(code: number): never {
  process.exit(code);
}

export function workingDirectory(): string {
  return process.cwd();
}

/**
 * Calls `handler` on SIGINT and SIGTERM with the count of signals received so far.
 * Returns a function that removes the handlers.
 */
export function onShutdownSignal(handler: (signal: string, count: number) => void): () => void {
  let count = 0;
  const listeners = (["SIGINT", "SIGTERM"] as const).map((signal) => {
    const listener = () => handler(signal, ++count);
    if (runtimeName === "deno") Deno.addSignalListener(signal, listener);
    else process.on(signal, listener);
    return { signal, listener };
  });
  return () => {
    for (const { signal, listener } of listeners) {
      if (runtimeName === "deno") Deno.removeSignalListener(signal, listener);
      else process.off(signal, listener);
    }
  };
}
