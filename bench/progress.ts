import cliProgress from "cli-progress";

/**
 * A progress bar on stderr that appears only when stderr is a terminal and the run has already taken a second;
 * short runs and CI logs stay clean.
 */
export class Progress {
  private bar: cliProgress.SingleBar | undefined;
  private readonly start = Date.now();

  constructor(private readonly enabled: boolean) {}

  update(fraction: number, label: string): void {
    if (!this.enabled) return;
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

  stop(): void {
    this.bar?.stop();
    this.bar = undefined;
  }
}
