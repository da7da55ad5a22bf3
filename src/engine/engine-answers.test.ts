import { describe, expect, it } from 'vitest';
import { containerList, engineEvent, imageDetails, imageList, removedImage, serviceList, systemDf, versionAnswer } from './engine-answers.js';

const ID = `sha256:${'a'.repeat(64)}`;

describe('engine answers read with plain guards', () => {
  it('reads an image list as older and newer engines write it', () => {
    expect(
      imageList([
        { Id: ID, RepoTags: ['<none>:<none>'], RepoDigests: ['<none>@<none>'], Created: 1700000000, Size: 123, SharedSize: -1, Containers: -1, ParentId: '', Labels: null },
        { Id: 'b'.repeat(64), RepoTags: null, Created: 1, Size: 2, Labels: { team: 'web', bogus: 3 } },
      ]),
    ).toEqual([
      { id: ID, repoTags: [], repoDigests: [], created: 1700000000, size: 123, sharedSize: -1, containers: -1, parentId: '', labels: {} },
      // Podman writes some ids bare.
      { id: `sha256:${'b'.repeat(64)}`, repoTags: [], repoDigests: [], created: 1, size: 2, sharedSize: -1, containers: -1, parentId: '', labels: { team: 'web' } },
    ]);
  });

  it('reads a field of another type as absent, and refuses an entry without an Id', () => {
    expect(containerList([{ Id: 'c1', Names: ['/web', 7], Image: 'app:1', ImageID: ID, State: 5, Created: '1', SizeRw: 10 }])).toEqual([
      { id: 'c1', names: ['web'], image: 'app:1', imageId: ID, state: '', created: 0, labels: {}, sizeRw: 10 },
    ]);
    expect(() => containerList([{ Names: ['/web'] }])).toThrow('/containers/json answered an entry without Id');
    expect(() => imageList({ message: 'x' })).toThrow('/images/json answered object, not a JSON array');
    expect(imageList(null)).toEqual([]);
  });

  it('reads /system/df with null lists and the reclaimable build cache', () => {
    const df = systemDf({
      LayersSize: 1000,
      Images: null,
      Containers: [{ Id: 'c1', ImageID: ID, SizeRw: 5 }],
      Volumes: [
        { Name: 'data', UsageData: { Size: 9, RefCount: 1 } },
        { Name: 'new', UsageData: null },
      ],
      BuildCache: [{ Size: 10, InUse: true }, { Size: 20, Shared: true }, { Size: 40 }],
    });
    expect(df.layersSize).toBe(1000);
    expect(df.containers[0]?.sizeRw).toBe(5);
    expect(df.volumes).toEqual([
      { name: 'data', size: 9, refCount: 1 },
      { name: 'new', size: -1, refCount: -1 },
    ]);
    expect(df.buildCache).toEqual({ count: 3, size: 70, inUse: 1, reclaimable: 40 });
  });

  it('keeps every digit of timeNano, which a JSON number cannot hold', () => {
    const line = '{"Type":"image","Action":"pull","Actor":{"ID":"app:1","Attributes":{"name":"app"}},"time":1733310000,"timeNano":1733310000123456789}';
    expect(BigInt((JSON.parse(line) as { timeNano: number }).timeNano)).not.toBe(1733310000123456789n);
    expect(engineEvent(line)).toEqual({ type: 'image', action: 'pull', actorId: 'app:1', attributes: { name: 'app' }, timeNano: 1733310000123456789n });
  });

  it("reads old engines' events (status, id, time) and Podman's action names", () => {
    expect(engineEvent('{"status":"start","id":"c1","time":1500000000}')).toEqual({ type: 'container', action: 'start', actorId: 'c1', attributes: {}, timeNano: 1500000000000000000n });
    expect(engineEvent('{"Type":"image","Action":"remove","Actor":{"ID":"x"},"timeNano":1}').action).toBe('delete');
    expect(() => engineEvent('{"Type":')).toThrow('/events sent a line that is not JSON');
  });

  it('reads an image inspect, Go zero time as never tagged', () => {
    expect(imageDetails({ Id: ID, Size: 7, RootFS: { Layers: ['sha256:1', 'sha256:2'] }, Metadata: { LastTagTime: '0001-01-01T00:00:00Z' } })).toEqual({
      id: ID,
      diffIds: ['sha256:1', 'sha256:2'],
      lastTagTime: null,
      size: 7,
    });
    expect(imageDetails({ Id: ID, Metadata: { LastTagTime: '2024-12-04T10:00:00.5Z' } }).lastTagTime).toBe(Date.parse('2024-12-04T10:00:00.5Z'));
  });

  it('reads a deletion, with bare Podman ids made whole', () => {
    expect(removedImage([{ Untagged: 'app:1' }, { Deleted: 'c'.repeat(64) }, 'junk'])).toEqual({ untagged: ['app:1'], deleted: [`sha256:${'c'.repeat(64)}`] });
  });

  it('reads services, their previous spec and update settings, ignoring mistyped fields', () => {
    const [svc] = serviceList([
      {
        ID: 's1',
        Spec: { Name: 'api', Mode: { Replicated: { Replicas: 2 } }, TaskTemplate: { ContainerSpec: { Image: 'api:2' } }, UpdateConfig: { Parallelism: 1, FailureAction: 'rollback', Monitor: 'soon' } },
        PreviousSpec: { Name: 'api', TaskTemplate: { ContainerSpec: { Image: 'api:1' } } },
      },
    ]);
    expect(svc).toEqual({
      id: 's1',
      name: 'api',
      image: 'api:2',
      previousImage: 'api:1',
      mode: 'replicated',
      updateConfig: { failureAction: 'rollback', monitorNs: null, parallelism: 1, order: null },
      rollbackConfig: null,
    });
  });

  it('reads /version, and refuses one without ApiVersion', () => {
    expect(versionAnswer({ Version: '28.5.2', ApiVersion: '1.51', MinAPIVersion: '1.24', Components: [{ Name: 'Engine', Version: '28.5.2' }] })).toEqual({
      version: '28.5.2',
      apiVersion: '1.51',
      minApiVersion: '1.24',
      components: [{ name: 'Engine', version: '28.5.2' }],
    });
    expect(() => versionAnswer({ Version: '1' })).toThrow('/version answered without ApiVersion');
  });
});
