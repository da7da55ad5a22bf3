import { describe, expect, it } from 'vitest';
import type { ConfigSetting } from '../host/local-facts.js';
import type { EngineIdentity } from '../store/agent-store.js';
import { checkDrift, type DriftInput } from './drift-guard.js';

const T = Date.parse('2026-11-25T06:20:00Z');
const identity = (root: string, images: number, at: number, driver = 'overlay2'): EngineIdentity => ({
  at,
  engineId: 'ABCD:EFGH',
  serverVersion: '24.0.6',
  dockerRootDir: root,
  driver,
  imageStore: 'graph',
  images,
  containers: Math.min(images, 14),
});
const daemonJson = (value: string, effective = true): ConfigSetting => ({
  key: 'data-root',
  value,
  origin: 'daemon.json',
  file: '/etc/docker/daemon.json',
  text: `"data-root": "${value}"`,
  effective,
  ...(effective ? {} : { ineffectiveReason: 'dockerd runs with --config-file /srv/daemon.json' }),
});

function input(over: Partial<DriftInput>): DriftInput {
  return {
    current: identity('/var/lib/docker', 0, T),
    history: [identity('/data/docker', 120, T - 60_000), identity('/data/docker', 118, T - 3_600_000)],
    previousContents: { images: 120, containers: 14, unreadable: [] },
    rootSettings: [daemonJson('/data/docker')],
    forensics: ['containerd.io upgraded 1.6.19-1 -> 1.6.20-1 by apt at 06:20:14'],
    ...over,
  };
}

describe('checkDrift', () => {
  it('flags the apt-daily-upgrade story: the root fell back to /var/lib/docker and 120 images "vanished"', () => {
    const f = checkDrift(input({}));
    expect(f).toMatchObject({ id: 'data-root.drift', severity: 'critical', title: 'Docker Root Dir changed from /data/docker to /var/lib/docker' });
    expect(f?.evidence).toEqual(
      expect.arrayContaining([
        'images: 0 now, 120 before; containers: 0 now, 14 before',
        '/data/docker still holds 120 images and 14 containers',
        '/etc/docker/daemon.json: "data-root": "/data/docker"',
        'containerd.io upgraded 1.6.19-1 -> 1.6.20-1 by apt at 06:20:14',
      ]),
    );
    expect(f?.fix.summary).toMatch(/set "data-root" in \/etc\/docker\/daemon.json and restart onto it/);
  });

  it('names the config file dockerd does not read when that is where the root was set', () => {
    const f = checkDrift(input({ rootSettings: [daemonJson('/data/docker', false)] }));
    expect(f?.fix.summary).toMatch(/^\/etc\/docker\/daemon.json sets the root to \/data\/docker, but dockerd does not read it \(dockerd runs with --config-file/);
  });

  it('flags a storage driver change, whose images are hidden rather than lost', () => {
    const f = checkDrift(input({ current: identity('/data/docker', 0, T, 'vfs'), history: [identity('/data/docker', 40, T - 60_000)] }));
    expect(f?.title).toBe('Storage driver changed from overlay2 to vfs on /data/docker');
    expect(f?.fix.summary).toMatch(/"storage-driver": "overlay2"/);
  });

  it("flags a switch to containerd's image store, which hides every image of the graph driver", () => {
    const containerd = { ...identity('/data/docker', 0, T, 'overlayfs'), imageStore: 'containerd' as const };
    const f = checkDrift(input({ current: containerd, history: [identity('/data/docker', 40, T - 60_000)] }));
    expect(f?.severity).toBe('critical');
    expect(f?.title).toBe("The image store switched from the overlay2 graph driver to containerd's image store (overlayfs snapshotter) on /data/docker");
    expect(f?.fix.summary).toMatch(/^Images of the overlay2 graph driver are hidden, not lost: switch back with "features": \{"containerd-snapshotter": false\}/);
  });

  it('is a warning when the data moved with the engine and a copy was left behind', () => {
    const f = checkDrift(input({ current: identity('/srv/docker', 120, T), rootSettings: [daemonJson('/srv/docker')] }));
    expect(f?.severity).toBe('warning');
    expect(f?.fix.summary).toMatch(/now points the root at \/srv\/docker while \/data\/docker holds the data/);
  });

  it('stays quiet for a clean move, for an engine that never moved, and once it is back', () => {
    expect(checkDrift(input({ current: identity('/srv/docker', 120, T), previousContents: { images: 0, containers: 0, unreadable: [] } }))).toBeNull();
    expect(checkDrift(input({ current: identity('/data/docker', 120, T), history: [identity('/data/docker', 118, T - 60_000)] }))).toBeNull();
    // Back on /data/docker after a spell on an empty /var/lib/docker: the place it left holds nothing.
    const back = input({
      current: identity('/data/docker', 120, T + 60_000),
      history: [identity('/var/lib/docker', 0, T), identity('/data/docker', 120, T - 60_000)],
      previousContents: { images: 0, containers: 0, unreadable: [] },
    });
    expect(checkDrift(back)).toBeNull();
  });

  it('does not take a move for a clean one when the old root could not be looked into', () => {
    const f = checkDrift(input({ current: identity('/srv/docker', 120, T), previousContents: { images: null, containers: null, unreadable: ['/data/docker/containers: EACCES'] } }));
    expect(f?.severity).toBe('warning');
    expect(f?.evidence).toContain('/data/docker could not be looked into (/data/docker/containers: EACCES): run dockwarden as root to count what it holds');
  });

  it('still sees the collapse on a remote engine, where the old root cannot be counted', () => {
    expect(checkDrift(input({ previousContents: null }))?.severity).toBe('critical');
  });
});
