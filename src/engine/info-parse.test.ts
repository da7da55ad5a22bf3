import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../core/errors.js';
import { driverStatusValue } from '../core/driver-status.js';
import type { DockerInfo } from './docker-info.js';
import { parseHumanSize } from '../core/human-size.js';
import { parseDockerInfo } from './info-parse.js';

const DIR = join(import.meta.dirname, '../../test/fixtures/info');
const fixture = (name: string): string => readFileSync(join(DIR, name), 'utf8');
const parse = (name: string) => parseDockerInfo(fixture(name));
const FIXTURES = readdirSync(DIR).filter((f) => f.endsWith('.json') || f.endsWith('.txt'));

/** What a diagnosis reads; text and JSON of one host must agree on all of it. */
function keyFacts(info: DockerInfo) {
  return {
    ServerVersion: info.ServerVersion,
    Driver: info.Driver,
    DriverStatus: info.DriverStatus,
    DockerRootDir: info.DockerRootDir,
    LoggingDriver: info.LoggingDriver,
    CgroupDriver: info.CgroupDriver,
    CgroupVersion: info.CgroupVersion,
    LiveRestoreEnabled: info.LiveRestoreEnabled,
    KernelVersion: info.KernelVersion,
    OperatingSystem: info.OperatingSystem,
    Containers: [info.Containers, info.ContainersRunning, info.ContainersPaused, info.ContainersStopped, info.Images],
    NCPU: info.NCPU,
    Name: info.Name,
    ID: info.ID,
    Swarm: {
      LocalNodeState: info.Swarm?.LocalNodeState,
      ControlAvailable: info.Swarm?.LocalNodeState === 'inactive' ? undefined : info.Swarm?.ControlAvailable,
      NodeID: info.Swarm?.NodeID || undefined,
      NodeAddr: info.Swarm?.NodeAddr || undefined,
      Managers: info.Swarm?.Managers,
      Nodes: info.Swarm?.Nodes,
    },
    SecurityOptions: info.SecurityOptions,
    Labels: info.Labels ?? [],
    Warnings: info.Warnings ?? [],
  };
}

/** One-line UsageError whose message matches `pattern`. */
function expectUsageError(run: () => unknown, pattern: RegExp): void {
  let caught: unknown;
  try {
    run();
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(UsageError);
  const message = (caught as Error).message;
  expect(message).not.toContain('\n');
  expect(message).toMatch(pattern);
}

describe('parseDockerInfo on the fixtures', () => {
  it.each(FIXTURES)('%s parses as its own format, with a driver and a version', (name) => {
    const { info, format } = parse(name);
    expect(format).toBe(name.endsWith('.json') ? 'json' : 'text');
    expect(info.Driver).toBeTruthy();
    expect(info.ServerVersion).toMatch(/^\d+\.\d+/);
  });

  it.each(['direct-lvm-low-space', 'overlay2-xfs-no-dtype', 'overlay2-ext4-healthy', 'swarm-worker-logging-none', 'zfs'])('%s: the text and the JSON of one host give the same facts', (host) => {
    const json = parse(`${host}.json`).info;
    const text = parse(`${host}.txt`).info;
    expect(keyFacts(text)).toEqual(keyFacts(json));
    // `Total Memory` is printed with 4 significant digits.
    expect(Math.abs((text.MemTotal ?? 0) - (json.MemTotal ?? 0)) / (json.MemTotal ?? 1)).toBeLessThan(0.0005);
  });

  it('keeps the loop files of loop-lvm in both eras (1.12 text, 19.03 JSON)', () => {
    for (const name of ['centos7-devicemapper-loop.txt', 'centos7-devicemapper-loop.json']) {
      const { info } = parse(name);
      expect(info.Driver).toBe('devicemapper');
      expect(driverStatusValue(info, 'Data loop file')).toBe('/var/lib/docker/devicemapper/devicemapper/data');
      expect(driverStatusValue(info, 'Metadata loop file')).toBe('/var/lib/docker/devicemapper/devicemapper/metadata');
      expect(driverStatusValue(info, 'Data file')).toBe('/dev/loop0');
      expect(info.DockerRootDir).toBe('/var/lib/docker');
      expect(info.KernelVersion).toMatch(/^3\.10\.0-/);
    }
    const labels = (name: string) => (parse(name).info.DriverStatus ?? []).map(([label]) => label).sort();
    expect(labels('centos7-devicemapper-loop.txt')).toEqual(labels('centos7-devicemapper-loop.json'));
  });

  it('sends the 1.12 loopback WARNING between the status lines to Warnings, not DriverStatus', () => {
    const { info } = parse('centos7-devicemapper-loop.txt');
    expect(info.DriverStatus?.some(([label]) => /WARNING/.test(label))).toBe(false);
    expect(info.Warnings).toEqual([
      'WARNING: Usage of loopback devices is strongly discouraged for production use. Use `--storage-opt dm.thinpooldev` to specify a custom block storage device.',
      'WARNING: bridge-nf-call-iptables is disabled',
      'WARNING: bridge-nf-call-ip6tables is disabled',
    ]);
    expect(info.SecurityOptions).toEqual(['seccomp', 'selinux']);
    expect(info.LiveRestoreEnabled).toBeUndefined();
  });

  it('joins a multi-line engine warning back together as the API returns it', () => {
    const [warning] = parse('overlay2-xfs-no-dtype.txt').info.Warnings ?? [];
    expect(warning).toBe(
      'WARNING: overlay2: the backing xfs filesystem is formatted without d_type support, which leads to incorrect behavior.\n' +
        '         Reformat the filesystem with ftype=1 to enable d_type support.\n' +
        '         Running without d_type support will not be supported in future releases.',
    );
    expect(driverStatusValue(parse('overlay2-xfs-no-dtype.txt').info, 'Supports d_type')).toBe('false');
  });

  it('reads every size in DriverStatus with parseHumanSize, in both size styles', () => {
    for (const name of FIXTURES) {
      for (const [label, value] of parse(name).info.DriverStatus ?? []) {
        if (/Space (Used|Total|Available)|Size|Blocksize|Space Used By Parent/.test(label)) {
          expect(() => parseHumanSize(value), `${name}: ${label}: ${value}`).not.toThrow();
        }
      }
    }
    const old = parse('centos7-devicemapper-loop.txt').info;
    expect(parseHumanSize(driverStatusValue(old, 'Pool Blocksize') ?? '')).toBe(65_540);
    expect(parseHumanSize(driverStatusValue(old, 'Data Space Total') ?? '')).toBe(107_400_000_000);
    const lvm = parse('direct-lvm-low-space.txt').info;
    const free = parseHumanSize(driverStatusValue(lvm, 'Data Space Available') ?? '');
    const total = parseHumanSize(driverStatusValue(lvm, 'Data Space Total') ?? '');
    expect(free / total).toBeLessThan(0.1);
    expect(parseHumanSize(driverStatusValue(parse('zfs.txt').info, 'Space Available') ?? '')).toBe(187_291_529_216);
  });

  it('reads the devicemapper direct-lvm facts the thin-pool check needs', () => {
    const low = parse('direct-lvm-low-space.txt').info;
    expect(driverStatusValue(low, 'Pool Name')).toBe('docker-thinpool');
    expect(driverStatusValue(low, 'Data loop file')).toBeUndefined();
    expect(driverStatusValue(low, 'Deferred Removal Enabled')).toBe('false');
    expect(driverStatusValue(low, 'Deferred Deletion Enabled')).toBe('false');
    expect(low.KernelVersion).toBe('4.4.0-154-generic');
    const old = parse('direct-lvm-old-kernel.json').info;
    expect(driverStatusValue(old, 'Data file')).toBe('');
    expect(old.KernelVersion).toBe('3.10.0-957.21.3.el7.x86_64');
  });

  it('reads a swarm manager, whose CLI prints the cluster and its CA certificate', () => {
    const paste = [
      'Server:',
      ' Containers: 4',
      '  Running: 4',
      '  Paused: 0',
      '  Stopped: 0',
      ' Images: 6',
      ' Server Version: 20.10.24',
      ' Storage Driver: overlay2',
      '  Backing Filesystem: xfs',
      '  Supports d_type: true',
      ' Logging Driver: json-file',
      ' Swarm: active',
      '  NodeID: 9n50i7lyzr20ufmino67d3u3a',
      '  Is Manager: true',
      '  ClusterID: idae408202uampcb8csrhzbe4',
      '  Managers: 3',
      '  Nodes: 12',
      '  Default Address Pool: 10.0.0.0/8  ',
      '  SubnetSize: 24',
      '  Orchestration:',
      '   Task History Retention Limit: 5',
      '  Raft:',
      '   Snapshot Interval: 10000',
      '   Heartbeat Tick: 1',
      '   Election Tick: 10',
      '  CA Configuration:',
      '   Expiry Duration: 3 months',
      '   Force Rotate: 0',
      '   Signing CA Certificate: ',
      '-----BEGIN CERTIFICATE-----',
      'MIIBajCCARCgAwIBAgIUQ2lvbmVkIGZpeHR1cmUgY2VydGlmaWNhdGU=',
      '-----END CERTIFICATE-----',
      '',
      '  Autolock Managers: false',
      '  Root Rotation In Progress: false',
      '  Node Address: 10.20.0.11',
      '  Manager Addresses:',
      '   10.20.0.11:2377',
      ' Name: mgr-1',
      ' Docker Root Dir: /var/lib/docker',
      ' Live Restore Enabled: false',
    ].join('\n');
    const { info } = parseDockerInfo(paste);
    expect(info.Swarm).toEqual({ LocalNodeState: 'active', NodeID: '9n50i7lyzr20ufmino67d3u3a', ControlAvailable: true, Managers: 3, Nodes: 12, NodeAddr: '10.20.0.11' });
    expect(info.Name).toBe('mgr-1');
    expect(info.DriverStatus).toEqual([
      ['Backing Filesystem', 'xfs'],
      ['Supports d_type', 'true'],
    ]);
  });

  it('reads the swarm worker and its logging driver', () => {
    const { info } = parse('swarm-worker-logging-none.txt');
    expect(info.LoggingDriver).toBe('none');
    expect(info.Swarm).toMatchObject({ LocalNodeState: 'active', ControlAvailable: false, NodeID: 'k3v9r2x7m1q8w5e4t6y0u2i3o', NodeAddr: '10.20.0.24' });
    // A worker does not know the cluster size: the CLI prints Managers/Nodes only on managers.
    expect(info.Swarm?.Managers).toBeUndefined();
  });

  it('leaves the Client section out: CLI plugins and the client debug flag are not engine facts', () => {
    const { info } = parse('swarm-worker-logging-none.txt');
    expect(JSON.stringify(info)).not.toContain('buildx');
    expect(parse('zfs.txt').info.ServerVersion).toBe('24.0.5');
    const json = parse('engine-28-containerd-store.json').info as Record<string, unknown>;
    expect(json['ClientInfo']).toBeUndefined();
    // Fields dockwarden does not model pass through, so a facts file keeps what the engine said.
    expect(json['Containerd']).toEqual({ Address: '/run/containerd/containerd.sock', Namespaces: { Containers: 'moby', Plugins: 'plugins.moby' } });
  });

  it('reads the containerd image store, aufs labels and btrfs of both eras', () => {
    expect(parse('engine-28-containerd-store.json').info).toMatchObject({ Driver: 'overlayfs', DriverStatus: [['driver-type', 'io.containerd.snapshotter.v1']] });
    const aufs = parse('aufs-ubuntu-1404.txt').info;
    expect(aufs.Driver).toBe('aufs');
    expect(driverStatusValue(aufs, 'Dirperm1 Supported')).toBe('false');
    expect(aufs.Labels).toEqual(['provider=generic']);
    expect(driverStatusValue(parse('btrfs.json').info, 'Build Version')).toBe('Btrfs v4.19.1');
    expect(parse('btrfs-engine-24.json').info.DriverStatus).toEqual([['Btrfs', '']]);
  });
});

describe('gaps', () => {
  it('names what a partial paste lacks and nothing it has', () => {
    const { info, gaps } = parse('partial-paste.txt');
    expect(info).toMatchObject({ ServerVersion: '20.10.7', Driver: 'overlay2', LoggingDriver: 'json-file' });
    expect(driverStatusValue(info, 'Supports d_type')).toBe('true');
    const text = gaps.join('\n');
    expect(text).toMatch(/no Docker Root Dir; data-root checks were skipped/);
    expect(text).toMatch(/no Kernel Version/);
    expect(text).toMatch(/no Swarm line/);
    expect(text).not.toMatch(/Storage Driver|Logging Driver|Server Version/);
  });

  it('is empty for a complete modern paste', () => {
    expect(parse('overlay2-ext4-healthy.txt').gaps).toEqual([]);
    expect(parse('overlay2-ext4-healthy.json').gaps).toEqual([]);
  });

  it('says when a driver is named without its status lines', () => {
    const { gaps } = parseDockerInfo('Server Version: 1.13.1\nStorage Driver: devicemapper\nLogging Driver: journald\n');
    expect(gaps.join('\n')).toMatch(/names the devicemapper storage driver but none of its status lines/);
  });

  it('notes that engines before 1.13 do not print Live Restore Enabled', () => {
    expect(parse('aufs-ubuntu-1404.txt').gaps).toEqual([expect.stringMatching(/no Live Restore Enabled/)]);
  });
});

describe('pastes as they arrive', () => {
  const sameFacts = (name: string, mangle: (text: string) => string) => {
    expect(keyFacts(parseDockerInfo(mangle(fixture(name))).info)).toEqual(keyFacts(parse(name).info));
  };
  const eachLine = (f: (line: string) => string) => (text: string) => text.split('\n').map(f).join('\n');
  const TEXTS = ['centos7-devicemapper-loop.txt', 'direct-lvm-low-space.txt', 'overlay2-xfs-no-dtype.txt', 'swarm-worker-logging-none.txt', 'zfs.txt'];

  it.each(TEXTS)('%s: CRLF line ends', (name) => sameFacts(name, (t) => t.replace(/\n/g, '\r\n')));
  it.each(TEXTS)('%s: every line indented by a code block', (name) =>
    sameFacts(
      name,
      eachLine((l) => (l ? `    ${l}` : l)),
    ),
  );
  it.each(TEXTS)('%s: spaces turned into tabs', (name) =>
    sameFacts(
      name,
      eachLine((l) => l.replace(/^ +/, (s) => '\t'.repeat(s.length))),
    ),
  );
  it.each(TEXTS)('%s: quoted in markdown', (name) =>
    sameFacts(
      name,
      eachLine((l) => `> ${l}`),
    ),
  );
  it.each(TEXTS)('%s: prompts and chatter around it', (name) => sameFacts(name, (t) => `here is my docker info:\nuser@host:~$ docker info\n${t}\nuser@host:~$ uname -r\n5.4.0-136-generic\n`));

  it.each(TEXTS)('%s: every indentation lost, as some chat clients do', (name) => {
    const flat = parseDockerInfo(eachLine((l) => l.trimStart())(fixture(name))).info;
    const facts = keyFacts(parse(name).info);
    // Continuation lines of a multi-line warning cannot be told from junk once flattened.
    expect({ ...keyFacts(flat), Warnings: [] }).toEqual({ ...facts, Warnings: [] });
    expect((flat.Warnings ?? []).map((w) => w.split('\n')[0])).toEqual(facts.Warnings.map((w) => w.split('\n')[0]));
  });

  it('reads JSON with the command line before it and a prompt after it', () => {
    const json = fixture('overlay2-ext4-healthy.json');
    const pasted = `$ docker info --format '{{json .}}'\n${json}$ \n`;
    const parsed = parseDockerInfo(pasted);
    expect(parsed.format).toBe('json');
    expect(keyFacts(parsed.info)).toEqual(keyFacts(parse('overlay2-ext4-healthy.json').info));
  });

  it('takes an engine that prints empty lines and a UTF-8 byte-order mark', () => {
    expect(parseDockerInfo(`\uFEFF\n\n${fixture('overlay2-ext4-healthy.json')}`).info.Driver).toBe('overlay2');
  });
});

describe('input that is not docker info', () => {
  it('rejects empty input', () => {
    expectUsageError(() => parseDockerInfo(''), /^--info: the input is empty/);
    expectUsageError(() => parseDockerInfo('  \n\r\n '), /^--info: the input is empty/);
  });

  it('rejects text that is neither JSON nor docker info, quoting its first line', () => {
    expectUsageError(
      () => parseDockerInfo('hello world\nthis is not it\n'),
      /^--info: the input is neither `docker info --format '\{\{json \.\}\}'` JSON nor `docker info` text \(first line: "hello world"\)\.$/,
    );
    expectUsageError(() => parseDockerInfo('version: "3"\nservices:\n  web:\n    image: nginx\n    name: web\n'), /neither/);
    expectUsageError(() => parseDockerInfo('apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - name: web\n    image: nginx\n'), /neither/);
    expectUsageError(
      () => parseDockerInfo('Client:\n Version:           20.10.21\n API version:       1.41\n\nServer:\n Engine:\n  Version:          20.10.21\n  API version:      1.41 (minimum version 1.12)\n'),
      /looks like `docker version` output/,
    );
  });

  it('names the position of broken JSON', () => {
    expectUsageError(() => parseDockerInfo('{"Driver": "overlay2",}'), /^--info: the input looks like JSON but is malformed at line 1, column 22: trailing comma/);
    expectUsageError(() => parseDockerInfo('$ docker info -f json\n{\n  "Driver": "overlay2"\n  "ServerVersion": "24.0.5"\n}'), /malformed at line 4, column 3/);
  });

  it('rejects JSON that is not a docker info object', () => {
    expectUsageError(() => parseDockerInfo('[{"Id": "abc"}]'), /JSON array \(`docker inspect` output\?\)/);
    expectUsageError(() => parseDockerInfo('42'), /neither .* \(first line: "42"\)/);
    expectUsageError(() => parseDockerInfo('{"foo": 1, "bar": 2}'), /none of the fields .*; its keys: foo, bar\.$/);
    expectUsageError(() => parseDockerInfo('{"Client": {"Version": "24.0.5"}, "Server": {"Version": "24.0.5"}}'), /looks like `docker version` output/);
    expectUsageError(() => parseDockerInfo('{"Driver": "overlay2", "Containers": "three"}'), /Containers: Invalid input/);
  });

  it('reports a CLI that could not reach its engine', () => {
    const err = 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?';
    const clientInfo = { Debug: false, Context: 'default', Plugins: [], Warnings: null };
    expectUsageError(() => parseDockerInfo(JSON.stringify({ ServerErrors: [err], ClientInfo: clientInfo })), /^--info: the paste holds no server info: Cannot connect to the Docker daemon/);
    expectUsageError(
      () => parseDockerInfo(JSON.stringify({ ID: '', Containers: 0, Driver: '', DockerRootDir: '', ServerVersion: '', ClientInfo: clientInfo })),
      /no server info: the CLI could not reach the engine/,
    );
    expectUsageError(() => parseDockerInfo(`Client:\n Context:    default\n Debug Mode: false\n\nServer:\nERROR: ${err}\nerrors pretty printing info\n`), /no server info: Cannot connect/);
    expectUsageError(() => parseDockerInfo(`${err}\n`), /no server info: Cannot connect/);
    expectUsageError(() => parseDockerInfo('Client:\n Context:    default\n Debug Mode: false\n'), /only the Client section/);
  });
});

const other = (name: string): string => readFileSync(join(DIR, 'other', name), 'utf8');

describe('driver names as people write them', () => {
  const paste = (driver: string) => `Server Version: 1.13.1\nStorage Driver: ${driver}\nLogging Driver: json-file\n`;

  it.each([
    ['device mapper', 'devicemapper'],
    ['Device Mapper', 'devicemapper'],
    ['device-mapper', 'devicemapper'],
    ['overlay 2', 'overlay2'],
    ['Overlay2', 'overlay2'],
    ['AUFS', 'aufs'],
    ['Btrfs', 'btrfs'],
    ['ZFS', 'zfs'],
    ['VFS', 'vfs'],
    ['fuse overlayfs', 'fuse-overlayfs'],
    ['WindowsFilter', 'windowsfilter'],
  ])('reads "%s" as %s and says so', (written, canonical) => {
    const { info, gaps } = parseDockerInfo(paste(written));
    expect(info.Driver).toBe(canonical);
    expect(gaps).toContain(`The paste writes the storage driver as ${JSON.stringify(written)}; it was read as ${canonical}.`);
  });

  it.each(['devicemapper', 'overlay2', 'aufs', 'btrfs', 'zfs', 'vfs', 'overlayfs', 'fuse-overlayfs', 'windowsfilter'])('takes %s as it is, without a note', (name) => {
    const { info, gaps } = parseDockerInfo(paste(name));
    expect(info.Driver).toBe(name);
    expect(gaps.join('\n')).not.toMatch(/writes the storage driver/);
  });

  it('normalises JSON too, and leaves a driver it does not know as written (the checks list it as not checked)', () => {
    expect(parseDockerInfo('{"ServerVersion": "1.13.1", "Driver": "Device Mapper", "DriverStatus": []}').info.Driver).toBe('devicemapper');
    const { info, gaps } = parseDockerInfo(paste('xyz'));
    expect(info.Driver).toBe('xyz');
    expect(gaps.join('\n')).not.toMatch(/writes the storage driver/);
  });
});

describe('quoting artifacts at the ends of lines', () => {
  const TEXTS = ['centos7-devicemapper-loop.txt', 'direct-lvm-low-space.txt', 'overlay2-xfs-no-dtype.txt', 'swarm-worker-logging-none.txt', 'zfs.txt'];
  const mangled = (name: string, f: (line: string, i: number) => string) => fixture(name).split('\n').map(f).join('\n');
  const same = (name: string, f: (line: string, i: number) => string) => expect(keyFacts(parseDockerInfo(mangled(name, f)).info)).toEqual(keyFacts(parse(name).info));

  it.each(TEXTS)('%s: ">" after every line', (name) => same(name, (l) => `${l}>`));
  it.each(TEXTS)('%s: " >" after every line, and trailing blanks', (name) => same(name, (l) => `${l} >  `));
  it.each(TEXTS)('%s: quoted at both ends ("> … >")', (name) => same(name, (l) => `> ${l} >`));
  it.each(TEXTS)('%s: "<br>" after every line (a markdown table cell)', (name) => same(name, (l) => `${l}<br>`));
  it.each(TEXTS)('%s: quoting on only some lines, nested on others', (name) => same(name, (l, i) => (i % 3 === 0 ? l : i % 3 === 1 ? `> ${l}` : `> > ${l}`)));

  it('no longer hides a critical: "Storage Driver: devicemapper>" is devicemapper on loop files', () => {
    const { info } = parseDockerInfo(mangled('centos7-devicemapper-loop.txt', (l) => `${l}>`));
    expect(info.Driver).toBe('devicemapper');
    expect(driverStatusValue(info, 'Data loop file')).toBe('/var/lib/docker/devicemapper/devicemapper/data');
    expect(parseDockerInfo('Server Version: 19.03.15>\nStorage Driver: overlay2>\n Supports d_type: false>\n').info).toMatchObject({ Driver: 'overlay2', ServerVersion: '19.03.15' });
  });

  it('keeps a ">" that closes a "<" on its line (a markdown autolink)', () => {
    const { info } = parseDockerInfo('Server Version: 20.10.22\nStorage Driver: overlay2\nRegistry: <https://index.docker.io/v1/>\n');
    expect(info['IndexServerAddress']).toBe('<https://index.docker.io/v1/>');
  });

  it('takes JSON quoted in mail and markdown', () => {
    const quoted = fixture('overlay2-ext4-healthy.json')
      .split('\n')
      .map((l) => `> ${l}`)
      .join('\n');
    expect(keyFacts(parseDockerInfo(quoted).info)).toEqual(keyFacts(parse('overlay2-ext4-healthy.json').info));
  });
});

describe('JSON after shell lines', () => {
  const json = fixture('overlay2-ext4-healthy.json');

  it('skips a comment, prompts and `docker --version` before it and a prompt after it, and says so', () => {
    const parsed = parseDockerInfo(other('json-after-shell-lines.txt'));
    expect(parsed.format).toBe('json');
    expect(keyFacts(parsed.info)).toEqual(keyFacts(parse('zfs.json').info));
    expect(parsed.gaps[0]).toBe(
      '5 lines around the JSON are not part of it and were skipped: "// ci-runner-zfs-01, asked for in #infra", "ops@ci-runner-zfs-01:~$ docker --version", ' +
        '"Docker version 24.0.5, build 24.0.5-0ubuntu1~22.04.1", and 2 more.',
    );
  });

  it('skips `docker version` output before it (its "Experimental:" is not docker info text)', () => {
    const version =
      'Client: Docker Engine - Community\n Version:           24.0.7\n API version:       1.43\n Experimental:      false\n\nServer: Docker Engine - Community\n Engine:\n  Version:          24.0.7\n';
    const parsed = parseDockerInfo(`${version}\n$ docker info --format '{{json .}}'\n${json}`);
    expect(parsed.format).toBe('json');
    expect(parsed.info.Driver).toBe('overlay2');
  });

  it.each([
    ["root@web-1:~# docker info --format '{{json .}}'\n", ''],
    ["PS C:\\Users\\dana> docker info --format '{{json .}}'\n", 'PS C:\\Users\\dana> \n'],
    ['```json\n', '```\n'],
    ['[root@web-1 ~]# docker info -f json\n', '[root@web-1 ~]# \n'],
  ])('between %j and %j', (before, after) => {
    const parsed = parseDockerInfo(`${before}${json}${after}`);
    expect(parsed.format).toBe('json');
    expect(keyFacts(parsed.info)).toEqual(keyFacts(parse('overlay2-ext4-healthy.json').info));
    expect(parsed.gaps[0]).toMatch(/not part of it and (was|were) skipped/);
  });

  it('does not take a "{{json .}}" template for JSON', () => {
    const paste = `{{json .}} gave me nothing, so here is the plain one:\n${fixture('overlay2-ext4-healthy.txt')}`;
    expect(parseDockerInfo(paste).format).toBe('text');
  });
});

describe('a bare DriverStatus array', () => {
  it('is read as devicemapper from its labels and says what it is', () => {
    const { info, format, gaps } = parseDockerInfo(other('devicemapper-driver-status.txt'));
    expect(format).toBe('json');
    expect(info.Driver).toBe('devicemapper');
    expect(driverStatusValue(info, 'Data loop file')).toBe('/var/lib/docker/devicemapper/devicemapper/data');
    expect(gaps.join('\n')).toMatch(/only the storage driver's status \(what `docker info --format '\{\{json \.DriverStatus\}\}'` prints\).*say devicemapper/);
    expect(gaps.join('\n')).toMatch(/no Kernel Version/);
  });

  it('names the driver of other status arrays, and says when overlay and overlay2 cannot be told apart', () => {
    expect(parseDockerInfo('[["Zpool","tank"],["Zpool Health","ONLINE"]]').info.Driver).toBe('zfs');
    expect(parseDockerInfo('[["Btrfs",""]]').info.Driver).toBe('btrfs');
    expect(parseDockerInfo('[["driver-type","io.containerd.snapshotter.v1"]]').info.Driver).toBe('overlayfs');
    const overlay = parseDockerInfo('[["Backing Filesystem","xfs"],["Supports d_type","false"]]');
    expect(overlay.info.Driver).toBe('overlay2');
    expect(overlay.gaps[0]).toMatch(/or overlay \(v1\), which prints the same ones/);
  });

  it('rejects pairs whose labels name no driver, and arrays of anything else', () => {
    expectUsageError(() => parseDockerInfo('[["colour","blue"]]'), /label\/value pairs .* whose labels \("colour"\) name no storage driver dockwarden knows/);
    expectUsageError(() => parseDockerInfo('[{"Id": "abc"}]'), /JSON array \(`docker inspect` output\?\)/);
  });
});

describe('podman info', () => {
  it("says the YAML is Podman's and how to point dockwarden at its API (rootless: the user socket)", () => {
    expectUsageError(
      () => parseDockerInfo(other('podman-info-rootless.yaml')),
      /^--info: this is `podman info` output, not `docker info` \(its "overlay" driver in \/home\/lena\/\.local\/share\/containers\/storage is containers\/storage's, not Docker's removed overlay\); .*`systemctl --user enable --now podman\.socket`.*`dockwarden doctor --host unix:\/\/\/run\/user\/1000\/podman\/podman\.sock`/,
    );
  });

  it('says the same of `podman info --format json` (rootful: the system socket)', () => {
    expectUsageError(
      () => parseDockerInfo(other('podman-info-rootful.json')),
      /this is `podman info` output.*`sudo systemctl enable --now podman\.socket`.*--host unix:\/\/\/run\/podman\/podman\.sock/,
    );
  });

  it('recognises the podman-docker wrapper and a partial paste of the store section', () => {
    const banner = 'Emulate Docker CLI using podman. Create /etc/containers/nodocker to quiet msg.\nhost:\n  arch: amd64\n';
    expectUsageError(() => parseDockerInfo(banner), /this is `podman info` output/);
    expectUsageError(
      () => parseDockerInfo('store:\n  graphDriverName: vfs\n  graphRoot: /var/lib/containers/storage\n'),
      /\(its "vfs" driver in \/var\/lib\/containers\/storage is containers\/storage's\)/,
    );
  });
});

describe('input too deep for any reader', () => {
  const deep = 100_000;
  it.each([
    ['an array', '['.repeat(deep) + ']'.repeat(deep)],
    ['an unclosed array', '['.repeat(deep)],
    ['a field of an object', `{"Driver":"overlay2","X":${'['.repeat(deep)}${']'.repeat(deep)}}`],
    ['nested objects, never closed', '{"a":'.repeat(deep)],
    ['nested objects after a prompt', `$ docker info -f json\n${'{"a":'.repeat(deep)}1${'}'.repeat(deep)}`],
  ])('%s 100,000 levels deep is one line, not a stack overflow', (_what, text) => {
    expectUsageError(() => parseDockerInfo(text), /^--info: the JSON is nested more than 100 levels deep/);
  });

  it('takes 100,000 lines of ever deeper indentation as text that is not docker info', () => {
    const text = Array.from({ length: deep }, (_, i) => `${' '.repeat(i % 200)}k${i}: v`).join('\n');
    expectUsageError(() => parseDockerInfo(text), /neither/);
  });
});
