import { describe, expect, it } from 'vitest';
import { UsageError } from '../core/errors.js';
import type { ConfigSetting } from '../host/local-facts.js';
import { describeFlag, editDaemonJson, FLAG_DROP_IN, findFlagConflicts, flagRemovalEdits, type FlagConflict } from './daemon-json-edit.js';

function setting(over: Partial<ConfigSetting>): ConfigSetting {
  return { key: 'data-root', value: '/mnt/docker', origin: 'systemd-drop-in', file: '/etc/systemd/system/docker.service.d/override.conf', text: '', effective: true, ...over };
}
const conflict = (over: Partial<ConfigSetting>, key = 'data-root'): FlagConflict => ({ key, setting: setting(over) });

describe('editDaemonJson', () => {
  it('keeps existing keys in place, appends new ones, and never mutates its input', () => {
    const current = { 'log-driver': 'json-file', 'data-root': '/var/lib/docker', 'live-restore': true };
    const edit = editDaemonJson(current, { set: { 'data-root': '/data/docker', 'storage-driver': 'overlay2' } });
    expect(Object.keys(edit.json)).toEqual(['log-driver', 'data-root', 'live-restore', 'storage-driver']);
    expect(edit.text).toBe(`${JSON.stringify(edit.json, null, 2)}\n`);
    expect(edit.changes).toEqual(['data-root: "/var/lib/docker" -> "/data/docker".', 'storage-driver: (not set) -> "overlay2".']);
    expect(current).toEqual({ 'log-driver': 'json-file', 'data-root': '/var/lib/docker', 'live-restore': true });
  });

  it('says nothing for values that are already set', () => {
    const edit = editDaemonJson({ 'data-root': '/data', 'storage-opts': ['overlay2.size=10G'] }, { set: { 'data-root': '/data', 'storage-opts': ['overlay2.size=10G'] } });
    expect(edit.changes).toEqual([]);
  });

  it('unsets keys that are there and ignores those that are not', () => {
    const edit = editDaemonJson({ 'storage-opts': ['dm.basesize=20G'], debug: true }, { set: {}, unset: ['storage-opts', 'graph'] });
    expect(edit.json).toEqual({ debug: true });
    expect(edit.changes).toEqual(['storage-opts: ["dm.basesize=20G"] -> (removed).']);
  });

  it('drops the legacy "graph" key when data-root is set, and says why', () => {
    const edit = editDaemonJson({ graph: '/data/docker', 'storage-driver': 'overlay2' }, { set: { 'data-root': '/data/docker' } });
    expect(edit.json).toEqual({ 'storage-driver': 'overlay2', 'data-root': '/data/docker' });
    expect(edit.changes[1]).toBe('graph: "/data/docker" -> (removed): "graph" is the pre-17.05 name of data-root and dockerd refuses to start with both.');
  });

  it('drops the options of another driver when the driver changes, keeping its own and unprefixed ones', () => {
    const current = {
      'storage-driver': 'devicemapper',
      'storage-opts': ['dm.thinpooldev=/dev/mapper/docker-thinpool', 'overlay2.size=20G', 'size=10G', 'dm.use_deferred_removal=true'],
    };
    const edit = editDaemonJson(current, { set: { 'storage-driver': 'overlay2' } });
    expect(edit.json['storage-opts']).toEqual(['overlay2.size=20G', 'size=10G']);
    expect(edit.changes[1]).toBe(
      'storage-opts: removed "dm.thinpooldev=/dev/mapper/docker-thinpool", "dm.use_deferred_removal=true": options of devicemapper, which dockerd refuses with storage-driver "overlay2".',
    );
  });

  it('removes storage-opts altogether when none is left, and leaves an explicit storage-opts alone', () => {
    const current = { 'storage-driver': 'devicemapper', 'storage-opts': ['dm.basesize=20G'] };
    expect(editDaemonJson(current, { set: { 'storage-driver': 'zfs' } }).json).toEqual({ 'storage-driver': 'zfs' });
    expect(editDaemonJson(current, { set: { 'storage-driver': 'zfs', 'storage-opts': ['zfs.fsname=tank/docker'] } }).json).toEqual({
      'storage-driver': 'zfs',
      'storage-opts': ['zfs.fsname=tank/docker'],
    });
  });
});

describe('findFlagConflicts', () => {
  it('pairs each daemon.json key with the effective flags of the same setting', () => {
    const settings = [
      setting({ origin: 'daemon.json', file: '/etc/docker/daemon.json' }),
      setting({ text: 'ExecStart=/usr/bin/dockerd -g /mnt/docker' }),
      setting({ key: 'storage-opt', value: 'dm.basesize=20G', origin: 'etc-sysconfig-docker', file: '/etc/sysconfig/docker-storage' }),
      setting({ value: '/old', effective: false, ineffectiveReason: 'cleared' }),
      setting({ key: 'log-driver', value: 'journald' }),
    ];
    expect(findFlagConflicts(settings, ['data-root', 'storage-opts', 'live-restore']).map((c) => [c.key, c.setting.value])).toEqual([
      ['data-root', '/mnt/docker'],
      ['storage-opts', 'dm.basesize=20G'],
    ]);
  });
});

describe('flagRemovalEdits: docker.service and drop-ins', () => {
  const dropIn = (value: string, keys: Array<[string, string, string]>, texts: Record<string, string | null> = {}) =>
    flagRemovalEdits(
      keys.map(([jsonKey, key, v]) => conflict({ key, value: v, text: `ExecStart=${value}` }, jsonKey)),
      { [FLAG_DROP_IN]: null, ...texts },
    );

  it('writes a drop-in with the command line in force minus the flag, and leaves the unit alone', () => {
    const edits = dropIn('/usr/bin/dockerd -H fd:// -g /mnt/docker', [['data-root', 'data-root', '/mnt/docker']]);
    expect(edits).toEqual([
      {
        path: FLAG_DROP_IN,
        before: null,
        after: '[Service]\nExecStart=\nExecStart=/usr/bin/dockerd -H fd://\n',
        why: "Overrides docker.service to take `-g /mnt/docker` (set in /etc/systemd/system/docker.service.d/override.conf) off dockerd's command line without editing the packaged unit, because daemon.json now sets data-root and dockerd refuses to start with a directive given both as a flag and in daemon.json.",
      },
    ]);
  });

  it.each([
    ['-g /data', 'data-root'],
    ['-g/data', 'data-root'],
    ['-g=/data', 'data-root'],
    ['--graph /data', 'data-root'],
    ['--graph=/data', 'data-root'],
    ['--data-root /data', 'data-root'],
    ['--data-root=/data', 'data-root'],
    ['-s overlay2', 'storage-driver'],
    ['-soverlay2', 'storage-driver'],
    ['--storage-driver=overlay2', 'storage-driver'],
    ['--storage-driver overlay2', 'storage-driver'],
    ['--storage-opt dm.basesize=20G', 'storage-opt'],
    ['--storage-opt=dm.basesize=20G', 'storage-opt'],
  ])('removes %s and keeps the rest, $VARIABLES unexpanded', (flag, key) => {
    const line = `/usr/bin/dockerd -H fd:// ${flag} --containerd=/run/containerd/containerd.sock $DOCKER_OPTS \${EXTRA}`;
    const [edit] = dropIn(line, [['x', key, 'v']]);
    expect(edit?.after).toBe('[Service]\nExecStart=\nExecStart=/usr/bin/dockerd -H fd:// --containerd=/run/containerd/containerd.sock $DOCKER_OPTS ${EXTRA}\n');
  });

  it('removes several flags at once, keeps quoting, and knows `docker daemon` and the @ prefix', () => {
    const line = `@/usr/bin/docker docker daemon -g /data --label "a b" -s devicemapper --storage-opt dm.basesize=20G --storage-opt=dm.fs=xfs`;
    const [edit] = dropIn(line, [
      ['data-root', 'data-root', '/data'],
      ['storage-driver', 'storage-driver', 'devicemapper'],
      ['storage-opts', 'storage-opt', 'dm.basesize=20G'],
    ]);
    expect(edit?.after).toBe('[Service]\nExecStart=\nExecStart=@/usr/bin/docker docker daemon --label "a b"\n');
  });

  it('replaces an earlier dockwarden drop-in, keeping the variables it set', () => {
    const earlier = '[Service]\nExecStart=\nExecStart=/usr/bin/dockerd -H fd:// -s devicemapper\nEnvironment="DOCKER_OPTS=--log-level warn"\n';
    const edits = flagRemovalEdits([conflict({ key: 'storage-driver', value: 'devicemapper', file: FLAG_DROP_IN, text: 'ExecStart=/usr/bin/dockerd -H fd:// -s devicemapper' }, 'storage-driver')], {
      [FLAG_DROP_IN]: earlier,
    });
    expect(edits).toHaveLength(1);
    expect(edits[0]?.before).toBe(earlier);
    expect(edits[0]?.after).toBe('[Service]\nExecStart=\nExecStart=/usr/bin/dockerd -H fd://\nEnvironment="DOCKER_OPTS=--log-level warn"\n');
  });

  it('overrides a variable set with Environment= in a drop-in, without the flag', () => {
    const text = 'Environment="DOCKER_OPTS=-g /data --log-level warn" "HTTP_PROXY=http://proxy:3128"';
    const [edit] = flagRemovalEdits([conflict({ text })], { [FLAG_DROP_IN]: null });
    expect(edit?.after).toBe('[Service]\nEnvironment="DOCKER_OPTS=--log-level warn"\n');
  });

  it('refuses a dockerd started by hand: no file holds its flags', () => {
    const c = conflict({ origin: 'dockerd-process', file: '/proc/4242/cmdline', text: '--data-root /mnt/docker' });
    expect(() => flagRemovalEdits([c], {})).toThrow(UsageError);
    expect(() => flagRemovalEdits([c], {})).toThrow(
      'dockerd pid 4242 was not started by docker.service and got `--data-root /mnt/docker` on its own command line (/proc/4242/cmdline): no file holds that flag, so restart it without the flag.',
    );
  });
});

describe('flagRemovalEdits: environment files', () => {
  const DEFAULT = '# Docker defaults\n\nDOCKER_OPTS="-g /data --log-level warn"\n#DOCKER_OPTS="--dns 8.8.8.8"\nexport http_proxy="x"\n';

  it('removes just the flag words from the assignment, the rest of the file byte-identical', () => {
    const c = conflict({ origin: 'etc-default-docker', file: '/etc/default/docker', value: '/data', text: 'DOCKER_OPTS="-g /data --log-level warn"' });
    expect(flagRemovalEdits([c], { '/etc/default/docker': DEFAULT, [FLAG_DROP_IN]: null })).toEqual([
      {
        path: '/etc/default/docker',
        before: DEFAULT,
        after: DEFAULT.replace('"-g /data --log-level warn"', '"--log-level warn"'),
        why: 'Removes `-g /data` from /etc/default/docker, whose flags dockerd is started with, because daemon.json now sets data-root and dockerd refuses to start with a directive given both as a flag and in daemon.json.',
      },
    ]);
  });

  it('makes one edit per file for several conflicts, single quotes and unquoted values included', () => {
    const text = "# sysconfig\nOPTIONS='--graph /data/docker --log-driver=journald'\nSTORAGE=-s devicemapper --storage-opt dm.basesize=20G\n";
    const options = { origin: 'etc-sysconfig-docker' as const, file: '/etc/sysconfig/docker' };
    const conflicts = [
      conflict({ ...options, value: '/data/docker', text: "OPTIONS='--graph /data/docker --log-driver=journald'" }),
      conflict({ ...options, key: 'storage-driver', value: 'devicemapper', text: 'STORAGE=-s devicemapper --storage-opt dm.basesize=20G' }, 'storage-driver'),
      conflict({ ...options, key: 'storage-opt', value: 'dm.basesize=20G', text: 'STORAGE=-s devicemapper --storage-opt dm.basesize=20G' }, 'storage-opts'),
    ];
    const edits = flagRemovalEdits(conflicts, { '/etc/sysconfig/docker': text });
    expect(edits.map((e) => e.after)).toEqual(["# sysconfig\nOPTIONS='--log-driver=journald'\nSTORAGE=\n"]);
    expect(edits[0]?.why).toMatch(/^Removes `--graph \/data\/docker`, `-s devicemapper`, `--storage-opt dm.basesize=20G` from \/etc\/sysconfig\/docker/);
  });

  it('refuses an assignment whose quoting it cannot rewrite safely', () => {
    const text = 'DOCKER_OPTS="-g /data --label \\"a b\\""\n';
    const c = conflict({ origin: 'etc-default-docker', file: '/etc/default/docker', value: '/data', text: text.trim() });
    expect(() => flagRemovalEdits([c], { '/etc/default/docker': text })).toThrow(/is quoted in a way dockwarden does not rewrite: remove `-g \/data` from it by hand/);
  });
});

describe('describeFlag', () => {
  it('shows the flag as written wherever it came from', () => {
    expect(describeFlag(setting({ text: 'ExecStart=/usr/bin/dockerd -H fd:// --graph=/mnt/docker' }))).toBe('--graph=/mnt/docker');
    expect(describeFlag(setting({ origin: 'etc-default-docker', text: 'DOCKER_OPTS="--dns 1.1.1.1 -g /mnt/docker"' }))).toBe('-g /mnt/docker');
    expect(describeFlag(setting({ text: 'Environment=OPTS=-g/mnt/docker' }))).toBe('-g/mnt/docker');
  });
});
