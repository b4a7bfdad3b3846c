// Module hooks for Node: evaluate .ts files after esbuild strips their types. Node 20
// cannot run TypeScript by itself; Node 24 strips types natively, and these hooks take
// precedence there, so both behave the same (enums and parameter properties included).
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { transform } from "esbuild";

const TS_FILE = /\.(?:m|c)?ts$/;

export async function resolve(specifier, context, nextResolve) {
  try {
    return await nextResolve(specifier, context);
  } catch (error) {
    // TypeScript sources often import "./helper.js" meaning "./helper.ts".
    if (
      error?.code === "ERR_MODULE_NOT_FOUND" &&
      specifier.startsWith(".") &&
      specifier.endsWith(".js")
    ) {
      return nextResolve(specifier.slice(0, -3) + ".ts", context);
    }
    throw error;
  }
}

export async function load(url, context, nextLoad) {
  const path = url.split("?")[0];
  if (!url.startsWith("file:") || !TS_FILE.test(path)) return nextLoad(url, context);
  const file = fileURLToPath(path);
  const source = await readFile(file, "utf8");
  const { code } = await transform(source, {
    loader: "ts",
    format: "esm",
    target: "node20",
    sourcefile: file,
    sourcemap: "inline",
  });
  return { format: "module", source: code, shortCircuit: true };
}
