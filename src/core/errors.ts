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
    /** `said`: the engine's own message, e.g. "conflict: unable to delete … image is being used by stopped container 1f2e…". */
    readonly details: { status?: number; path?: string; attempts?: string[]; said?: string /** No engine listens there at all. */; unreachable?: boolean } = {},
  ) {
    super(message);
  }
}

/** A bug in dockwarden itself: the one case where a stack trace helps. */
export class InternalError extends Error {
  override readonly name = 'InternalError';
}
