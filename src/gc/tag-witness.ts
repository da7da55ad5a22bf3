import type { EngineApi } from '../engine/engine-api.js';

// dockerd on containerd's image store deletes an image by id in two steps through
// containerd: it lists the names that point at the image, then deletes each name. A tag
// moved to another image between the two (a build or `docker tag` finishing) is deleted
// with them, from the image it now names: no request of ours can prevent that (seen once
// in about 80 rounds of gc-race.test.ts on Engine 26.1). The engine's own tag events
// witness such a move, so while it deletes images with several names the executor
// watches them, and afterwards puts a tag it saw taken that way back where it had moved.

export interface TagMove {
  /** The tag as the engine names it in events and delete answers, e.g. app:a. */
  name: string;
  /** The image the tag was moved to. */
  imageId: string;
}

/** Events reach us a moment after the engine answered the request that made them. */
const GRACE_MS = 100;

export interface TagWitness {
  /** Every tag event seen so far, oldest first. */
  readonly moves: readonly TagMove[];
  /** Stops watching (after the grace); the reason when the engine's events could not be followed. */
  stop(): Promise<string | null>;
}

export function watchTagMoves(engine: EngineApi, nowMs: number): TagWitness {
  const moves: TagMove[] = [];
  const abort = new AbortController();
  let failure: string | null = null;
  // A second early: the engine's clock and ours may straddle a second boundary.
  const since = String(Math.floor(nowMs / 1000) - 1);
  const watching = (async () => {
    try {
      for await (const e of engine.events({ since, signal: abort.signal })) {
        const name = e.attributes['name'];
        if (e.type === 'image' && e.action === 'tag' && name) moves.push({ name, imageId: e.actorId });
      }
    } catch (err) {
      if (!abort.signal.aborted) failure = `the engine's events could not be followed while deleting (${(err as Error).message}): a tag moved during a deletion would not be seen`;
    }
  })();
  return {
    moves,
    async stop() {
      await new Promise((r) => setTimeout(r, GRACE_MS));
      abort.abort();
      await watching;
      return failure;
    },
  };
}
