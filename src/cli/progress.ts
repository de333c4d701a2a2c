// A one-line progress bar with ETA and images/s, on stderr.
export class Progress {
  private readonly t0 = performance.now();
  private images = 0;
  private lastDraw = 0;
  private lastDecile = -1;
  constructor(
    private readonly label: string,
    private readonly total: number,
    private readonly stream: NodeJS.WriteStream = process.stderr,
  ) {}
  /** `done` of `total` units, the ETA from the average rate so far. */
  update(done: number, images: number, extra = ''): void {
    const sec = (performance.now() - this.t0) / 1000;
    const frac = Math.min(1, done / this.total);
    this.show(
      frac,
      frac > 0 ? (sec / frac) * (1 - frac) : NaN,
      `${done}/${this.total}`,
      images,
      extra,
      done === this.total,
    );
  }

  /** A fraction and an ETA given by a progress model (ProgressModel: every phase of a run, rates as measured). */
  show(frac: number, eta: number, counter: string, images: number, extra = '', last = false): void {
    this.images += images;
    const now = performance.now();
    if (now - this.lastDraw < 200 && !last) return;
    this.lastDraw = now;
    const sec = (now - this.t0) / 1000;
    const width = 24;
    const bar = '█'.repeat(Math.round(frac * width)).padEnd(width, '░');
    const line =
      `${this.label} ${bar} ${(frac * 100).toFixed(0).padStart(3)}% ${counter}  ` +
      `${(this.images / Math.max(sec, 1e-3)).toFixed(0)} img/s  ETA ${fmt(eta)} ${extra}`;
    if (this.stream.isTTY) this.stream.write(`\r${line.slice(0, (this.stream.columns ?? 120) - 1)}\x1b[K`);
    else if (last || Math.floor(frac * 10) !== this.lastDecile) {
      // Not a terminal (CI, a log file): one line per 10 %.
      this.lastDecile = Math.floor(frac * 10);
      this.stream.write(`${line}\n`);
    }
  }
  done(): void {
    if (this.stream.isTTY) this.stream.write('\n');
  }
}

export function fmt(sec: number): string {
  if (!Number.isFinite(sec)) return '--:--';
  const s = Math.round(sec);
  return s >= 3600
    ? `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`
    : `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}
