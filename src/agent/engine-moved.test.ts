import { describe, expect, it } from 'vitest';
import type { EngineIdentity } from '../store/agent-store.js';
import { engineMoved, wantsForensics } from './engine-moved.js';

const identity = (over: Partial<EngineIdentity> = {}): EngineIdentity => ({
  at: 0,
  engineId: 'E',
  serverVersion: '26.1',
  dockerRootDir: '/var/lib/docker',
  driver: 'overlay2',
  imageStore: 'graph',
  images: 10,
  containers: 2,
  ...over,
});

describe('engineMoved', () => {
  it('has nothing to compare with on the first connection', () => {
    expect(engineMoved(identity(), [])).toEqual({ moved: false, reason: 'the engine was never seen before: nothing to compare with' });
  });

  it('is not moved at the same root and driver', () => {
    expect(engineMoved(identity({ images: 3 }), [identity()])).toEqual({ moved: false, reason: 'the engine is at /var/lib/docker (overlay2), as when it was last seen' });
  });

  it('is moved when the data root changed since it was last seen', () => {
    expect(engineMoved(identity(), [identity({ dockerRootDir: '/data/docker' })])).toEqual({
      moved: true,
      reason: 'the engine was at /data/docker (overlay2) when last seen and is at /var/lib/docker (overlay2) now',
    });
  });

  it('is moved when the storage driver changed', () => {
    expect(engineMoved(identity({ driver: 'overlay2' }), [identity({ driver: 'devicemapper' })])).toMatchObject({ moved: true });
  });

  it('compares with the last identity only: a move back and forth long ago is not a move now', () => {
    expect(engineMoved(identity(), [identity(), identity({ dockerRootDir: '/data/docker' })])).toMatchObject({ moved: false });
  });

  it('leaves a switch of image store alone to the drift guard', () => {
    expect(engineMoved(identity({ imageStore: 'containerd' }), [identity()])).toMatchObject({ moved: false });
  });
});

describe('wantsForensics', () => {
  it('looks after a reconnection or a move, not at a plain first start', () => {
    expect(wantsForensics(true, { moved: false, reason: '' })).toBe(true);
    expect(wantsForensics(false, { moved: true, reason: '' })).toBe(true);
    expect(wantsForensics(false, { moved: false, reason: '' })).toBe(false);
  });
});
