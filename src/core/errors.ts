// The few error kinds dockwarden raises on purpose. Only cli/ turns them into exit codes
// (see cli/exit.ts); everything else throws and lets the edge decide.

/** Something the user gave us is wrong: a flag, a file, a config. Exit 3. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** The engine could not be reached or answered with an error. Exit 3. */
export class EngineError extends Error {
  override readonly name = 'EngineError';
  constructor(
    message: string,
    readonly details: { status?: number; path?: string; attempts?: string[] } = {},
  ) {
    super(message);
  }
}

/** A bug in dockwarden itself: the one case where a stack trace helps. */
export class InternalError extends Error {
  override readonly name = 'InternalError';
}
