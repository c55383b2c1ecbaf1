/**
 * The invocation's deadline: "time left minus reserve". Every AWS call gets `signal`, which aborts
 * once that much time has passed, and every loop that reads or sends calls `check()` before its
 * next step, so a run out of time stops itself with a DeadlineError instead of being killed by
 * Lambda mid-call with nothing logged.
 */
import { setMaxListeners } from 'node:events';
import { DeadlineError } from './errors';

/** Stop when fewer than this many milliseconds remain (default): time to log and return. */
export const DEFAULT_RESERVE_MS = 5_000;
/** setTimeout's largest delay; beyond it (or with no deadline at all) no timer is armed. */
const MAX_TIMER_MS = 2_147_483_647;
/**
 * Every call in flight adds an abort listener (and removes it when it ends): the bulk reads, 8
 * per-user checks and 4 PutEvaluations at once exceed Node's default warning threshold of 10.
 */
const MAX_LISTENERS = 100;

export class Deadline {
  readonly signal: AbortSignal;
  private readonly controller = new AbortController();
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly remainingMs: () => number,
    readonly reserveMs: number = DEFAULT_RESERVE_MS,
  ) {
    this.signal = this.controller.signal;
    setMaxListeners(MAX_LISTENERS, this.signal);
    const left = this.leftMs();
    if (left <= 0) {
      this.expire();
    } else if (left < MAX_TIMER_MS) {
      this.timer = setTimeout(() => {
        this.expire();
      }, left);
      this.timer.unref();
    }
  }

  /** Milliseconds until the reserve is reached. */
  leftMs(): number {
    return this.remainingMs() - this.reserveMs;
  }

  /** Throws the DeadlineError once the reserve is reached. */
  check(): void {
    if (!this.signal.aborted && this.leftMs() <= 0) this.expire();
    if (this.signal.aborted) throw this.signal.reason as Error;
  }

  expired(): boolean {
    return this.signal.aborted;
  }

  /**
   * The DeadlineError in place of `error` when the deadline has passed (an SDK call aborted by
   * `signal` rejects with its own AbortError); `error` otherwise.
   */
  explain(error: unknown): unknown {
    if (error instanceof DeadlineError) return error;
    return this.signal.aborted ? (this.signal.reason as unknown) : error;
  }

  /** A signal that aborts with `other` or at the deadline, whichever comes first. */
  with(other: AbortSignal): AbortSignal {
    const both = AbortSignal.any([other, this.signal]);
    setMaxListeners(MAX_LISTENERS, both);
    return both;
  }

  /** Stops the timer: call when the invocation ends. */
  dispose(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private expire(): void {
    if (this.signal.aborted) return;
    this.dispose();
    this.controller.abort(
      new DeadlineError(
        `stopped before the Lambda timeout: fewer than ${String(Math.round(this.reserveMs / 1000))} s were left`,
      ),
    );
  }
}
