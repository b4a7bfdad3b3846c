import { Player } from "./player.ts";
import type { Recorder } from "./recorder.ts";
import type { Clock } from "./types.ts";

/** Players a scenario may hold at once; one lane per scenario. */
export class Lane {
  /** Busy players of this lane; its size is the lane's active count. */
  readonly busy = new Set<Player>();

  constructor(
    readonly name: string,
    public maxPlayers: number,
  ) {}

  get hasRoom(): boolean {
    return this.busy.size < this.maxPlayers;
  }
}

export interface PoolOptions {
  clock: Clock;
  recorder: Recorder;
  /** Most idle players kept for reuse; a player released into a full queue is retired. */
  idleCapacity: number;
  /** Interval of the monitor loop that samples the gauges, in ms (default 100). */
  monitorIntervalMs?: number;
}

/**
 * Keeps the players of a run: creates them on demand within each lane's maximum, keeps
 * released ones in a bounded idle queue, and hands them out to scenarios.
 *
 * Idle depth is the queue's length and active players are the busy players of the lanes,
 * both read where they are stored, so a cancelled iteration cannot leave a count behind.
 */
export class Pool {
  readonly #clock: Clock;
  readonly #recorder: Recorder;
  readonly #idle: Player[] = [];
  readonly #lanes = new Set<Lane>();
  readonly #idleCapacity: number;
  readonly #monitorIntervalMs: number;
  #nextId = 1;
  #monitorTimer: unknown;

  constructor(options: PoolOptions) {
    this.#clock = options.clock;
    this.#recorder = options.recorder;
    this.#idleCapacity = options.idleCapacity;
    this.#monitorIntervalMs = options.monitorIntervalMs ?? 100;
    this.#recorder.poolIdleCapacity(this.#idleCapacity);
  }

  get idleDepth(): number {
    return this.#idle.length;
  }

  get idleCapacity(): number {
    return this.#idleCapacity;
  }

  get activePlayers(): number {
    let active = 0;
    for (const lane of this.#lanes) active += lane.busy.size;
    return active;
  }

  /** Players created so far. */
  get createdPlayers(): number {
    return this.#nextId - 1;
  }

  addLane(lane: Lane): void {
    this.#lanes.add(lane);
  }

  removeLane(lane: Lane): void {
    this.#lanes.delete(lane);
  }

  /** Creates idle players up to `count` idle in total, within the queue's capacity. */
  preAllocate(count: number): void {
    const target = Math.min(count, this.#idleCapacity);
    while (this.#idle.length < target) this.#idle.push(this.#create());
  }

  /**
   * Hands a player to `lane`, reusing an idle one or creating one; returns undefined when
   * the lane is at its maximum. Records how long the hand-off took.
   */
  acquire(lane: Lane): Player | undefined {
    if (!lane.hasRoom) return undefined;
    const requestedMs = this.#clock.nowMs();
    const player = this.#idle.pop() ?? this.#create();
    player.state = "busy";
    lane.busy.add(player);
    this.#recorder.poolExecuteWait(this.#clock.nowMs() - requestedMs);
    return player;
  }

  /** Records how long an arrival waited in its scenario's queue before a player was handed to it. */
  recordExecuteWait(waitMs: number): void {
    this.#recorder.poolExecuteWait(waitMs);
  }

  /** Returns `player` from `lane` to the idle queue, or retires it when the queue is full. */
  release(lane: Lane, player: Player): void {
    if (!lane.busy.delete(player)) return;
    player.state = "idle";
    if (this.#idle.length < this.#idleCapacity) this.#idle.push(player);
  }

  /** Starts the monitor loop that samples idle depth, active players and in-flight iterations. */
  startMonitor(inflight: () => number): void {
    const sample = () => {
      const startedMs = this.#clock.nowMs();
      this.sample(inflight());
      this.#recorder.poolTick(this.#clock.nowMs() - startedMs);
      this.#monitorTimer = this.#clock.setTimer(sample, this.#monitorIntervalMs);
    };
    this.#monitorTimer = this.#clock.setTimer(sample, 0);
  }

  /** Samples the gauges now; the run also calls it at stop so they end at their true values. */
  sample(inflight: number): void {
    this.#recorder.poolSample({
      activePlayers: this.activePlayers,
      idleDepth: this.idleDepth,
      inflight,
    });
  }

  /** Retires every idle player, at the end of a run. */
  drain(): void {
    this.#idle.length = 0;
  }

  stopMonitor(): void {
    if (this.#monitorTimer !== undefined) this.#clock.clearTimer(this.#monitorTimer);
    this.#monitorTimer = undefined;
  }

  #create(): Player {
    this.#recorder.playerCreated();
    return new Player(this.#nextId++);
  }
}
