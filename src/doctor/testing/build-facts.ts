import type { DockerInfo } from '../../engine/docker-info.js';
import type { ServiceFacts } from '../../engine/engine-facts.js';
import type { HostFacts } from '../../facts.js';
import { FACTS_SCHEMA_VERSION } from '../../facts-version.js';
import type { ConfigSetting, ContainerdFacts, FsFacts, LocalFacts } from '../../host/local-facts.js';

// Builders for check tests, in the spirit of kubelet's makeImage(id, size): a healthy
// default that each test bends in one place.

const GiB = 1024 ** 3;

export function makeFs(overrides: Partial<FsFacts> = {}): FsFacts {
  return {
    path: '/var/lib/docker',
    mountPoint: '/var/lib/docker',
    device: '/dev/sdb1',
    deviceId: '8:17',
    fsType: 'ext4',
    mountOptions: ['rw', 'relatime'],
    superOptions: ['rw'],
    sizeBytes: 100 * GiB,
    usedBytes: 40 * GiB,
    availBytes: 60 * GiB,
    inodesTotal: 6_553_600,
    inodesFree: 6_000_000,
    xfsFtype: null,
    ...overrides,
  };
}

export function makeSetting(key: string, value: string, overrides: Partial<ConfigSetting> = {}): ConfigSetting {
  return {
    key,
    value,
    origin: 'daemon.json',
    file: '/etc/docker/daemon.json',
    text: `"${key}": "${value}"`,
    effective: true,
    ...overrides,
  };
}

export function makeLocal(overrides: Partial<LocalFacts> = {}, settings: ConfigSetting[] = []): LocalFacts {
  return {
    dataRoot: '/var/lib/docker',
    dataRootFs: makeFs(),
    rootFs: makeFs({ path: '/', mountPoint: '/', device: '/dev/sda1', deviceId: '8:1' }),
    kernelRelease: '6.1.0-18-amd64',
    dockerConfig: {
      daemonJsonPath: '/etc/docker/daemon.json',
      daemonJsonExists: settings.some((s) => s.origin === 'daemon.json'),
      daemonJson: Object.fromEntries(settings.filter((s) => s.origin === 'daemon.json').map((s) => [s.key, s.value])),
      settings,
      unitFiles: ['/lib/systemd/system/docker.service'],
      execStart: '/usr/sbin/dockerd -H fd:// $DOCKER_OPTS',
    },
    lvm: null,
    upgrades: null,
    containerLogs: null,
    containerd: null,
    gaps: [],
    ...overrides,
  };
}

/** A packaged host's containerd: a service of its own, root /var/lib/containerd on its own disk. */
export function makeContainerd(overrides: Partial<ContainerdFacts> = {}): ContainerdFacts {
  return {
    address: '/run/containerd/containerd.sock',
    managedByDockerd: false,
    root: '/var/lib/containerd',
    rootSource: '`root` in /etc/containerd/config.toml of containerd pid 812',
    pid: 812,
    configPath: '/etc/containerd/config.toml',
    rootFs: makeFs({ path: '/var/lib/containerd', mountPoint: '/var/lib/containerd', device: '/dev/sdc1', deviceId: '8:33' }),
    ...overrides,
  };
}

/** `docker info` of Engine 28 on containerd's image store (what Engine 29 installs by default). */
export const CONTAINERD_STORE_INFO: Partial<DockerInfo> = {
  ServerVersion: '28.5.2',
  Driver: 'overlayfs',
  DriverStatus: [['driver-type', 'io.containerd.snapshotter.v1']],
};

export const HEALTHY_INFO: DockerInfo = {
  ID: 'AAAA:BBBB',
  Name: 'web-1',
  ServerVersion: '20.10.24+dfsg1',
  Driver: 'overlay2',
  DriverStatus: [
    ['Backing Filesystem', 'extfs'],
    ['Supports d_type', 'true'],
    ['Native Overlay Diff', 'true'],
  ],
  DockerRootDir: '/var/lib/docker',
  LoggingDriver: 'json-file',
  LiveRestoreEnabled: false,
  KernelVersion: '6.1.0-18-amd64',
  Swarm: { LocalNodeState: 'inactive' },
  Warnings: [],
};

export function makeFacts(opts: { info?: Partial<DockerInfo>; host?: LocalFacts | null; services?: ServiceFacts[] | null } = {}): HostFacts {
  return {
    schemaVersion: FACTS_SCHEMA_VERSION,
    collectedAt: '2026-11-25T06:20:00.000Z',
    origin: 'engine',
    engine: {
      endpoint: 'unix:///var/run/docker.sock',
      info: { ...HEALTHY_INFO, ...opts.info },
      version: { version: '20.10.24+dfsg1', apiVersion: '1.41', minApiVersion: '1.12', negotiatedApiVersion: '1.41' },
      services: opts.services ?? null,
    },
    host: opts.host === undefined ? makeLocal({}, [makeSetting('log-opt', 'max-size=10m', { text: '"max-size": "10m"' })]) : opts.host,
    gaps: [],
  };
}

export function makeService(name: string, update: ServiceFacts['updateConfig'], previousImage: string | null = null): ServiceFacts {
  return { id: `id-${name}`, name, image: `registry.local/${name}:2@sha256:abc`, previousImage, mode: 'replicated', updateConfig: update, rollbackConfig: null };
}
