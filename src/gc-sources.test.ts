import { describe, expect, it } from 'vitest';
import { UsageError } from './core/errors.js';
import type { DockerInfo } from './engine/docker-info.js';
import { FakeEngine } from './engine/testing/fake-engine.js';
import { fakeHostProbe, usage } from './host/testing/fake-host-probe.js';
import { usageSource } from './gc-sources.js';

const info = { DockerRootDir: '/srv/docker', Driver: 'overlay2' } as DockerInfo;
const probe = fakeHostProbe({ statfs: { '/srv': usage(1000, 900) } });

describe('how gc measures usage', () => {
  it('measures the data root filesystem of a local engine with statfs', async () => {
    await expect(usageSource(new FakeEngine(), info, true, probe, false)()).resolves.toEqual({ kind: 'filesystem', path: '/srv/docker', sizeBytes: 1000, availBytes: 100 });
  });

  it('counts the images against the budget when --budget is given, even locally', async () => {
    const engine = new FakeEngine({ images: [{ id: 'sha256:a', repoTags: ['a:1'], size: 300 }, { id: 'sha256:b', repoTags: ['b:1'], size: 200 }] });
    await expect(usageSource(engine, info, true, probe, true)()).resolves.toEqual({ kind: 'budget', imageBytes: 500 });
  });

  it('asks for --budget when the engine is on another machine', () => {
    expect(() => usageSource(new FakeEngine(), info, false, probe, false)).toThrow(UsageError);
    expect(() => usageSource(new FakeEngine(), info, false, probe, false)).toThrow(/not on this machine.*give --budget SIZE/);
  });

  it('says how to fix it when the data root cannot be measured from here', async () => {
    const blind = fakeHostProbe({});
    await expect(usageSource(new FakeEngine(), info, true, blind, false)()).rejects.toThrow(/Cannot measure the filesystem of the data root \/srv\/docker \(ENOSYS\).*--host-root.*--budget/);
  });
});
