// Progress lines for CLI operations that wait on the cluster (leaders of a new topic, a deletion). Written to
// stderr so stdout stays clean for scripts and --output json; quiet when the operation finishes quickly.

export interface ProgressOptions {
  /** Nothing is shown before this much time has passed (default 1000 ms; BROOK_PROGRESS_AFTER_MS overrides). */
  afterMs?: number;
  /** Minimum time between two lines when stderr is not a terminal (default 1000 ms). */
  everyMs?: number;
  stream?: NodeJS.WritableStream & { isTTY?: boolean };
  now?: () => number;
}

export class Progress {
  private readonly start: number;
  private readonly afterMs: number;
  private readonly everyMs: number;
  private readonly stream: NodeJS.WritableStream & { isTTY?: boolean };
  private readonly now: () => number;
  private lastShown = -Infinity;
  private lastText = '';
  private shown = false;

  constructor(private readonly what: string, private readonly total: number, opts: ProgressOptions = {}) {
    this.now = opts.now ?? Date.now;
    this.start = this.now();
    const env = Number(process.env.BROOK_PROGRESS_AFTER_MS);
    this.afterMs = opts.afterMs ?? (Number.isFinite(env) && env >= 0 ? env : 1000);
    this.everyMs = opts.everyMs ?? 1000;
    this.stream = opts.stream ?? process.stderr;
  }

  /** Reports `done` of `total`; prints when due (a terminal line is rewritten in place). */
  update(done: number): void {
    const t = this.now();
    if (t - this.start < this.afterMs) return;
    const text = this.line(done, t);
    if (this.stream.isTTY) {
      if (text !== this.lastText) this.stream.write(`\r${text}\x1b[K`);
    } else if (t - this.lastShown >= this.everyMs && text !== this.lastText) {
      this.stream.write(text + '\n');
    } else return;
    this.lastShown = t;
    this.lastText = text;
    this.shown = true;
  }

  /** Ends the progress display with the final count, when the operation lasted past `afterMs`. */
  finish(done: number): void {
    const t = this.now();
    if (!this.shown && t - this.start < this.afterMs) return;
    const text = this.line(done, t);
    if (this.stream.isTTY) this.stream.write(`\r${text}\x1b[K\n`);
    else if (text !== this.lastText) this.stream.write(text + '\n');
  }

  private line(done: number, t: number): string {
    return `${this.what}: ${done}/${this.total} (${((t - this.start) / 1000).toFixed(1)} s)`;
  }
}
