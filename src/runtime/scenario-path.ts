import { realpath, stat } from "node:fs/promises";
import { isAbsolute, relative, resolve, sep } from "node:path";
import { ControlError } from "../core/control.ts";
import { isScenarioFile } from "../core/scenario-loader.ts";

/** Percent-encoded `/`, `\` and `.`: a client that sends them is trying to hide a path step. */
const ENCODED_SEPARATOR = /%(2f|5c|2e)/i;

/**
 * Resolves `file`, a path relative to one of `folders`, to the absolute path of a scenario
 * file inside that folder, following symbolic links. The first folder that contains the file wins.
 *
 * @throws {ControlError} `invalid` for an absolute path, a `..` step, an encoded separator,
 *   a control character or a name that is not a scenario file; `not-found` when no folder
 *   holds the file.
 */
export async function resolveScenarioPath(folders: string[], file: string): Promise<string> {
  checkRelativePath(file);
  for (const folder of folders) {
    const root = await realpath(folder);
    const candidate = resolve(root, file);
    let real: string;
    try {
      real = await realpath(candidate);
    } catch {
      continue;
    }
    if (!isInside(root, real)) {
      throw invalid(file, `resolves to ${real}, outside the scenarios folder ${root}`);
    }
    if (!(await stat(real)).isFile()) throw invalid(file, "is not a file");
    return real;
  }
  const where = `the scenarios folder${folders.length > 1 ? "s" : ""} ${folders.join(", ")}`;
  throw new ControlError("not-found", `file: no file "${file}" in ${where}`, {
    field: "file",
    value: file,
  });
}

/** Checks the text of a relative scenario path before the file system is asked. */
function checkRelativePath(file: string): void {
  if (file.trim() === "") throw invalid(file, "is empty");
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f]/.test(file)) throw invalid(file, "contains a control character");
  if (ENCODED_SEPARATOR.test(file)) throw invalid(file, "contains a percent-encoded separator");
  if (isAbsolute(file) || /^[A-Za-z]:/.test(file) || file.startsWith("\\")) {
    throw invalid(file, "is absolute; give a path relative to the scenarios folder");
  }
  if (file.split(/[\\/]/).includes("..")) {
    throw invalid(file, 'contains "..", which would leave the scenarios folder');
  }
  if (!isScenarioFile(file)) throw invalid(file, "is not a .ts, .js or .mjs scenario file");
}

function isInside(root: string, path: string): boolean {
  const rest = relative(root, path);
  return rest !== "" && !rest.startsWith(`..${sep}`) && rest !== ".." && !isAbsolute(rest);
}

function invalid(file: string, problem: string): ControlError {
  const message = `file: the path ${JSON.stringify(file)} ${problem}`;
  return new ControlError("invalid", message, { field: "file", value: file });
}
