import cliProgress from "cli-progress";

/**
 * Progress on stderr. On a terminal: a bar, once the run has taken a second (short runs stay clean). Elsewhere (CI
 * logs): a line per finished run, and a line at least every `every` ms while runs go on, so a long job never looks hung.
 */
export class Progress {
  private bar: cliProgress.SingleBar | undefined;
  private readonly start = Date.now();
  private lastLine = Date.now();
  private fraction = 0;
  private label = "";
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly mode: "bar" | "lines" | "off",
    private readonly write: (line: string) => void = (line) => void process.stderr.write(`${line}\n`),
    private readonly every = 30_000,
  ) {
    if (mode === "lines") {
      this.timer = setInterval(
        () => {
          if (Date.now() - this.lastLine >= this.every) this.line(`${this.percent()} done, running ${this.label}`);
        },
        Math.min(this.every, 5_000),
      );
      this.timer.unref();
    }
  }

  update(fraction: number, label: string): void {
    this.fraction = fraction;
    this.label = label;
    if (this.mode !== "bar") return;
    if (this.bar === undefined) {
      if (Date.now() - this.start < 1000) return;
      this.bar = new cliProgress.SingleBar(
        { stream: process.stderr, format: "{bar} {percentage}% | ETA {eta_formatted} | {variant}", hideCursor: true, clearOnComplete: true, fps: 5 },
        cliProgress.Presets.shades_classic,
      );
      this.bar.start(1000, 0, { variant: label });
    }
    this.bar.update(Math.round(fraction * 1000), { variant: label });
  }

  /** A run finished: a line of its own where there is no bar. */
  finished(done: number, total: number, what: string, wallSeconds: number): void {
    if (this.mode === "lines") this.line(`[${done}/${total}] ${what} done in ${wallSeconds.toFixed(1)} s (${this.percent()})`);
  }

  stop(): void {
    this.bar?.stop();
    this.bar = undefined;
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  private percent(): string {
    return `${Math.floor(this.fraction * 100)}%, ${Math.round((Date.now() - this.start) / 1000)} s elapsed`;
  }

  private line(text: string): void {
    this.lastLine = Date.now();
    this.write(`progress: ${text}`);
  }
}
