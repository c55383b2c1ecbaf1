/**
 * Progress on standard error for a person at a terminal: one line, rewritten in place, with the
 * seconds so far. Nothing at all when standard error is not a terminal (`Io.progress` absent), so
 * pipelines and logs stay clean.
 */
import type { Io } from './context';

export interface Progress {
  (text: string): void;
  /** Clears the line; nothing more is written. Safe to call twice. */
  done(): void;
}

export function startProgress(io: Pick<Io, 'progress'>): Progress {
  const write = io.progress;
  if (!write) return Object.assign(() => undefined, { done: () => undefined });
  const started = Date.now();
  let text: string | undefined;
  let finished = false;
  const draw = () => {
    if (text !== undefined && !finished) {
      write(`\r\x1b[K${text} ${((Date.now() - started) / 1000).toFixed(0)} s`);
    }
  };
  const timer = setInterval(draw, 1000);
  timer.unref();
  return Object.assign(
    (next: string) => {
      text = next;
      draw();
    },
    {
      done: () => {
        if (finished) return;
        finished = true;
        clearInterval(timer);
        if (text !== undefined) write('\r\x1b[K');
      },
    },
  );
}
