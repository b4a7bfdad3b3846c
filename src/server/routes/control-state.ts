import { ControlError, type RunControl } from "../../core/control.ts";
import type { AppState } from "../app.ts";

/** Returns the run's control; throws a conflict (409) when no run is attached yet. */
export function requireControl(state: AppState): RunControl {
  if (!state.control) {
    throw new ControlError("conflict", "no run is active yet; retry once the run has started");
  }
  return state.control;
}
