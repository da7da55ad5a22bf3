import { EngineError } from '../core/errors.js';

// Podman removes an image with several names by taking them all off first (libpod untag),
// then deleting it by id; when the delete fails the names are put back. A name that cannot
// be put back is a change nobody planned: the error that reaches the GC report says which.

/** What the engine said, without dockwarden's framing when it has the engine's own words. */
function said(err: unknown): string {
  if (err instanceof EngineError) return err.details.said ?? err.message;
  return err instanceof Error ? err.message : String(err);
}

/** `err` (the failed delete) with the tags that could not be put back named in its message; its status kept (409 stays "in use"). */
export function withTagsNotRestored(err: unknown, lost: readonly { tag: string; err: unknown }[]): unknown {
  if (lost.length === 0) return err;
  const note = `the image's ${lost.length === 1 ? 'tag' : 'tags'} ${lost.map((l) => `${l.tag} (${said(l.err)})`).join(', ')} could not be put back after it was untagged for the delete`;
  if (err instanceof EngineError) return new EngineError(`${err.message}; ${note}`, { ...err.details, said: `${said(err)}; ${note}` });
  return new Error(`${said(err)}; ${note}`);
}
