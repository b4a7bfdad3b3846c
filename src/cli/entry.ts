// Entry of the single-file builds and native executables (build.ts): runs the command
// line and exits. Not awaited at the top level, because the Node executable's build is
// CommonJS, where top-level await does not exist.
import { runProcess } from "./main.ts";

void runProcess();
