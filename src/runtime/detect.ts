export type RuntimeName = "node" | "bun" | "deno";

/** The runtime this process runs on. Bun and Deno also define `process`, so they are tested first. */
export const runtimeName: RuntimeName =
  typeof (globalThis as { Bun?: unknown }).Bun !== "undefined"
    ? "bun"
    : typeof (globalThis as { Deno?: unknown }).Deno !== "undefined"
      ? "deno"
      : "node";

/** "node 20.20.2", "bun 1.4.5" or "deno 2.9.6". */
export function runtimeVersion(): string {
  if (runtimeName === "bun") return `bun ${Bun.version}`;
  if (runtimeName === "deno") return `deno ${Deno.version.deno}`;
  return `node ${process.versions.node}`;
}
