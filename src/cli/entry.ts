// Entry of the single-file builds and native executables (build.ts): runs the command
// line and exits. Not awaited at the top level, because the Node executable's build is
// CommonJS, where top-level await does not exist.
import { runtimeName, type RuntimeName } from "../runtime/detect.ts";
import { exitProcess, writeErr } from "../runtime/process.ts";
import { EXIT } from "./exit-codes.ts";
import { runProcess } from "./main.ts";

/** The runtime this build was made for; build.ts defines it. */
declare const HARNESS_BUILD_RUNTIME: RuntimeName;

/** The single-file build of each runtime, as build.ts names it. */
const BUILD_FILES: Record<RuntimeName, string> = {
  node: "harness.node.mjs",
  bun: "harness.bun.js",
  deno: "harness.deno.js",
};

if (HARNESS_BUILD_RUNTIME !== runtimeName) {
  writeErr(
    `this is the ${HARNESS_BUILD_RUNTIME} build of edge-harness, which leaves out what ` +
      `${runtimeName} needs; on ${runtimeName}, run ${BUILD_FILES[runtimeName]}\n`,
  );
  exitProcess(EXIT.usage);
}
void runProcess();
