import type { EngineApi, EngineEvent } from '../engine/engine-api.js';
import { refIndex, type RefIndex } from '../gc/image-refs.js';
import type { AgentStore, StoredEvent } from '../store/agent-store.js';
import { PRESENCE_SOURCE } from './gc-history.js';

// docuum's idea, persisted: every container create/start/exec and every image arrival
// seen on /events becomes a last-use (or first-seen) time in the store, which gc reads
// for its LRU order and min-age; every image deletion ends the image's stay. Container events name the image as the user typed it
// (`busybox`, `app:2`, an id prefix), so names are resolved against the image list,
// refreshed whenever images change.

const CONTAINER_USE = /^(create|start|restart|exec_create|exec_start|die)\b/;
const IMAGE_CHANGE = new Set(['pull', 'load', 'import', 'tag', 'untag', 'delete', 'commit', 'build']);
const IMAGE_ARRIVAL = new Set(['pull', 'load', 'import', 'tag', 'commit', 'build']);

export function storedEvent(e: EngineEvent): StoredEvent {
  return { at: Number(e.timeNano / 1_000_000n), timeNano: e.timeNano.toString(), type: e.type, action: e.action, actorId: e.actorId, attributes: e.attributes };
}

/** A burst of image events (a CI job tagging hundreds) re-reads the list at most this often. */
const REFRESH_EVERY_MS = 1000;

export class ImageUseRecorder {
  private refs: RefIndex = refIndex([]);
  private stale = true;
  private refreshedAt = -Infinity;
  /** How many uses it has recorded: a plan made before the count moved has older last-use times. */
  recorded = 0;

  constructor(
    private readonly engine: EngineApi,
    private readonly store: AgentStore,
  ) {}

  /** Re-reads the image list; images never seen before are first seen now. Returns how many there are. */
  async refresh(now: number): Promise<number> {
    this.stale = false;
    // Rate limiting wants a monotonic clock: event times jump back when the engine replays.
    this.refreshedAt = performance.now();
    const images = await this.engine.listImages();
    this.refs = refIndex(images.map((i) => ({ id: i.id, repoTags: i.repoTags, repoDigests: i.repoDigests })));
    this.store.noteImagesPresent(
      images.map((i) => i.id),
      now,
      PRESENCE_SOURCE,
    );
    return images.length;
  }

  /** The image a reference names, re-reading the list when it changed or the name is new to us. */
  private async resolve(ref: string, at: number): Promise<string | null> {
    const hit = this.refs.resolve(ref);
    const due = performance.now() - this.refreshedAt >= REFRESH_EVERY_MS;
    // A name the list lacks is an image that just arrived: worth a re-read, at once when
    // images changed, else at most once a second (a container of a deleted image keeps
    // naming it). A name it has may have moved to another image, but within a second that can wait.
    if (hit ? this.stale && due : this.stale || due) await this.refresh(at);
    return this.refs.resolve(ref);
  }

  async onEvent(e: EngineEvent): Promise<void> {
    const stored = storedEvent(e);
    this.store.addEvents([stored]);
    if (e.type === 'image' && IMAGE_CHANGE.has(e.action)) {
      this.stale = true;
      // An image that leaves and comes back has arrived again: its next sighting starts
      // a new record, so --min-age counts from then (delete names the image by id).
      if (e.action === 'delete' && e.actorId.startsWith('sha256:')) this.store.noteImageGone(e.actorId, stored.at);
      if (!IMAGE_ARRIVAL.has(e.action)) return;
      // tag, load and import name the image by id; pull by the reference pulled. Podman's
      // load names the uploaded tar file and may come before the image is listed: the list
      // stays stale, so the next name (the container created from it) is looked up afresh.
      if (!e.actorId || e.actorId.startsWith('/')) return;
      const id = e.actorId.startsWith('sha256:') ? e.actorId : await this.resolve(e.actorId, stored.at);
      if (id) this.record(id, stored.at, `image ${e.action} event`, 'arrival');
      return;
    }
    const image = e.attributes['image'];
    if (e.type !== 'container' || !image || !CONTAINER_USE.test(e.action)) return;
    const id = await this.resolve(image, stored.at);
    if (id) this.record(id, stored.at, `container ${e.action.split(':')[0]} event`, 'use');
  }

  private record(id: string, at: number, source: string, kind: 'use' | 'arrival'): void {
    this.store.recordImageUse(id, at, source, kind);
    this.recorded++;
  }
}
