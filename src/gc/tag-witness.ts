import type { EngineApi } from '../engine/engine-api.js';

// dockerd deletes an image by id in two steps: it lists the names that point at the image,
// then deletes each name. A tag moved to another image between the two (a build or
// `docker tag` finishing) is, on Engines 26.1 and 28.5 with containerd's image store:
// deleted with them, from the image it now names; or answered with a 404 for that name,
// the image left with its other names; or the image is kept as a dangling one when the
// move took its last other name. No request of ours can prevent that (about one round in
// ten of gc-race.test.ts). The engine's own tag events witness such a move, so while it
// deletes images with several names the executor watches them, and afterwards deletes
// again an image a tag moved away from that is still there, and puts a tag it saw taken
// that way back where it had moved.

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
  /** Waits until the events of the requests answered so far have reached the witness. */
  settle(): Promise<void>;
  /** Stops watching; the reason when the engine's events could not be followed. */
  stop(): Promise<string | null>;
}

export function watchTagMoves(engine: EngineApi, nowMs: number): TagWitness {
  const moves: TagMove[] = [];
  const abort = new AbortController();
  let failure: string | null = null;
  // From this millisecond on (the engine takes sec.fraction): a tag event from before the
  // deletions began is not a move during them. The engine's clock is the host's, or a
  // remote engine's kept in step by NTP.
  const since = (nowMs / 1000).toFixed(3);
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
    settle: () => new Promise((r) => setTimeout(r, GRACE_MS)),
    async stop() {
      abort.abort();
      await watching;
      return failure;
    },
  };
}
