import { UsageError } from '../core/errors.js';
import { configChange, mountDropIn } from './config-steps.js';
import { preflightCommands, requireOldDriver, rollbackStartStep, rollbackStopStep, startEngineStep, stopEngineStep } from './engine-steps.js';
import { devicePreflight, formatStep, formattedByPlan, fstabPreflight, fstabStep, MKFS_TOOL, mountStep, unmountSteps, type FilesystemSpec } from './filesystem-steps.js';
import { chooseMigrate, migrateSteps, migrateSummary, migrateWarnings } from './migrate-steps.js';
import { containerdStorePlan } from './image-store-plan.js';
import { checkStep, preflightStep } from './plan-parts.js';
import { DEFAULT_NEW_ROOT, type PlanContext } from './plan-context.js';
import type { Plan, PlanStep } from './plan.js';
import { driverStatusEquals, infoEquals, shq } from './shell.js';

// overlay2, pquota and btrfs: a new filesystem on a device, the data root on it, the
// driver told in daemon.json. Every story in DESIGN.md that ended well ended like this.

/** What Docker prints as "Backing Filesystem" for each filesystem. */
const BACKING_FS: Record<string, string> = { xfs: 'xfs', ext4: 'extfs', btrfs: 'btrfs' };

interface FilesystemPlanShape {
  kind: 'overlay2' | 'pquota' | 'btrfs';
  driver: 'overlay2' | 'btrfs';
  spec: FilesystemSpec;
  title: string;
  storageOpts?: string[];
  summary: string[];
  warnings: string[];
  /** Extra preflight lines for this kind of storage. */
  preflight?: string[];
  verify: string[];
}

function buildFilesystemPlan(ctx: PlanContext, shape: FilesystemPlanShape): Plan {
  const { spec } = shape;
  const newRoot = spec.mountPoint;
  const oldDriver = requireOldDriver(ctx);
  const containerdStore = containerdStorePlan(ctx, shape.kind);
  // With containerd's image store the snapshotter stays as it is: only the root moves.
  const driver = containerdStore ? containerdStore.snapshotter : shape.driver;
  const mode = chooseMigrate(ctx, driver);
  const migrate = migrateSteps(ctx, mode, newRoot);
  const config = configChange(ctx, {
    set: { 'data-root': newRoot, ...(containerdStore ? {} : { 'storage-driver': driver }), ...(shape.storageOpts ? { 'storage-opts': shape.storageOpts } : {}) },
  });
  const dropIn = mountDropIn(ctx, [`RequiresMountsFor=${newRoot}`], newRoot);
  const tools = [MKFS_TOOL[spec.fs], 'blkid', 'findmnt', 'lsblk', 'mountpoint', ...(spec.fs === 'xfs' ? ['xfs_info'] : []), ...(mode === 'copy' ? ['rsync'] : [])];

  const steps: PlanStep[] = [
    preflightStep([
      ...preflightCommands(ctx, tools, [ctx.oldRoot, newRoot]),
      ...(shape.preflight ?? []),
      ...devicePreflight(ctx, formattedByPlan(ctx, spec.fs), newRoot),
      ...fstabPreflight(ctx, spec),
    ]),
    ...migrate.before,
    stopEngineStep(ctx, { root: newRoot, driver }),
    formatStep(ctx, spec),
    fstabStep(ctx, spec),
    mountStep(ctx, spec),
    ...migrate.move,
    ...config.apply,
    ...(dropIn ? [dropIn.apply] : []),
    startEngineStep(ctx, { root: newRoot, driver, restartContainers: mode === 'copy' }),
    ...migrate.after,
    checkStep('verify', `Verify: ${driver} on ${spec.fs} at ${newRoot}`, [
      infoEquals('{{.Driver}}', driver),
      infoEquals('{{.DockerRootDir}}', newRoot),
      ...(containerdStore ? containerdStore.verify(newRoot) : shape.verify),
      ...migrate.verify,
    ]),
  ];
  const rollback: PlanStep[] = [rollbackStopStep(ctx), ...config.rollback, ...(dropIn ? [dropIn.rollback] : []), ...unmountSteps(ctx, spec), rollbackStartStep(ctx)];
  return {
    kind: shape.kind,
    title: shape.title,
    summary: [...shape.summary, ...(containerdStore ? [containerdStore.summary(newRoot)] : []), migrateSummary(ctx, mode, newRoot), ...config.changes],
    warnings: [...shape.warnings, ...(ctx.request.forceFormat ? [`--force-format: whatever ${ctx.request.device} holds is erased without a check.`] : []), ...migrateWarnings(ctx, mode)],
    settings: {
      device: ctx.request.device,
      'old data root': `${ctx.oldRoot} (${oldDriver})`,
      'new data root': `${newRoot} (${driver} on ${spec.fs}, ${spec.options})`,
      migrate: mode,
      'daemon.json': ctx.host.daemonJson.path,
      fstab: ctx.request.fstab,
      'state directory': ctx.stateDir,
      'engine control': ctx.request.service ? `stop: ${ctx.request.service.stop}; start: ${ctx.request.service.start}` : 'systemd (docker.socket, docker.service)',
    },
    steps,
    rollback,
  };
}

function newRoot(ctx: PlanContext): string {
  return ctx.request.dataRoot ?? DEFAULT_NEW_ROOT;
}

export function planOverlay2(ctx: PlanContext): Plan {
  const fs = ctx.request.fs ?? 'xfs';
  const root = newRoot(ctx);
  return buildFilesystemPlan(ctx, {
    kind: 'overlay2',
    driver: 'overlay2',
    spec: { fs, mountPoint: root, options: 'defaults' },
    title: `dockwarden plan overlay2: move the data root to ${fs} on ${ctx.request.device}, mounted at ${root}`,
    summary: [
      `Formats ${ctx.request.device} as ${fs}${fs === 'xfs' ? ' with ftype=1 (d_type, which overlay2 needs)' : ''}, mounts it at ${root} from fstab by UUID, and runs the engine there with overlay2.`,
    ],
    warnings: [],
    verify: [driverStatusEquals('Backing Filesystem', BACKING_FS[fs]!), driverStatusEquals('Supports d_type', 'true')],
  });
}

export function planPquota(ctx: PlanContext): Plan {
  const root = newRoot(ctx);
  const size = ctx.request.defaultSize;
  if (size !== undefined && !/^\d+(\.\d+)?[kKmMgGtT]?[bB]?$/.test(size)) throw new UsageError(`--default-size must be a size such as 20G, not "${size}".`);
  return buildFilesystemPlan(ctx, {
    kind: 'pquota',
    driver: 'overlay2',
    spec: { fs: 'xfs', mountPoint: root, options: 'defaults,pquota' },
    title: `dockwarden plan pquota: overlay2 on XFS with project quotas on ${ctx.request.device}, mounted at ${root}`,
    ...(size ? { storageOpts: [`overlay2.size=${size}`] } : {}),
    summary: [
      `Formats ${ctx.request.device} as XFS (ftype=1), mounts it at ${root} with pquota, and runs overlay2 there, so that \`docker run --storage-opt size=10G\` caps a container's writable layer.`,
      size
        ? `Every new container gets a ${size} limit by default (overlay2.size); --storage-opt size= overrides it per container.`
        : 'No default limit is set: give one per container with --storage-opt size=, or make the plan with --default-size 20G.',
    ],
    warnings: ['Project quotas are switched on at mount time only: a remount is not enough, which is why the plan mounts it fresh.'],
    // The XFS quota manager registers /proc/fs/xfs/xqm; kernels built without
    // CONFIG_XFS_QUOTA refuse the pquota mount ("quota support not available in this kernel").
    preflight: [
      '[[ -d /proc/fs/xfs ]] || modprobe xfs 2>/dev/null || true',
      '[[ -e /proc/fs/xfs/xqm ]] || die "this kernel has no XFS quota support (CONFIG_XFS_QUOTA), so pquota cannot be mounted: use dockwarden plan overlay2, or a kernel with it"',
    ],
    verify: [driverStatusEquals('Backing Filesystem', 'xfs'), driverStatusEquals('Supports d_type', 'true'), `xfs_quota -x -c 'state -p' ${shq(root)} | grep -q 'Enforcement: ON'`],
  });
}

export function planBtrfs(ctx: PlanContext): Plan {
  const root = newRoot(ctx);
  return buildFilesystemPlan(ctx, {
    kind: 'btrfs',
    driver: 'btrfs',
    spec: { fs: 'btrfs', mountPoint: root, options: 'defaults' },
    title: `dockwarden plan btrfs: the data root on btrfs on ${ctx.request.device}, mounted at ${root}`,
    summary: [`Formats ${ctx.request.device} as btrfs, mounts it at ${root} from fstab by UUID, and runs the engine there with the btrfs driver (each layer a subvolume).`],
    warnings: ['The btrfs driver needs the data root itself on btrfs: if the mount is missing at boot, dockerd refuses to start (the plan makes docker.service wait for it).'],
    verify: [`[[ "$(findmnt -rn -o FSTYPE -T ${shq(root)})" == btrfs ]]`],
  });
}
