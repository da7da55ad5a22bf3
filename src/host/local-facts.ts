import { z } from 'zod';

// What dockwarden learns from the machine itself (not from the engine). This is the
// schema of the `host` half of a facts file, so it is also the type the gatherers return.
// `null` always means "could not be learned here", never "absent": checks say so.

export const fsFactsSchema = z.object({
  /** The path that was asked about (the data root), resolved through symlinks. */
  path: z.string(),
  mountPoint: z.string(),
  /** Mount source as /proc/self/mountinfo prints it, e.g. /dev/sdb1 or /dev/loop0. */
  device: z.string(),
  /** major:minor of the mounted filesystem; equal ids mean the same filesystem. */
  deviceId: z.string(),
  fsType: z.string(),
  mountOptions: z.array(z.string()),
  superOptions: z.array(z.string()),
  sizeBytes: z.number(),
  usedBytes: z.number(),
  availBytes: z.number(),
  inodesTotal: z.number(),
  inodesFree: z.number(),
  /** XFS only: the `ftype` of the naming section from xfs_info; null when not XFS or unknown. */
  xfsFtype: z.union([z.literal(0), z.literal(1)]).nullable(),
});
export type FsFacts = z.infer<typeof fsFactsSchema>;

/** Where a daemon setting was found. */
export const configOriginSchema = z.enum([
  'daemon.json',
  'systemd-unit',
  'systemd-drop-in',
  'etc-default-docker',
  'etc-sysconfig-docker',
  /** The command line of the running dockerd, when systemd's docker.service did not start it. */
  'dockerd-process',
]);
export type ConfigOrigin = z.infer<typeof configOriginSchema>;

export const configSettingSchema = z.object({
  /** Canonical key: data-root (also from `graph`, `-g`, `--graph`), storage-driver, storage-opt, log-driver, log-opt, live-restore, config-file, containerd, exec-root. */
  key: z.string(),
  value: z.string(),
  origin: configOriginSchema,
  file: z.string(),
  /** The text as written, e.g. `"graph": "/data/docker"` or `ExecStart=/usr/bin/dockerd -g /data`. */
  text: z.string(),
  /** Whether dockerd actually receives it (e.g. /etc/default/docker is ignored by systemd units that do not read it). */
  effective: z.boolean(),
  /** Why it is not effective, when it is not. */
  ineffectiveReason: z.string().optional(),
});
export type ConfigSetting = z.infer<typeof configSettingSchema>;

export const dockerConfigFactsSchema = z.object({
  daemonJsonPath: z.string(),
  daemonJsonExists: z.boolean(),
  /** The parsed daemon.json object (empty when the file does not exist). */
  daemonJson: z.record(z.string(), z.unknown()),
  /** Every data-root/storage/logging/live-restore setting found in any source. */
  settings: z.array(configSettingSchema),
  /** Unit files and drop-ins that were read, in systemd's order. */
  unitFiles: z.array(z.string()),
  /** The effective ExecStart command line of docker.service, if a unit was found. */
  execStart: z.string().nullable(),
});
export type DockerConfigFacts = z.infer<typeof dockerConfigFactsSchema>;

export const lvmFactsSchema = z.object({
  /** Rows of `lvs --reportformat json -a --units b`, fields as lvm names them. */
  lvs: z.array(z.record(z.string(), z.string())),
  vgs: z.array(z.record(z.string(), z.string())),
});
export type LvmFacts = z.infer<typeof lvmFactsSchema>;

export const upgradeFactsSchema = z.object({
  /** State of apt-daily-upgrade.timer read from the unit directories. */
  aptDailyUpgradeTimer: z.enum(['enabled', 'disabled', 'masked', 'absent']),
  /** APT::Periodic::Unattended-Upgrade from /etc/apt/apt.conf.d; null when not set anywhere. */
  unattendedUpgrade: z.boolean().nullable(),
  /** Unattended-Upgrade::Package-Blacklist entries (regexes as written). */
  packageBlacklist: z.array(z.string()),
  /** Files that the values above came from. */
  files: z.array(z.string()),
});
export type UpgradeFacts = z.infer<typeof upgradeFactsSchema>;

export const containerLogFactsSchema = z.object({
  /** Number of json-file logs found under <data-root>/containers. */
  count: z.number(),
  totalBytes: z.number(),
  /** The largest few, biggest first (rotated files `*.log.N` counted with their container). */
  largest: z.array(z.object({ containerId: z.string(), path: z.string(), bytes: z.number() })),
});
export type ContainerLogFacts = z.infer<typeof containerLogFactsSchema>;

/** containerd's side of an engine on containerd's image store: where image content and snapshots live. */
export const containerdFactsSchema = z.object({
  /** The socket dockerd talks to containerd on. */
  address: z.string(),
  /** dockerd started this containerd itself (root under the data root); false for a system containerd (packaged hosts). */
  managedByDockerd: z.boolean(),
  /** containerd's root: content blobs and unpacked snapshots live under it. */
  root: z.string(),
  /** How the root was learned, e.g. "`root` in /etc/containerd/config.toml of containerd pid 812". */
  rootSource: z.string(),
  pid: z.number().nullable(),
  configPath: z.string().nullable(),
  rootFs: fsFactsSchema.nullable(),
});
export type ContainerdFacts = z.infer<typeof containerdFactsSchema>;

export const localFactsSchema = z.object({
  /** The data root that was inspected (the engine's Docker Root Dir, else the configured one). */
  dataRoot: z.string(),
  dataRootFs: fsFactsSchema.nullable(),
  /** The filesystem mounted at `/`, to tell whether the data root shares it. */
  rootFs: fsFactsSchema.nullable(),
  kernelRelease: z.string().nullable(),
  dockerConfig: dockerConfigFactsSchema,
  lvm: lvmFactsSchema.nullable(),
  upgrades: upgradeFactsSchema.nullable(),
  containerLogs: containerLogFactsSchema.nullable(),
  /** Only for an engine on containerd's image store; null otherwise (and in facts files from before it existed). */
  containerd: containerdFactsSchema.nullable().default(null),
  /** Things that could not be read, each a sentence naming what and why. */
  gaps: z.array(z.string()),
});
export type LocalFacts = z.infer<typeof localFactsSchema>;
