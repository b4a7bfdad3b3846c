import { readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, extname, isAbsolute, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { runInThisContext } from "node:vm";
import { transform, type Transform } from "sucrase";
import type { ScenarioModule } from "../core/types.ts";

/**
 * Loads scenario modules without the runtime's own module loader: sucrase turns each
 * TypeScript or JavaScript module into CommonJS, and `node:vm` evaluates it in this
 * realm. The Node build and the Node single executable use it, because a single
 * executable cannot `import()` files from disk and Node 20 cannot strip TypeScript types.
 *
 * - Relative imports resolve from the importing file, trying `.ts` for `.js` (the
 *   TypeScript convention), then the extensions of {@link SOURCE_EXTENSIONS} and `index`
 *   files. Those files are transformed here.
 * - Bare specifiers (npm packages installed next to the scenarios), `node:` modules,
 *   `.cjs`, `.json` and anything under `node_modules` go to `createRequire(file)`, so they
 *   resolve from the importing file's folder as Node resolves them. An ES-module-only
 *   package then needs `require()` of ES modules: Node 20.19 or later, Bun or Deno.
 * - The scenario file runs inside an async function, so it may use top-level `await`.
 *   Modules it imports run synchronously, as CommonJS does: a top-level `await` in one of
 *   them is a SyntaxError.
 *
 * Sucrase keeps every line where it was, so stack traces point at the original lines.
 *
 * NOTE: sucrase 3.35 leaves decorators as they are, and V8 cannot parse them yet, so a
 * scenario that uses decorators loads in source runs (esbuild, Bun, Deno) but not here.
 */
export class TranspilingModuleLoader {
  /** Imported modules by absolute path; a scenario file's own evaluations are not kept here. */
  readonly #modules = new Map<string, CommonJsModule>();
  /** The latest evaluation of each scenario file, so that a reload frees the one before. */
  readonly #entries = new Map<string, { version: number; module: Promise<ScenarioModule> }>();

  /** Evaluates the scenario file at `path`; a new `version` evaluates it anew. */
  load(path: string, version: number): Promise<ScenarioModule> {
    const file = resolve(path);
    const latest = this.#entries.get(file);
    if (latest?.version === version) return latest.module;
    const module = this.#evaluateEntry(file);
    this.#entries.set(file, { version, module });
    return module;
  }

  async #evaluateEntry(file: string): Promise<ScenarioModule> {
    const module = new CommonJsModule(file);
    const run = compile(file, readFileSync(file, "utf8"), "async") as ModuleFunction<Promise<void>>;
    await run.call(undefined, ...this.#moduleArguments(module));
    return namespaceOf(module.exports);
  }

  #moduleArguments(module: CommonJsModule): ModuleArguments {
    const require = this.#requireFrom(module.filename);
    return [
      module.exports,
      require,
      module,
      module.filename,
      dirname(module.filename),
      importMetaOf(module.filename, require),
    ];
  }

  #requireFrom(file: string): LocalRequire {
    const nativeRequire = createRequire(file);
    const local = (specifier: string): unknown => {
      const path = resolveLocal(specifier, file);
      if (path === undefined || !isTransformed(path)) return nativeRequire(path ?? specifier);
      return this.#evaluateImported(path).exports;
    };
    local.resolve = (specifier: string): string =>
      resolveLocal(specifier, file) ?? nativeRequire.resolve(specifier);
    return local;
  }

  #evaluateImported(file: string): CommonJsModule {
    const cached = this.#modules.get(file);
    if (cached) return cached;
    const module = new CommonJsModule(file);
    // Cached before it runs, so an import cycle receives the partial exports, as in CommonJS.
    this.#modules.set(file, module);
    try {
      const run = compile(file, readFileSync(file, "utf8"), "sync") as ModuleFunction<void>;
      run.call(module.exports, ...this.#moduleArguments(module));
    } catch (error) {
      this.#modules.delete(file);
      throw error;
    }
    return module;
  }
}

/** File extensions that are transformed and evaluated by the loader, in resolution order. */
export const SOURCE_EXTENSIONS = [".ts", ".mts", ".cts", ".tsx", ".js", ".mjs", ".jsx"] as const;
const TYPESCRIPT_EXTENSIONS = new Set([".ts", ".mts", ".cts", ".tsx"]);
/** What `require` of a missing extension also tries, after {@link SOURCE_EXTENSIONS}. */
const OTHER_EXTENSIONS = [".cjs", ".json"];
/** `./helper.js` written in TypeScript source usually means `./helper.ts`. */
const TYPESCRIPT_SIBLINGS: Record<string, string> = {
  ".js": ".ts",
  ".mjs": ".mts",
  ".cjs": ".cts",
};

class CommonJsModule {
  exports: Record<string, unknown> = {};
  constructor(readonly filename: string) {}
}

interface LocalRequire {
  (specifier: string): unknown;
  resolve(specifier: string): string;
}

type ModuleArguments = [
  exports: Record<string, unknown>,
  require: LocalRequire,
  module: CommonJsModule,
  filename: string,
  dirname: string,
  importMeta: ImportMetaObject,
];
type ModuleFunction<T> = (this: unknown, ...args: ModuleArguments) => T;

interface ImportMetaObject {
  url: string;
  filename: string;
  dirname: string;
  main: boolean;
  resolve(specifier: string): string;
}

/** The name that replaces `import.meta` in transformed code; a parameter of the wrapper. */
const IMPORT_META = "__harnessImportMeta";

/**
 * Transforms one module to CommonJS and compiles it inside a function wrapper. The wrapper
 * opens on the first line, so line numbers in stack traces stay those of the file.
 *
 * @throws {SyntaxError} naming the file when sucrase or the engine cannot parse it.
 */
function compile(file: string, source: string, mode: "async" | "sync"): unknown {
  const extension = extname(file);
  const transforms: Transform[] = TYPESCRIPT_EXTENSIONS.has(extension)
    ? ["typescript", "imports"]
    : ["imports"];
  if (extension === ".tsx" || extension === ".jsx") transforms.push("jsx");
  let code: string;
  try {
    code = transform(source, { transforms, filePath: file, disableESTransforms: true }).code;
  } catch (error) {
    throw new SyntaxError(`${file}: ${(error as Error).message}`, { cause: error });
  }
  // NOTE: a textual replacement, so the words "import.meta" inside a string literal change
  // too. Sucrase leaves `import.meta` as it is, and it is a SyntaxError outside a module.
  code = code.replace(/\bimport\s*\.\s*meta\b/g, IMPORT_META);
  const parameters = `exports, require, module, __filename, __dirname, ${IMPORT_META}`;
  const keyword = mode === "async" ? "async function" : "function";
  return runInThisContext(`(${keyword} (${parameters}) {${code}\n})`, { filename: file });
}

/**
 * Resolves a relative, absolute or `file:` specifier to a file; undefined for bare
 * specifiers, which belong to Node's resolution.
 *
 * @throws {Error} with code MODULE_NOT_FOUND when a relative file does not exist.
 */
function resolveLocal(specifier: string, fromFile: string): string | undefined {
  let base: string;
  if (specifier.startsWith("file:")) base = fileURLToPath(specifier);
  else if (specifier.startsWith(".") || isAbsolute(specifier))
    base = resolve(dirname(fromFile), specifier);
  else return undefined;

  for (const candidate of candidatesOf(base)) if (isFile(candidate)) return candidate;
  const error = new Error(`cannot find module "${specifier}" imported from ${fromFile}`);
  (error as Error & { code: string }).code = "MODULE_NOT_FOUND";
  throw error;
}

function* candidatesOf(base: string): Generator<string> {
  yield base;
  const sibling = TYPESCRIPT_SIBLINGS[extname(base)];
  if (sibling) yield base.slice(0, -extname(base).length) + sibling;
  for (const extension of [...SOURCE_EXTENSIONS, ...OTHER_EXTENSIONS]) yield base + extension;
  for (const extension of SOURCE_EXTENSIONS) yield resolve(base, `index${extension}`);
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** Whether the loader transforms `path` itself rather than leaving it to Node's require. */
function isTransformed(path: string): boolean {
  if (/[\\/]node_modules[\\/]/.test(path)) return false;
  return (SOURCE_EXTENSIONS as readonly string[]).includes(extname(path));
}

function importMetaOf(file: string, require: LocalRequire): ImportMetaObject {
  return {
    url: pathToFileURL(file).href,
    filename: file,
    dirname: dirname(file),
    main: false,
    resolve: (specifier) => pathToFileURL(require.resolve(specifier)).href,
  };
}

/**
 * The module namespace of an evaluated module: its exports for a transformed ES module,
 * and for a CommonJS one its named properties plus `module.exports` as `default`, as
 * Node's import of CommonJS gives.
 */
function namespaceOf(exports: unknown): ScenarioModule {
  const record = exports as Record<string, unknown> | null;
  if (record && record.__esModule) return record as ScenarioModule;
  const namespace: Record<string, unknown> = {};
  if (record && (typeof record === "object" || typeof record === "function"))
    Object.assign(namespace, record);
  namespace.default = exports;
  return namespace as ScenarioModule;
}

const sharedLoader = new TranspilingModuleLoader();

/** Loads a scenario file with one loader shared by the whole process. */
export function loadTranspiledModule(path: string, version: number): Promise<ScenarioModule> {
  return sharedLoader.load(path, version);
}
