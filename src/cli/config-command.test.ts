import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { FLAG_DROP_IN } from '../plan/daemon-json-edit.js';
import { runInProcess, type InProcessRun } from './testing/run-in-process.js';

const FIXTURES = fileURLToPath(new URL('../../test/fixtures/host/', import.meta.url));
const NOW = new Date('2026-11-25T10:15:00Z');
const STAMP = '20261125T101500Z';
const UNIT = '[Service]\nType=notify\nExecStart=/usr/bin/dockerd -H fd:// --containerd=/run/containerd/containerd.sock\n';

const roots: string[] = [];
afterEach(() => {
  for (const r of roots.splice(0)) rmSync(r, { recursive: true, force: true });
});

/** A temp host tree: a copy of a fixture, or the given files. */
function host(fixture: string | null, files: Record<string, string> = {}): string {
  const root = mkdtempSync(join(tmpdir(), 'dockwarden-config-'));
  roots.push(root);
  if (fixture) cpSync(join(FIXTURES, fixture), root, { recursive: true });
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}
const read = (root: string, path: string): string => readFileSync(join(root, path), 'utf8');
const listing = (root: string, dir: string): string[] => readdirSync(join(root, dir)).sort();

function run(root: string, ...args: string[]): Promise<InProcessRun> {
  return runInProcess(['--host-root', root, 'config', 'set', ...args], NOW);
}
const errorLines = (stderr: string): string[] => stderr.split('\n').filter((l) => l.startsWith('dockwarden:') && !l.startsWith('dockwarden: note:'));

describe('dockwarden config set', () => {
  it('creates daemon.json (and /etc/docker) when there is none', async () => {
    const root = host(null, { '/lib/systemd/system/docker.service': UNIT });
    const r = await run(root, 'data-root', '/data/docker/');
    expect(r.code).toBe(0);
    expect(read(root, '/etc/docker/daemon.json')).toBe('{\n  "data-root": "/data/docker"\n}\n');
    expect(r.stdout).toBe(
      [
        'Changed /etc/docker/daemon.json:',
        '  data-root: (not set) -> "/data/docker".',
        'Restart docker to apply: systemctl restart docker. The data under the old root is not moved: use `dockwarden plan overlay2 …` to move it.',
        '',
      ].join('\n'),
    );
  });

  it('merges into the existing keys, with a backup of the old file', async () => {
    const root = host('healthy');
    const old = read(root, '/etc/docker/daemon.json');
    const r = await run(root, '--json', 'data-root', '/srv/docker');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report).toEqual({
      path: '/etc/docker/daemon.json',
      changes: ['data-root: "/data/docker" -> "/srv/docker".'],
      backupPath: `/etc/docker/daemon.json.dockwarden-${STAMP}`,
      changed: true,
      edits: [],
      restartNeeded: true,
      daemonReloadNeeded: false,
      dryRun: false,
    });
    expect(JSON.parse(read(root, '/etc/docker/daemon.json'))).toEqual({ ...JSON.parse(old), 'data-root': '/srv/docker' });
    expect(read(root, report.backupPath)).toBe(old);
  });

  it('says so and writes nothing when the value is already set', async () => {
    const root = host('healthy');
    const r = await run(root, 'storage-driver', 'overlay2');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('/etc/docker/daemon.json already has storage-driver "overlay2": nothing to change there.\n');
    expect(listing(root, '/etc/docker')).toEqual(['daemon.json']);
  });

  it('replaces the legacy graph key, and drops the devicemapper options with the driver', async () => {
    const root = host('graph-legacy');
    expect((await run(root, 'data-root', '/data/docker')).code).toBe(0);
    const r = await run(root, 'storage-driver', 'overlay2');
    expect(r.code).toBe(0);
    expect(JSON.parse(read(root, '/etc/docker/daemon.json'))).toEqual({ 'storage-driver': 'overlay2', 'data-root': '/data/docker' });
    expect(r.stdout).toContain('storage-opts: removed "dm.thinpooldev=/dev/mapper/docker-thinpool", "dm.use_deferred_removal=true", "dm.use_deferred_deletion=true"');
    expect(listing(root, '/etc/docker')).toEqual(['daemon.json', `daemon.json.dockwarden-${STAMP}`, `daemon.json.dockwarden-${STAMP}-2`]);
    expect(read(root, `/etc/docker/daemon.json.dockwarden-${STAMP}`)).toContain('"graph": "/data/docker"');
  });

  it('refuses a data-root that dockerd also gets as -g from a drop-in, then moves the flag with --remove-conflicting-flags', async () => {
    const root = host('ubuntu-conflict');
    const json = read(root, '/etc/docker/daemon.json');
    const refused = await run(root, 'data-root', '/data/docker');
    expect(refused.code).toBe(3);
    expect(errorLines(refused.stderr)).toEqual([
      'dockwarden: dockerd also gets data-root as a flag: `-g /mnt/docker` in /etc/systemd/system/docker.service.d/override.conf, which --remove-conflicting-flags would take out with an override in /etc/systemd/system/docker.service.d/zz-dockwarden-flags.conf. With both, dockerd refuses to start ("specified both as a flag and in the configuration file"), so /etc/docker/daemon.json was not changed.',
    ]);
    expect(read(root, '/etc/docker/daemon.json')).toBe(json);
    expect(listing(root, '/etc/docker')).toEqual(['daemon.json']);

    const moved = await run(root, '--remove-conflicting-flags', 'data-root', '/data/docker');
    expect(moved.code).toBe(0);
    expect(JSON.parse(read(root, '/etc/docker/daemon.json'))).toEqual({ 'data-root': '/data/docker', 'storage-driver': 'overlay2' });
    expect(read(root, `/etc/docker/daemon.json.dockwarden-${STAMP}`)).toBe(json);
    expect(read(root, FLAG_DROP_IN)).toBe('[Service]\nExecStart=\nExecStart=/usr/bin/dockerd -H fd://\n');
    expect(read(root, '/etc/systemd/system/docker.service.d/override.conf')).toContain('-g /mnt/docker');
    expect(moved.stdout).toContain(`Wrote ${FLAG_DROP_IN}: Overrides docker.service to take \`-g /mnt/docker\``);
    expect(moved.stdout).toContain('Run `systemctl daemon-reload` first');

    // The next run sees dockwarden's drop-in in force and finds nothing left to move.
    const again = await run(root, 'data-root', '/data/docker');
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('nothing to change there');
  });

  it('edits DOCKER_OPTS in /etc/default/docker when the unit passes it to dockerd', async () => {
    const root = host('debian-docker-io');
    const before = read(root, '/etc/default/docker');
    const r = await run(root, '--remove-conflicting-flags', '--json', 'data-root', '/data/docker');
    expect(r.code).toBe(0);
    expect(read(root, '/etc/default/docker')).toBe(before.replace('DOCKER_OPTS="--data-root=/srv/docker --log-opt max-size=50m"', 'DOCKER_OPTS="--log-opt max-size=50m"'));
    expect(read(root, `/etc/default/docker.dockwarden-${STAMP}`)).toBe(before);
    expect(existsSync(join(root, FLAG_DROP_IN))).toBe(false);
    expect(JSON.parse(r.stdout).edits).toEqual([
      { path: '/etc/default/docker', why: expect.stringMatching(/^Removes `--data-root=\/srv\/docker` from \/etc\/default\/docker/), backupPath: `/etc/default/docker.dockwarden-${STAMP}` },
    ]);
  });

  it('stops at a malformed daemon.json with one line, leaving it byte-identical', async () => {
    const root = host('malformed-daemon-json');
    const before = read(root, '/etc/docker/daemon.json');
    const r = await run(root, '--remove-conflicting-flags', 'data-root', '/data/docker');
    expect(r.code).toBe(3);
    expect(errorLines(r.stderr)).toEqual([expect.stringMatching(/^dockwarden: \/etc\/docker\/daemon.json is not valid JSON \(line 3, column 3: .*dockerd will refuse to start with it/)]);
    expect(read(root, '/etc/docker/daemon.json')).toBe(before);
    expect(listing(root, '/etc/docker')).toEqual(['daemon.json']);
  });

  it('--dry-run prints the new texts and writes nothing', async () => {
    const root = host('ubuntu-conflict');
    const json = read(root, '/etc/docker/daemon.json');
    const r = await run(root, '--dry-run', '--remove-conflicting-flags', 'data-root', '/data/docker');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Dry run: nothing was written.');
    expect(r.stdout).toContain('--- new /etc/docker/daemon.json\n{\n  "data-root": "/data/docker",\n  "storage-driver": "overlay2"\n}');
    expect(r.stdout).toContain(`--- new ${FLAG_DROP_IN}\n[Service]\nExecStart=\nExecStart=/usr/bin/dockerd -H fd://`);
    expect(read(root, '/etc/docker/daemon.json')).toBe(json);
    expect(listing(root, '/etc/docker')).toEqual(['daemon.json']);
    expect(existsSync(join(root, FLAG_DROP_IN))).toBe(false);
  });

  it('writes the file named by --daemon-json, under --host-root', async () => {
    const root = host(null, { '/lib/systemd/system/docker.service': UNIT });
    const r = await run(root, '--daemon-json', '/etc/docker/other.json', 'storage-driver', 'zfs');
    expect(r.code).toBe(0);
    expect(read(root, '/etc/docker/other.json')).toBe('{\n  "storage-driver": "zfs"\n}\n');
    expect(r.stderr).toContain('dockwarden: note: dockerd reads /etc/docker/daemon.json, not /etc/docker/other.json');
    expect(r.stdout).toContain('use `dockwarden plan zfs …` to move them');
  });

  it('edits the daemon.json of the dockerd behind --host, as every other command picks the engine', async () => {
    const root = host(null, {
      '/lib/systemd/system/docker.service': UNIT,
      '/proc/100/cmdline': '/usr/bin/dockerd\0-H\0fd://\0',
      '/proc/200/cmdline': '/usr/bin/dockerd\0-H\0unix:///run/other.sock\0--config-file\0/etc/docker/other.json\0',
    });
    const r = await runInProcess(['--host-root', root, '--host', 'unix:///var/run/other.sock', 'config', 'set', 'storage-driver', 'btrfs'], NOW);
    expect(r.code).toBe(0);
    expect(read(root, '/etc/docker/other.json')).toBe('{\n  "storage-driver": "btrfs"\n}\n');
    expect(existsSync(join(root, '/etc/docker/daemon.json'))).toBe(false);
    expect(r.stdout).toContain('Changed /etc/docker/other.json:');
  });

  it.each([
    [
      'a directory',
      (root: string) => mkdirSync(join(root, '/etc/docker/d'), { recursive: true }),
      '/etc/docker/d',
      'dockwarden: /etc/docker/d cannot be read (EISDIR): it is a directory; give the daemon.json file itself.',
    ],
    [
      '100,000 levels of nesting',
      (root: string) => writeFileSync(join(root, '/etc/docker/deep.json'), `${'['.repeat(100_000)}${']'.repeat(100_000)}`),
      '/etc/docker/deep.json',
      'dockwarden: /etc/docker/deep.json is nested more than 100 levels deep (line 1, column 101), deeper than any daemon.json option goes: dockerd will refuse to start with it; fix the file or move it aside.',
    ],
  ])('refuses --daemon-json naming %s with one line and exit 3', async (_what, make, path, line) => {
    const root = host('healthy');
    make(root);
    const r = await run(root, '--daemon-json', path, 'data-root', '/data/docker');
    expect(r.code).toBe(3);
    expect(errorLines(r.stderr)).toEqual([line]);
  });

  it.each([
    [['data-root', 'data/docker'], 'dockwarden: data-root must be an absolute path, not "data/docker".'],
    [['storage-driver', 'aufs'], 'dockwarden: storage-driver must be one of overlay2, btrfs, zfs, devicemapper, vfs, fuse-overlayfs, not "aufs".'],
    [['log-driver', 'local'], 'dockwarden: `config set` knows data-root and storage-driver, not "log-driver".'],
  ])('refuses bad input %j with one line and exit 3', async (args, line) => {
    const root = host('healthy');
    const r = await run(root, ...args);
    expect(r.code).toBe(3);
    expect(errorLines(r.stderr)).toEqual([line]);
    expect(listing(root, '/etc/docker')).toEqual(['daemon.json']);
  });
});
