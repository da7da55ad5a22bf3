// What the process edge (main.ts) hands every command: its streams, environment, clock and
// signals. Its own file, so that program.ts and the commands it adds do not import each other.

export interface CliIo {
  env: NodeJS.ProcessEnv;
  now: () => Date;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  stdoutIsTty: boolean;
  stderrIsTty: boolean;
  signals: CliSignals;
}

/** The process edge hands the agent its signals, so nothing below cli/main.ts touches `process`. */
export interface CliSignals {
  /** Resolves with the name of the first SIGTERM or SIGINT received. */
  next(): Promise<string>;
  /** Ends the process now with this code (stdout and stderr flushed first). */
  exitNow(code: number): void;
}
