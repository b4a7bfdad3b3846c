import { delay } from "./cli.ts";

/** Creates a client of the harness served on 127.0.0.1:`port`. */
export function controlClient(port: number, token?: string) {
  const base = `http://127.0.0.1:${port}`;
  const auth: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  return {
    get: async (path: string) => (await fetch(`${base}${path}`)).json(),
    send: (method: string, path: string, body: unknown, headers: Record<string, string> = auth) =>
      fetch(`${base}${path}`, {
        method,
        headers: { "content-type": "application/json", ...headers },
        body: JSON.stringify(body),
      }),
    metrics: async () => (await fetch(`${base}/metrics`)).text(),
  };
}

/**
 * Returns the value of the series `name` whose labels include `labels`, in Prometheus text,
 * or undefined when there is none.
 */
export function sampleOf(
  text: string,
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  for (const line of text.split("\n")) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const matches = Object.entries(labels).every(([key, value]) =>
      line.includes(`${key}="${value}"`),
    );
    if (matches) return Number(line.slice(line.lastIndexOf(" ") + 1));
  }
  return undefined;
}

/** Polls `check` every 50 ms until it returns true; returns the wait in ms, or throws after `timeoutMs`. */
export async function waitFor(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs: number,
): Promise<number> {
  const startedMs = performance.now();
  while (performance.now() - startedMs < timeoutMs) {
    if (await check()) return performance.now() - startedMs;
    await delay(50);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}
