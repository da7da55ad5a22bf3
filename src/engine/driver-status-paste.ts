import { UsageError } from '../core/errors.js';
import type { DockerInfo, DriverStatus } from './docker-info.js';

// `docker info --format '{{json .DriverStatus}}'` prints only the driver's status pairs,
// [["Pool Name", "docker-8:1-1234-pool"], ["Data Space Used", "1.2GB"], ...]: what people
// send when asked about their thin pool. It names no driver, but each driver's labels
// are its own (moby daemon/graphdriver/*/ Status()), so the driver is read from them.
// Everything else `docker info` says stays unknown, and the gaps say so.

/** Labels in the order they decide: devicemapper also prints "Backing Filesystem", aufs too. */
const SIGNATURES: { driver: string; labels: string[] }[] = [
  {
    driver: 'devicemapper',
    labels: [
      'pool name',
      'pool blocksize',
      'data file',
      'metadata file',
      'data loop file',
      'metadata loop file',
      'data space used',
      'thin pool minimum free space',
      'udev sync supported',
      'deferred removal enabled',
    ],
  },
  { driver: 'zfs', labels: ['zpool', 'zpool health', 'parent dataset'] },
  { driver: 'btrfs', labels: ['build version', 'library version', 'btrfs'] },
  { driver: 'aufs', labels: ['root dir', 'dirs', 'dirperm1 supported'] },
  { driver: 'overlayfs', labels: ['driver-type'] },
  { driver: 'overlay2', labels: ['supports d_type', 'native overlay diff', 'backing filesystem', 'using metacopy', 'userxattr'] },
];

/** Whether a JSON value is a DriverStatus: a non-empty array of [label, value] string pairs. */
export function isDriverStatus(value: unknown): value is DriverStatus {
  return Array.isArray(value) && value.length > 0 && value.every((p) => Array.isArray(p) && p.length === 2 && typeof p[0] === 'string' && typeof p[1] === 'string');
}

export function infoFromDriverStatus(pairs: DriverStatus): { info: DockerInfo; gaps: string[] } {
  const labels = pairs.map(([label]) => label.trim().toLowerCase());
  const match = SIGNATURES.find((s) => labels.some((l) => s.labels.includes(l)));
  const quoted = pairs
    .slice(0, 3)
    .map(([label]) => JSON.stringify(label))
    .join(', ');
  if (!match) {
    throw new UsageError(
      `--info: the input is a list of label/value pairs (\`docker info --format '{{json .DriverStatus}}'\`?) whose labels (${quoted}) name no storage driver dockwarden knows; paste all of \`docker info\` instead.`,
    );
  }
  const shown = pairs
    .filter(([label]) => match.labels.includes(label.trim().toLowerCase()))
    .slice(0, 3)
    .map(([label]) => JSON.stringify(label))
    .join(', ');
  const gaps = [
    `The paste is only the storage driver's status (what \`docker info --format '{{json .DriverStatus}}'\` prints), not all of \`docker info\`; ` +
      `its labels (${shown}) say ${match.driver}` +
      (match.driver === 'overlay2' ? ', or overlay (v1), which prints the same ones: whether the driver is the deprecated overlay is unknown' : '') +
      '.',
  ];
  return { info: { Driver: match.driver, DriverStatus: pairs }, gaps };
}
