import type { PlanContext } from './plan-context.js';
import type { PlanStep } from './plan.js';
import { shq } from './shell.js';

// A new filesystem on the operator's device, mounted from fstab by UUID (device names
// change between boots; UUIDs do not). The label marks it as this plan's own, so a re-run
// after a failure recognises it instead of refusing a device that "holds a filesystem".

export type NewFs = 'xfs' | 'ext4' | 'btrfs';
export const FS_LABEL = 'dockwarden';

export interface FilesystemSpec {
  fs: NewFs;
  mountPoint: string;
  /** fstab options: `defaults`, or `defaults,pquota` for XFS project quotas. */
  options: string;
}

const MKFS: Record<NewFs, (force: boolean) => string> = {
  // ftype=1 is what overlay2 needs (d_type); it has been mkfs.xfs's default since
  // xfsprogs 3.2.3, but CentOS 7's installer made ftype=0 filesystems, so say it.
  xfs: (force) => `mkfs.xfs -q${force ? ' -f' : ''} -L ${FS_LABEL} -n ftype=1`,
  ext4: (force) => `mkfs.ext4 -q${force ? ' -F' : ''} -L ${FS_LABEL}`,
  btrfs: (force) => `mkfs.btrfs -q${force ? ' -f' : ''} -L ${FS_LABEL}`,
};

export const MKFS_TOOL: Record<NewFs, string> = { xfs: 'mkfs.xfs', ext4: 'mkfs.ext4', btrfs: 'mkfs.btrfs' };

const probe = (dev: string, tag: string): string => `"$(blkid -p -o value -s ${tag} ${dev} || true)"`;

/**
 * The device exists, is not mounted elsewhere, has no partitions, and holds nothing
 * unless `ours` (a bash condition) says the plan put it there, or --force-format was given.
 */
export function devicePreflight(ctx: PlanContext, ours: string, mountPoint: string | null): string[] {
  const dev = shq(ctx.request.device);
  const lines = [
    `[[ -b ${dev} ]] || die "${ctx.request.device} is not a block device"`,
    `mounted=$(findmnt -rn -o TARGET -S ${dev} || true)`,
    mountPoint === null
      ? `[[ -z $mounted ]] || die "${ctx.request.device} is mounted on $mounted: unmount it or choose another device"`
      : `[[ -z $mounted || $mounted == ${shq(mountPoint)} ]] || die "${ctx.request.device} is mounted on $mounted: unmount it or choose another device"`,
    `(($(lsblk -nro NAME ${dev} | wc -l) == 1)) || die "${ctx.request.device} has partitions or volumes on it: name the partition itself, or another device"`,
  ];
  if (!ctx.request.forceFormat) {
    lines.push(
      `fs_type=${probe(dev, 'TYPE')}`,
      `pt_type=${probe(dev, 'PTTYPE')}`,
      `if [[ -n $pt_type ]] || { [[ -n $fs_type ]] && ! { ${ours}; }; }; then`,
      `  die "${ctx.request.device} holds data (\${fs_type:-$pt_type}): this plan would erase it; make the plan with --force-format if that is intended"`,
      'fi',
    );
  }
  return lines;
}

/** The bash condition "the device carries the plan's filesystem". */
export function formattedByPlan(ctx: PlanContext, fs: NewFs): string {
  const dev = shq(ctx.request.device);
  return `[[ ${probe(dev, 'TYPE')} == ${fs} && ${probe(dev, 'LABEL')} == ${FS_LABEL} ]]`;
}

export function fstabPreflight(ctx: PlanContext, spec: FilesystemSpec): string[] {
  const fstab = shq(ctx.request.fstab);
  return [
    `other=$(awk -v m=${shq(spec.mountPoint)} -v u="UUID=$(blkid -p -o value -s UUID ${shq(ctx.request.device)} || true)" '$1 !~ /^#/ && $2 == m && $1 != u' ${fstab})`,
    `[[ -z $other ]] || die "${ctx.request.fstab} already mounts something else on ${spec.mountPoint}: $other"`,
    `if mountpoint -q ${shq(spec.mountPoint)}; then`,
    `  [[ "$(findmnt -rn -o SOURCE -M ${shq(spec.mountPoint)})" == "$(readlink -f ${shq(ctx.request.device)})" ]] || die "something else is mounted on ${spec.mountPoint}"`,
    `elif [[ -d ${shq(spec.mountPoint)} && -n "$(ls -A ${shq(spec.mountPoint)})" ]]; then`,
    `  die "${spec.mountPoint} is not empty: the new filesystem would hide what is there"`,
    'fi',
  ];
}

export function formatStep(ctx: PlanContext, spec: FilesystemSpec): PlanStep {
  const dev = shq(ctx.request.device);
  return {
    id: 'format',
    title: `Format ${ctx.request.device} as ${spec.fs}${spec.fs === 'xfs' ? ' (ftype=1)' : ''}`,
    kind: 'change',
    destructive: `This erases everything on ${ctx.request.device}.`,
    commands: [`${MKFS[spec.fs](ctx.request.forceFormat)} ${dev}`],
    verify: [formattedByPlan(ctx, spec.fs)],
  };
}

function fstabLineCondition(ctx: PlanContext, spec: FilesystemSpec): string {
  return `awk -v m=${shq(spec.mountPoint)} -v u="UUID=$(blkid -p -o value -s UUID ${shq(ctx.request.device)})" ` + `'$1 == u && $2 == m { found = 1 } END { exit !found }' ${shq(ctx.request.fstab)}`;
}

export function fstabStep(ctx: PlanContext, spec: FilesystemSpec): PlanStep {
  const fstab = shq(ctx.request.fstab);
  return {
    id: 'fstab',
    title: `Mount it on ${spec.mountPoint} at boot (${ctx.request.fstab}, by UUID)`,
    kind: 'change',
    destructive: null,
    commands: [
      `uuid=$(blkid -p -o value -s UUID ${shq(ctx.request.device)})`,
      `cp -p ${fstab} "${ctx.request.fstab}.dockwarden-$(date -u +%Y%m%dT%H%M%SZ)"`,
      `printf '%s\\n' "UUID=$uuid ${spec.mountPoint} ${spec.fs} ${spec.options} 0 0" >>${fstab}`,
    ],
    verify: [fstabLineCondition(ctx, spec)],
  };
}

export function mountStep(ctx: PlanContext, spec: FilesystemSpec): PlanStep {
  const mnt = shq(spec.mountPoint);
  const fromFstab = ctx.request.fstab === '/etc/fstab' ? '' : ` -T ${shq(ctx.request.fstab)}`;
  const verify = [`[[ "$(findmnt -rn -o SOURCE -M ${mnt})" == "$(readlink -f ${shq(ctx.request.device)})" ]]`, `[[ "$(findmnt -rn -o FSTYPE -M ${mnt})" == ${spec.fs} ]]`];
  if (spec.fs === 'xfs') verify.push(`xfs_info ${mnt} | grep -q 'ftype=1'`);
  // The kernel reports XFS project quota as prjquota whichever spelling fstab used.
  if (spec.options.includes('pquota')) verify.push(`findmnt -rn -o OPTIONS -M ${mnt} | grep -qw prjquota`);
  return {
    id: 'mount',
    title: `Mount ${ctx.request.device} on ${spec.mountPoint}`,
    kind: 'change',
    destructive: null,
    commands: [
      // systemd turns fstab into mount units; without a reload it warns and may unmount it again.
      ...(ctx.systemd ? ['systemctl daemon-reload'] : []),
      `mkdir -p ${mnt}`,
      `mount${fromFstab} ${mnt}`,
    ],
    verify,
  };
}

/** Rollback: unmount, and take the plan's line out of fstab (a backup is kept). */
export function unmountSteps(ctx: PlanContext, spec: FilesystemSpec): PlanStep[] {
  const mnt = shq(spec.mountPoint);
  const fstab = shq(ctx.request.fstab);
  return [
    {
      id: 'unmount',
      title: `Unmount ${spec.mountPoint}`,
      kind: 'change',
      destructive: null,
      commands: [`umount ${mnt}`],
      verify: [`! mountpoint -q ${mnt}`],
    },
    {
      id: 'fstab-remove',
      title: `Take ${spec.mountPoint} out of ${ctx.request.fstab}`,
      kind: 'change',
      destructive: null,
      commands: [
        `tmp=$(mktemp ${shq(`${ctx.request.fstab}.dockwarden-new.XXXXXX`)})`,
        `awk -v m=${shq(spec.mountPoint)} '!($1 ~ /^UUID=/ && $2 == m)' ${fstab} >"$tmp"`,
        `cp -p ${fstab} "${ctx.request.fstab}.dockwarden-$(date -u +%Y%m%dT%H%M%SZ)"`,
        `chmod --reference=${fstab} "$tmp"`,
        `mv -f "$tmp" ${fstab}`,
      ],
      verify: [`! awk -v m=${shq(spec.mountPoint)} '$1 ~ /^UUID=/ && $2 == m { found = 1 } END { exit !found }' ${fstab}`],
    },
  ];
}
