import { describe, expect, it } from 'vitest';
import { EngineError } from '../core/errors.js';
import type { EngineEvent, RemovedImage } from '../engine/engine-api.js';
import { FakeEngine, type FakeImage } from '../engine/testing/fake-engine.js';
import { executePlan } from './execute-plan.js';
import type { PlannedImage } from './planned-image.js';
import { id, MB, T0 } from './testing/build-inventory.js';

// The executor against a stateful fake engine that follows moby's image-delete rules:
// each test builds the engine's images, runs a plan that deletes them, and looks at
// what the engine holds afterwards.

function img(name: string, tags: string[], digests: string[] = [], size = 100 * MB): FakeImage {
  return { id: id(name), repoTags: tags, repoDigests: digests, size };
}

/** The plan entry the planner would give a collectable image. */
function planned(image: FakeImage): PlannedImage {
  const evidence = { at: T0, source: 'test' };
  return {
    id: image.id,
    tags: [...image.repoTags],
    digests: [...(image.repoDigests ?? [])],
    bytes: image.size,
    size: image.size,
    code: 'unused',
    reason: 'least recently used',
    lastUsed: evidence,
    firstSeen: evidence,
  };
}

/** An engine holding `images` and the plan that deletes all of them. */
function setup(...images: FakeImage[]): { engine: FakeEngine; plan: PlannedImage[] } {
  const plan = images.map(planned);
  return { engine: new FakeEngine({ images }), plan };
}

const removals = (engine: FakeEngine): string[] => engine.calls.filter((c) => c.startsWith('removeImage '));
const DIGEST = `sha256:${'d'.repeat(64)}`;

describe('executePlan deletes what the plan says', () => {
  it('deletes an image with at most one tag, and references in one repository, by its id', async () => {
    const { engine, plan } = setup(img('one', ['app:1'], [`app@${DIGEST}`]), img('none', []));
    const result = await executePlan(engine, plan);
    expect(engine.images.size).toBe(0);
    expect(removals(engine)).toEqual([`removeImage ${id('one')}`, `removeImage ${id('none')}`]);
    expect(result.deleted.map((d) => [d.id, d.bytes])).toEqual([
      [id('one'), 100 * MB],
      [id('none'), 100 * MB],
    ]);
    expect(result.kept).toEqual([]);
    expect(result.failed).toEqual([]);
  });

  it('deletes an image with several tags by its id in one operation, never tag by tag', async () => {
    const { engine, plan } = setup(img('multi', ['app:1', 'app:2']));
    const result = await executePlan(engine, plan);
    expect(engine.images.has(id('multi'))).toBe(false);
    expect(engine.calls.filter((c) => /^remove/.test(c))).toEqual([`removeImageAndReferences ${id('multi')}`]);
    expect(result.deleted.map((d) => d.bytes)).toEqual([100 * MB]);
    expect(result.unplanned).toEqual([]);
  });

  it('deletes an image tagged in several repositories by its id in one operation', async () => {
    const { engine, plan } = setup(img('mirrored', ['app:1', 'mirror.local/app:1']));
    const result = await executePlan(engine, plan);
    expect(engine.images.has(id('mirrored'))).toBe(false);
    expect(engine.calls.filter((c) => /^remove/.test(c))).toEqual([`removeImageAndReferences ${id('mirrored')}`]);
    expect(result.deleted.map((d) => d.bytes)).toEqual([100 * MB]);
  });

  it('leaves alone a new image that took one of the planned tags while gc was deleting', async () => {
    // The race of a build or import finishing between planning and deletion: app:a moves to a new image.
    const { engine, plan } = setup(img('other', ['other:1']), img('old', ['app:a', 'app:b']));
    engine.beforeRemove = (ref) => {
      if (ref !== id('other')) return;
      engine.images.set(id('new'), { id: id('new'), repoTags: [], repoDigests: [], size: MB });
      void engine.tagImage(id('new'), 'app:a');
    };
    const result = await executePlan(engine, plan, { concurrency: 1 });
    expect(engine.images.get(id('new'))?.repoTags).toEqual(['app:a']);
    expect(engine.images.has(id('old'))).toBe(false);
    expect(result.deleted.map((d) => d.id).sort()).toEqual([id('old'), id('other')].sort());
  });

  it('deletes a multi-tag image whose inspect names a digest reference its listing did not (containerd store, Engine 28)', async () => {
    const { engine, plan } = setup(img('listed', ['app:1', 'mirror.local/app:1']));
    engine.images.get(id('listed'))!.repoDigests = [`app@${DIGEST}`];
    const result = await executePlan(engine, plan);
    expect(engine.images.has(id('listed'))).toBe(false);
    expect(result.unplanned).toEqual([]);
  });

  it('reports a reference the image gained after planning that its deletion by id took with it', async () => {
    const { engine, plan } = setup(img('dangling', []));
    engine.beforeRemove = () => void engine.tagImage(id('dangling'), 'late:1');
    const result = await executePlan(engine, plan);
    expect(engine.images.has(id('dangling'))).toBe(false);
    expect(result.unplanned).toEqual([{ image: plan[0], effect: 'also untagged late:1, a tag it gained after planning' }]);
  });

  it('reports the predicted bytes for an image with tags and digests in several repositories', async () => {
    // moby drops a repository's digests together with its last tag, so the image is gone
    // once the tags are: it was deleted by gc, not "already gone".
    const { engine, plan } = setup(img('pulled', ['app:1', 'mirror.local/app:1'], [`app@${DIGEST}`, `mirror.local/app@${DIGEST}`]));
    const result = await executePlan(engine, plan);
    expect(engine.images.has(id('pulled'))).toBe(false);
    expect(result.deleted.map((d) => [d.bytes, d.reason])).toEqual([[100 * MB, 'least recently used']]);
  });

  it('deletes an image that a digest in another repository still holds once its tag is gone', async () => {
    const { engine, plan } = setup(img('digested', ['app:1'], [`app@${DIGEST}`, `mirror.local/app@${DIGEST}`]));
    const result = await executePlan(engine, plan);
    expect(engine.images.get(id('digested'))).toBeUndefined();
    expect(result.deleted.map((d) => d.bytes)).toEqual([100 * MB]);
  });
});

describe('executePlan lets the engine have the last word', () => {
  it('keeps an image the engine refuses with 409, with code in-use and the engine message', async () => {
    const { engine, plan } = setup(img('busy', ['busy:1']));
    engine.beforeRemove = () => engine.containers.push({ id: 'c0ffee000000aaaa', name: 'late', imageId: id('busy'), state: 'exited' });
    const result = await executePlan(engine, plan);
    expect(engine.images.get(id('busy'))?.repoTags).toEqual(['busy:1']);
    expect(result.deleted).toEqual([]);
    expect(result.kept).toHaveLength(1);
    expect(result.kept[0]).toMatchObject({ id: id('busy'), code: 'in-use', bytes: 0 });
    expect(result.kept[0]?.reason).toMatch(/^the engine refused: conflict: unable to delete .* image is being used by stopped container c0ffee000000$/);
  });

  it('keeps a multi-tag image whose stopped container was created after the executor listed containers', async () => {
    const { engine, plan } = setup(img('busy', ['app:1', 'app:2', 'mirror.local/app:1']));
    engine.calls.length = 0;
    const listed = engine.listContainers.bind(engine);
    engine.listContainers = async (opts) => {
      // The first list (before any deletion) sees nothing; the container comes right after it.
      const answer = await listed(opts);
      if (!opts?.ancestor) engine.containers.push({ id: 'c0ffee000000aaaa', name: 'late', imageId: id('busy'), state: 'created' });
      return answer;
    };
    const result = await executePlan(engine, plan);
    expect(engine.images.get(id('busy'))?.repoTags).toEqual(['app:1', 'app:2', 'mirror.local/app:1']);
    expect(engine.calls.filter((c) => /^remove/.test(c))).toEqual([]);
    expect(result.kept.map((k) => [k.code, k.reason])).toEqual([['in-use', 'in use by container late (created), created after planning']]);
  });

  it('keeps a multi-tag image the engine refuses by id, a running container having come after the last look', async () => {
    const { engine, plan } = setup(img('busy', ['app:1', 'app:2']));
    engine.beforeRemove = () => engine.containers.push({ id: 'c0ffee000000aaaa', name: 'late', imageId: id('busy'), state: 'running' });
    const result = await executePlan(engine, plan);
    expect(engine.images.get(id('busy'))?.repoTags).toEqual(['app:1', 'app:2']);
    expect(result.kept[0]?.reason).toMatch(/^the engine refused: conflict: unable to delete .* \(cannot be forced\) - image is being used by running container c0ffee000000$/);
  });

  it('keeps an image whose container was created after planning without asking the engine to remove it', async () => {
    const { engine, plan } = setup(img('new-user', ['app:1']), img('free', ['free:1']));
    engine.containers.push({ id: 'c0ffee000000aaaa', name: 'web', imageId: id('new-user'), state: 'running' });
    const result = await executePlan(engine, plan);
    expect(removals(engine)).toEqual([`removeImage ${id('free')}`]);
    expect(engine.images.has(id('new-user'))).toBe(true);
    expect(result.kept).toEqual([{ ...plan[0], code: 'in-use', bytes: 0, reason: 'in use by container web (running), created after planning' }]);
  });

  it('counts an image already gone (404) as deleted with 0 bytes', async () => {
    const { engine, plan } = setup(img('gone', ['gone:1']), img('here', ['here:1']));
    engine.images.delete(id('gone'));
    const result = await executePlan(engine, plan);
    expect(engine.images.size).toBe(0);
    expect(result.deleted.map((d) => [d.id, d.bytes, d.reason]).sort()).toEqual([
      [id('gone'), 0, 'least recently used; already gone when gc reached it'],
      [id('here'), 100 * MB, 'least recently used'],
    ]);
  });

  it('counts an image with several tags that is already gone (404) as deleted with 0 bytes', async () => {
    const { engine, plan } = setup(img('gone', ['app:1', 'app:2']));
    engine.images.clear();
    const result = await executePlan(engine, plan);
    expect(result.deleted.map((d) => [d.id, d.bytes])).toEqual([[id('gone'), 0]]);
  });

  it('does not report as deleted an image tagged again after planning, and leaves its tags', async () => {
    const { engine, plan } = setup(img('retagged', ['app:1', 'app:2']));
    engine.images.get(id('retagged'))?.repoTags.push('app:latest');
    const result = await executePlan(engine, plan);
    expect(engine.images.get(id('retagged'))?.repoTags.sort()).toEqual(['app:1', 'app:2', 'app:latest']);
    expect(result.deleted).toEqual([]);
  });

  it('puts other engine errors in failed and goes on with the rest', async () => {
    const { engine, plan } = setup(img('broken', ['broken:1']), img('fine', ['fine:1']));
    engine.failNext.set('removeImage', new EngineError('The Docker engine at fake answered 500: driver failed.', { status: 500, said: 'driver failed' }));
    const result = await executePlan(engine, plan, { concurrency: 1 });
    expect([...engine.images.keys()]).toEqual([id('broken')]);
    expect(result.failed).toEqual([{ image: plan[0], message: 'The Docker engine at fake answered 500: driver failed.' }]);
    expect(result.deleted.map((d) => d.id)).toEqual([id('fine')]);
    expect(result.kept).toEqual([]);
  });
});

describe('executePlan pacing', () => {
  it('never has more removals in flight than the concurrency option', async () => {
    const images = Array.from({ length: 10 }, (_, i) => img(`img${i}`, [`img${i}:1`]));
    const { engine, plan } = setup(...images);
    let inFlight = 0;
    let most = 0;
    const remove = engine.removeImage.bind(engine);
    engine.removeImage = async (ref) => {
      most = Math.max(most, ++inFlight);
      await new Promise((resolve) => setTimeout(resolve, 2));
      try {
        return await remove(ref);
      } finally {
        inFlight--;
      }
    };
    const result = await executePlan(engine, plan, { concurrency: 3 });
    expect(most).toBe(3);
    expect(result.deleted).toHaveLength(10);
    expect(engine.images.size).toBe(0);
  });

  it('reports progress once per image with done, total and the bytes freed so far', async () => {
    const { engine, plan } = setup(img('a', ['a:1'], [], 10), img('b', ['b:1'], [], 20), img('c', ['c:1'], [], 30));
    const progress: [number, number, number][] = [];
    await executePlan(engine, plan, { concurrency: 1, onProgress: (done, total, freed) => progress.push([done, total, freed]) });
    expect(progress).toEqual([
      [1, 3, 10],
      [2, 3, 30],
      [3, 3, 60],
    ]);
  });
});

/**
 * dockerd on containerd's image store, deleting by id: it lists the image's names, then
 * deletes each name, so a tag moved to another image in between goes too. Moving a tag off
 * an image that has no other name keeps that image as a dangling one. Its /events follows
 * until the executor stops watching, and says which image a tag moved to.
 */
class TwoStepDeleteEngine extends FakeEngine {
  private live: EngineEvent[] = [];
  private dangling = new Set<string>();
  /** Runs between the listing of the names and their deletion. */
  between: (() => Promise<void>) | null = null;
  /** Runs after the first name is deleted. */
  afterFirstName: (() => Promise<void>) | null = null;
  /** A listed name that moved to another image meanwhile: deleted from it, or answered 404 for (both seen on Engine 26.1). */
  movedName: 'deleted' | 'not-found' = 'deleted';

  override async *events(opts: { signal?: AbortSignal } = {}): AsyncIterable<EngineEvent> {
    for (;;) {
      const next = this.live.shift();
      if (next) yield next;
      else if (opts.signal?.aborted) return;
      else await new Promise((r) => setTimeout(r, 5));
    }
  }

  override async tagImage(id: string, repoTag: string): Promise<void> {
    const from = [...this.images.values()].find((i) => i.repoTags.includes(repoTag));
    await super.tagImage(id, repoTag);
    if (from?.repoTags.length === 0) this.dangling.add(from.id);
    this.live.push({ type: 'image', action: 'tag', actorId: id, attributes: { name: repoTag }, timeNano: 0n });
  }

  override async removeImageAndReferences(id: string): Promise<RemovedImage> {
    const names = [...(this.images.get(id)?.repoTags ?? [])];
    // The dangling name, when it has one, is among the names listed.
    this.dangling.delete(id);
    await this.between?.();
    // The names deleted one by one, whichever image they name by now.
    for (const [i, name] of names.entries()) {
      if (this.movedName === 'not-found' && !this.images.get(id)?.repoTags.includes(name)) throw new EngineError(`image "docker.io/library/${name}": not found`, { status: 404 });
      for (const image of this.images.values()) image.repoTags = image.repoTags.filter((t) => t !== name);
      if (i === 0) await this.afterFirstName?.();
    }
    if (!this.dangling.has(id)) this.images.delete(id);
    return { untagged: names, deleted: [id] };
  }
}

describe('executePlan and a tag that moves while the engine deletes', () => {
  it("puts back a tag the engine's two-step deletion took from the image it had just moved to, and reports it", async () => {
    const engine = new TwoStepDeleteEngine({ images: [img('old', ['app:a', 'app:b']), img('new', ['keep/new:1'])] });
    engine.between = () => engine.tagImage(id('new'), 'app:a');
    const plan = [planned(img('old', ['app:a', 'app:b']))];
    const result = await executePlan(engine, plan);
    expect(engine.images.has(id('old'))).toBe(false);
    expect(engine.images.get(id('new'))?.repoTags.sort()).toEqual(['app:a', 'keep/new:1']);
    expect(result.unplanned).toEqual([{ image: plan[0], effect: `the engine's deletion also took app:a, which had moved to image ${id('new').slice(7, 19)} while it ran: tagged it back` }]);
  });

  it('deletes again an image the engine kept as dangling when its last other tag moved away mid-deletion, and puts that tag back', async () => {
    const engine = new TwoStepDeleteEngine({ images: [img('old', ['app:b', 'app:a']), img('new', ['keep/new:1'])] });
    engine.afterFirstName = () => engine.tagImage(id('new'), 'app:a');
    const plan = [planned(img('old', ['app:b', 'app:a']))];
    const result = await executePlan(engine, plan);
    expect(engine.images.has(id('old'))).toBe(false);
    expect(engine.images.get(id('new'))?.repoTags.sort()).toEqual(['app:a', 'keep/new:1']);
    expect(result.deleted.map((d) => [d.id, d.bytes, d.reason])).toEqual([
      [id('old'), 100 * MB, 'least recently used; deleted again: the engine had kept it when one of its tags moved to another image mid-deletion'],
    ]);
  });

  it('deletes again an image the engine answered 404 for, naming a tag that moved away, while it kept its other tags', async () => {
    const engine = new TwoStepDeleteEngine({ images: [img('old', ['app:a', 'app:b']), img('new', ['keep/new:1'])] });
    engine.movedName = 'not-found';
    engine.between = async () => {
      engine.between = null;
      await engine.tagImage(id('new'), 'app:a');
    };
    const plan = [planned(img('old', ['app:a', 'app:b']))];
    const result = await executePlan(engine, plan);
    expect(engine.images.has(id('old'))).toBe(false);
    expect(engine.images.get(id('new'))?.repoTags.sort()).toEqual(['app:a', 'keep/new:1']);
    expect(result.deleted.map((d) => [d.id, d.bytes, d.reason])).toEqual([[id('old'), 100 * MB, 'least recently used']]);
    expect(result.unplanned).toEqual([]);
  });

  it('fails, not "already gone", an image the engine keeps answering 404 for while it is still there', async () => {
    const engine = new TwoStepDeleteEngine({ images: [img('old', ['app:a', 'app:b'])] });
    engine.between = () => Promise.reject(new EngineError('no such image: app:a', { status: 404 }));
    const result = await executePlan(engine, [planned(img('old', ['app:a', 'app:b']))]);
    expect(engine.images.has(id('old'))).toBe(true);
    expect(result.deleted).toEqual([]);
    expect(result.failed.map((f) => f.message)).toEqual(['the engine answered "no such image: app:a" 3 times, and the image is still there']);
  });

  it('leaves to its tag an image tagged again after the engine kept it as dangling', async () => {
    const engine = new TwoStepDeleteEngine({ images: [img('old', ['app:b', 'app:a']), img('new', ['keep/new:1'])] });
    engine.afterFirstName = async () => {
      await engine.tagImage(id('new'), 'app:a');
      await engine.tagImage(id('old'), 'app:c');
    };
    const result = await executePlan(engine, [planned(img('old', ['app:b', 'app:a']))]);
    expect(engine.images.get(id('old'))?.repoTags).toEqual(['app:c']);
    expect(result.deleted).toEqual([]);
    expect(result.kept.map((k) => k.reason)).toEqual(['tagged again since planning (app:c)']);
  });

  it('does not take for a move a tag that came to the planned image from another one before gc began', async () => {
    const engine = new TwoStepDeleteEngine({ images: [img('old', ['app:a']), img('earlier', [])] });
    await engine.tagImage(id('earlier'), 'app:b');
    await engine.tagImage(id('old'), 'app:b');
    const result = await executePlan(engine, [planned(engine.images.get(id('old'))!)]);
    expect(engine.images.get(id('earlier'))?.repoTags).toEqual([]);
    expect(result.unplanned).toEqual([]);
  });

  it('leaves a moved tag alone when the engine did not take it', async () => {
    const engine = new TwoStepDeleteEngine({ images: [img('old', ['app:a', 'app:b']), img('new', ['keep/new:1'])] });
    const plan = [planned(img('old', ['app:a', 'app:b']))];
    const result = await executePlan(engine, plan);
    await engine.tagImage(id('new'), 'app:a');
    expect(result.unplanned).toEqual([]);
    expect(engine.calls.filter((c) => c.startsWith('tagImage'))).toEqual([`tagImage ${id('new')} app:a`]);
  });
});
