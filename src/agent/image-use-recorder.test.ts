import { afterEach, describe, expect, it } from 'vitest';
import { FakeEngine } from '../engine/testing/fake-engine.js';
import { NOW, storeFactory, tempDir } from '../store/testing/temp-store.js';
import { makeGcPolicy } from '../gc/gc-policy.js';
import { planGc } from '../gc/plan-gc.js';
import { image, inventory } from '../gc/testing/build-inventory.js';
import { recordedUses } from './gc-history.js';
import { ImageUseRecorder } from './image-use-recorder.js';

const t = tempDir();
const stores = storeFactory(t);
afterEach(() => stores.closeAll());

const event = (type: string, action: string, actorId: string, attributes: Record<string, string> = {}, atMs = NOW) => ({ type, action, actorId, attributes, timeNano: BigInt(atMs) * 1_000_000n });

describe('ImageUseRecorder', () => {
  it("records a container's image that arrived after its load event was seen (Podman names the uploaded tar, and lists the image later)", async () => {
    const engine = new FakeEngine();
    const store = stores.open('race.db');
    const recorder = new ImageUseRecorder(engine, store);
    await recorder.refresh(NOW - 60_000);
    await recorder.onEvent(event('image', 'load', '/var/tmp/api_load.tar-123'));
    engine.images.set('sha256:new', { id: 'sha256:new', repoTags: ['localhost/agent/seen:1'], repoDigests: [], size: 1 });
    await recorder.onEvent(event('container', 'create', 'c1', { image: 'localhost/agent/seen:1' }, NOW + 200));
    expect(store.imageUses().get('sha256:new')).toMatchObject({ lastUsed: NOW + 200, lastUseSource: 'container create event' });
  });

  it('does not re-read the image list on every event naming an image it cannot find', async () => {
    const engine = new FakeEngine();
    const recorder = new ImageUseRecorder(engine, stores.open('miss.db'));
    await recorder.refresh(NOW);
    const reads = () => engine.calls.filter((c) => c.startsWith('listImages')).length;
    const before = reads();
    for (let i = 0; i < 50; i++) await recorder.onEvent(event('container', 'exec_start', 'c1', { image: 'gone:1' }, NOW + i));
    expect(reads() - before).toBeLessThanOrEqual(1);
  });

  it('takes an image deleted and loaded again as newly arrived, so --min-age keeps it (issue 14, defect 2)', async () => {
    const engine = new FakeEngine();
    const store = stores.open('back.db');
    const recorder = new ImageUseRecorder(engine, store);
    const app = image('app', { storedAt: null, created: NOW - 400 * 86_400_000 });
    engine.images.set(app.id, { id: app.id, repoTags: ['app:latest'], repoDigests: [], size: 1 });
    await recorder.refresh(NOW - 86_400_000);
    await recorder.onEvent(event('image', 'load', app.id, {}, NOW - 86_400_000));
    await recorder.onEvent(event('image', 'untag', app.id, { name: 'app:latest' }, NOW - 2000));
    await recorder.onEvent(event('image', 'delete', app.id, {}, NOW - 2000));
    await recorder.onEvent(event('image', 'load', app.id, {}, NOW - 700));
    const plan = planGc({
      inventory: inventory({ images: [app] }),
      usage: { kind: 'filesystem', path: '/var/lib/docker', sizeBytes: 1000, availBytes: 10 },
      policy: makeGcPolicy({ minAgeMs: 60_000 }),
      now: NOW,
      recorded: recordedUses(store),
    });
    expect(plan.delete).toEqual([]);
    expect(plan.keep[0]).toMatchObject({ id: app.id, code: 'min-age' });
    expect(plan.keep[0]?.reason).toContain('seen by the agent arriving again after its deletion');
  });
});
