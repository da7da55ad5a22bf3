import { describe, expect, it } from 'vitest';
import type { DockerInfo } from '../engine/docker-info.js';
import type { HostFacts } from '../facts.js';
import type { ConfigSetting, LocalFacts, UpgradeFacts } from '../host/local-facts.js';
import { runDoctor } from './run-doctor.js';
import { makeFacts, makeFs, makeLocal, makeSetting } from './testing/build-facts.js';

// dockerd started with --config-file reads that file and never /etc/docker/daemon.json:
// a fix that tells the operator to edit the default file changes nothing.

const CONFIG = '/etc/docker/prod.json';

/** A host whose dockerd reads CONFIG, bent so that every check that edits daemon.json fires. */
function hostReading(path: string, settings: ConfigSetting[], overrides: Partial<LocalFacts> = {}): LocalFacts {
  const local = makeLocal(overrides, settings);
  return { ...local, dockerConfig: { ...local.dockerConfig, daemonJsonPath: path } };
}

function factsReading(path: string, info: Partial<DockerInfo>): HostFacts {
  const shared = makeFs({ mountPoint: '/', deviceId: '8:1' });
  const settings = [makeSetting('data-root', '/srv/docker', { origin: 'etc-default-docker', file: '/etc/default/docker', text: 'DOCKER_OPTS="-g /srv/docker"', effective: false })];
  const upgrades: UpgradeFacts = { aptDailyUpgradeTimer: 'enabled', unattendedUpgrade: true, packageBlacklist: [], files: ['/etc/apt/apt.conf.d/20auto-upgrades'] };
  return makeFacts({ host: hostReading(path, settings, { dataRootFs: shared, rootFs: shared, upgrades }), info });
}

/** Every "# FILE.json: …" line of every fix, and every summary that names a .json file. */
function daemonJsonMentions(facts: HostFacts): { id: string; text: string }[] {
  return runDoctor(facts).findings.flatMap((f) => [f.fix.summary, ...f.fix.commands].filter((t) => /\/\S+\.json\b/.test(t)).map((text) => ({ id: f.id, text })));
}

describe('fixes name the daemon.json dockerd reads', () => {
  it.each<[string, Partial<DockerInfo>]>([
    [
      'overlay2 without d_type',
      {
        DriverStatus: [
          ['Backing Filesystem', 'xfs'],
          ['Supports d_type', 'false'],
        ],
      },
    ],
    [
      'devicemapper direct-lvm without deferred removal',
      {
        Driver: 'devicemapper',
        ServerVersion: '20.10.24',
        DriverStatus: [
          ['Pool Name', 'docker-thinpool'],
          ['Deferred Removal Enabled', 'false'],
          ['Deferred Deletion Enabled', 'false'],
        ],
      },
    ],
  ])('%s, with the data root on /, unbounded logs and unattended upgrades', (_what, info) => {
    const mentions = daemonJsonMentions(factsReading(CONFIG, info));
    const ids = new Set(mentions.map((m) => m.id));
    // The checks whose fixes edit daemon.json are all in play.
    expect([...ids]).toEqual(expect.arrayContaining(['data-root.config-conflict', 'data-root.on-root-fs', 'logging.unbounded', 'upgrade.restarts-docker']));
    expect(ids.has('storage.no-dtype') || ids.has('thinpool.no-deferred') || ids.has('storage.deprecated-driver')).toBe(true);
    for (const m of mentions) expect(`${m.id}: ${m.text}`).not.toContain('/etc/docker/daemon.json');
    for (const m of mentions) expect(`${m.id}: ${m.text}`).toContain(CONFIG);
  });

  it('names /etc/docker/daemon.json when that is what dockerd reads, or when a paste cannot say', () => {
    const info = {
      DriverStatus: [
        ['Backing Filesystem', 'xfs'],
        ['Supports d_type', 'false'],
      ] as [string, string][],
    };
    expect(daemonJsonMentions(factsReading('/etc/docker/daemon.json', info)).every((m) => m.text.includes('/etc/docker/daemon.json'))).toBe(true);
    const pasted = runDoctor(makeFacts({ host: null, info })).findings.find((f) => f.id === 'storage.no-dtype');
    expect(pasted?.fix.commands).toContain('# /etc/docker/daemon.json: { "data-root": "/data/docker", "storage-driver": "overlay2" }');
  });
});
