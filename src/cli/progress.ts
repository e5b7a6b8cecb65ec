/**
 * The progress bar of long commands (verify, export, import, cp): drawn on
 * standard error only when it is a terminal and the output is not `--json`,
 * silent in pipes and logs. Drawing, throttling, terminal width and the time
 * left are the `cli-progress` package's (README "Command line": why that
 * package); this file only decides when a bar exists and what it shows:
 * units done of the total, MB/s of data moved, time left.
 */
import cliProgress from "cli-progress";

/** What a command reports as it goes. */
export interface Progress {
  /** `done` units of the total so far; `bytes`, when given, is the data moved so far (for MB/s). */
  update(done: number, bytes?: number): void;
  /** Remove the bar (also after a failure or Ctrl-C); later updates are ignored. */
  stop(): void;
}

/** What the bar counts. */
export interface ProgressSpec {
  /** Shown before the bar, usually the command's name. */
  readonly label: string;
  /** The number of units the work has. */
  readonly total: number;
  /** What a unit is: "rows", "chunks", "objects". */
  readonly unit: string;
}

/** The progress of work nobody watches. */
export const silentProgress: Progress = { update: () => undefined, stop: () => undefined };

/** The stream a bar is drawn on: standard error when it is a terminal. */
export type BarStream = NodeJS.WritableStream & { readonly isTTY?: boolean; readonly columns?: number };

/** Redraws per second at most. */
const FPS = 5;

/** A bar on `stream` for `spec`: rows done of total, MB/s, time left. */
export function progressBar(stream: BarStream, spec: ProgressSpec): Progress {
  const started = Date.now();
  const bar = new cliProgress.SingleBar({
    stream,
    fps: FPS,
    format: `${spec.label} [{bar}] {value}/{total} ${spec.unit} | {rate} | {eta_formatted} left`,
    barsize: 24,
    hideCursor: false,
    clearOnComplete: true,
    etaBuffer: 50,
    autopadding: true,
  });
  bar.start(spec.total, 0, { rate: "- MB/s" });
  let stopped = false;
  return {
    update(done, bytes) {
      if (stopped) return;
      const seconds = (Date.now() - started) / 1000;
      const rate = bytes === undefined || seconds <= 0 ? "- MB/s" : `${(bytes / 1e6 / seconds).toFixed(1)} MB/s`;
      bar.update(Math.min(done, spec.total), { rate });
    },
    stop() {
      if (stopped) return;
      stopped = true;
      bar.stop();
    },
  };
}
