import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { repoRoot } from "./cli.ts";

/** Debian's chromium package; tests never download a browser. */
export const CHROMIUM_PATH = "/usr/bin/chromium";
/** Screenshots of the browser tests, kept by CI as artifacts (git-ignored). */
export const ARTIFACTS = join(repoRoot, "test-artifacts");

/** Returns the name of the runtime running this test, for artifact names. */
export function runtimeName(): string {
  if ("Deno" in globalThis) return "deno";
  if ("Bun" in globalThis) return "bun";
  return "node";
}

/**
 * Opens a headless Chromium with a fresh profile, no background network and no sandbox (tests run
 * as root in CI). Its `errors` collect console errors and uncaught page errors.
 */
export async function openBrowser(): Promise<{
  context: BrowserContext;
  page: Page;
  errors: string[];
  close(): Promise<void>;
}> {
  const profile = mkdtempSync(join(tmpdir(), "harness-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    viewport: { width: 1400, height: 900 },
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const errors: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(`console: ${message.text()}`);
  });
  page.on("pageerror", (error) => errors.push(`page error: ${error.message}`));
  return {
    context,
    page,
    errors,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Saves a full-page screenshot under test-artifacts/ and returns its path. */
export async function saveScreenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${name}-${runtimeName()}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** Per chart of the page: its title, series labels, x values and non-null points. */
export function chartPoints(
  page: Page,
): Promise<Array<{ title: string; labels: string[]; times: number; points: number }>> {
  return page.evaluate(() => {
    const charts = (
      window as unknown as {
        harnessCharts?: Map<string, { title: string; labels: string; plot: { data: unknown[][] } }>;
      }
    ).harnessCharts;
    return [...(charts?.values() ?? [])].map((chart) => ({
      title: chart.title,
      labels: chart.labels.split("\n"),
      times: chart.plot.data[0]!.length,
      points: chart.plot.data
        .slice(1)
        .reduce((sum, values) => sum + values.filter((value) => value !== null).length, 0),
    }));
  });
}
