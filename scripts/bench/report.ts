// Figures of `npm run bench`: their shape, the printed table and the machine description.
import { availableParallelism, cpus, loadavg, release, totalmem } from "node:os";
import { runtimeVersion, type RuntimeName } from "./processes.ts";

/** One measured figure beside its peer, with the design's target for the ratio. */
export interface Figure {
  /** Stable key of the figure, such as `http-throughput`. */
  id: string;
  runtime: RuntimeName;
  title: string;
  measured: number;
  unit: string;
  peer: { name: string; value: number; unit: string };
  /** `measured` relative to the peer, as `ratioOf` says. */
  ratio: number;
  ratioOf: string;
  /** The design's target, in words, such as ">= 0.9x the bare client". */
  target: string;
  /**
   * Whether this one run reached the target, or null when the figure has no target on this
   * runtime. One run on a noisy machine: information, not a verdict.
   */
  reached: boolean | null;
  details: Record<string, unknown>;
}

export interface MachineInfo {
  cpus: number;
  cpuModel: string;
  memoryBytes: number;
  kernel: string;
  node: string;
  bun: string;
  deno: string;
  /** Load averages over 1, 5 and 15 minutes when the bench started; other work skews figures. */
  loadAverage: number[];
  /** True when the no-op probe ran pinned to one CPU with taskset. */
  pinnedNoop: boolean;
}

export function describeMachine(pinnedNoop: boolean): MachineInfo {
  return {
    cpus: availableParallelism(),
    cpuModel: cpus()[0]?.model ?? "unknown",
    memoryBytes: totalmem(),
    kernel: release(),
    node: runtimeVersion("node"),
    bun: runtimeVersion("bun"),
    deno: runtimeVersion("deno"),
    loadAverage: loadavg().map((load) => Math.round(load * 100) / 100),
    pinnedNoop,
  };
}

function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const magnitude = Math.abs(value);
  if (magnitude >= 1000) return Math.round(value).toLocaleString("en-US");
  if (magnitude >= 10) return value.toFixed(1);
  if (magnitude >= 0.1) return value.toFixed(2);
  return value.toPrecision(2);
}

/** The figures as a fixed-width text table, one row per figure and runtime. */
export function formatTable(figures: Figure[]): string {
  const header = ["figure", "runtime", "measured", "peer", "ratio", "target", "this run"];
  const rows = figures.map((figure) => [
    figure.title,
    figure.runtime,
    `${formatNumber(figure.measured)} ${figure.unit}`,
    `${formatNumber(figure.peer.value)} ${figure.peer.unit} (${figure.peer.name})`,
    `${formatNumber(figure.ratio)} (${figure.ratioOf})`,
    figure.target,
    figure.reached === null ? "-" : figure.reached ? "reached" : "short",
  ]);
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => row[column]!.length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => cell.padEnd(widths[column]!))
      .join("  ")
      .trimEnd();
  return [line(header), line(widths.map((width) => "-".repeat(width))), ...rows.map(line)].join(
    "\n",
  );
}
