import type { Logger } from "../core/types.ts";
import { writeErr } from "../runtime/process.ts";

/** Writes log lines to stderr, with a level word and, on request, color. */
export class ConsoleLogger implements Logger {
  constructor(private readonly color: boolean) {}

  info(message: string): void {
    this.#write("info", 36, message);
  }

  warn(message: string): void {
    this.#write("warn", 33, message);
  }

  error(message: string): void {
    this.#write("error", 31, message);
  }

  #write(level: string, colorCode: number, message: string): void {
    const label = this.color ? `\u001b[${colorCode}m${level}\u001b[0m` : level;
    writeErr(`${label} ${message}\n`);
  }
}
