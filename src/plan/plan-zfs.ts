import { UsageError } from '../core/errors.js';
import { configChange, mountDropIn } from './config-steps.js';
import { preflightCommands, requireOldDriver, rollbackStartStep, rollbackStopStep, startEngineStep, stopEngineStep } from './engine-steps.js';
import { devicePreflight } from './filesystem-steps.js';
import { chooseMigrate, migrateSteps, migrateSummary, migrateWarnings } from './migrate-steps.js';
import { changeStep, checkStep, preflightStep } from './plan-parts.js';
import { DEFAULT_NEW_ROOT, type PlanContext } from './plan-context.js';
import type { Plan, PlanStep } from './plan.js';
import { driverStatusEquals, infoEquals, shq } from './shell.js';

// ZFS: a pool on the device and a dataset mounted at the data root. ZFS mounts its own
// datasets (zfs-mount.service), so there is no fstab line; docker.service is made to wait
// for that service instead.

export function planZfs(ctx: PlanContext): Plan {
  const pool = ctx.request.pool;
  if (!pool) throw new UsageError('plan zfs needs --pool NAME: the pool to create on the device (e.g. --pool zpool-docker).');
  if (!/^[A-Za-z][A-Za-z0-9_.:-]*$/.test(pool) || /^(c[0-9]|log$|mirror|raidz|draid|spare)/.test(pool)) {
    throw new UsageError(`--pool "${pool}" is not a name zpool accepts: start with a letter; mirror, raidz, draid, spare, log and c[0-9] are reserved.`);
  }
  const oldDriver = requireOldDriver(ctx);
  const mode = chooseMigrate(ctx, 'zfs');
  const root = ctx.request.dataRoot ?? DEFAULT_NEW_ROOT;
  const dataset = `${pool}/docker`;
  const dev = shq(ctx.request.device);
  const poolExists = `zpool list -H -o name ${shq(pool)} >/dev/null 2>&1`;
  const migrate = migrateSteps(ctx, mode, root);
  const config = configChange(ctx, { set: { 'data-root': root, 'storage-driver': 'zfs' } });
  const dropIn = mountDropIn(ctx, ['Requires=zfs-mount.service', 'After=zfs-mount.service'], `the zfs dataset ${dataset}`);

  const steps: PlanStep[] = [
    preflightStep([
      ...preflightCommands(ctx, ['zpool', 'zfs', 'blkid', 'findmnt', 'lsblk'], [ctx.oldRoot, root]),
      '[[ -e /dev/zfs ]] || modprobe zfs || die "the zfs kernel module is not loaded and cannot be (install zfs-dkms or the distribution\'s zfs kernel package)"',
      ...devicePreflight(ctx, `[[ $fs_type == zfs_member ]] && ${poolExists}`, null),
      `if ! ${poolExists} && [[ -d ${shq(root)} && -n "$(ls -A ${shq(root)})" ]]; then die "${root} is not empty: the dataset would hide what is there"; fi`,
    ]),
    ...migrate.before,
    stopEngineStep(ctx, { root, driver: 'zfs' }),
    // -m none: the pool's root dataset is not mounted anywhere; only the docker dataset is.
    changeStep(
      'zpool-create',
      `Create the pool ${pool} on ${ctx.request.device}`,
      `This erases everything on ${ctx.request.device}.`,
      [`zpool create${ctx.request.forceFormat ? ' -f' : ''} -m none ${shq(pool)} ${dev}`],
      [poolExists],
    ),
    changeStep(
      'zfs-create',
      `Create the dataset ${dataset} mounted at ${root}`,
      null,
      [`zfs list -H ${shq(dataset)} >/dev/null 2>&1 || zfs create -o mountpoint=${shq(root)} ${shq(dataset)}`, `zfs mount ${shq(dataset)} 2>/dev/null || true`],
      [`[[ "$(zfs get -H -o value mountpoint ${shq(dataset)})" == ${shq(root)} ]]`, `[[ "$(findmnt -rn -o FSTYPE -M ${shq(root)})" == zfs ]]`],
    ),
    ...config.apply,
    ...(dropIn ? [dropIn.apply] : []),
    startEngineStep(ctx, { root, driver: 'zfs', restartContainers: false }),
    ...migrate.after,
    checkStep('verify', `Verify: zfs on ${dataset} at ${root}`, [infoEquals('{{.Driver}}', 'zfs'), infoEquals('{{.DockerRootDir}}', root), driverStatusEquals('Zpool', pool), ...migrate.verify]),
  ];
  const rollback: PlanStep[] = [
    rollbackStopStep(ctx),
    ...config.rollback,
    ...(dropIn ? [dropIn.rollback] : []),
    changeStep('zfs-unmount', `Unmount ${dataset}`, null, [`zfs set mountpoint=none ${shq(dataset)}`], [`! mountpoint -q ${shq(root)}`]),
    rollbackStartStep(ctx),
  ];
  return {
    kind: 'zfs',
    title: `dockwarden plan zfs: the data root on the zfs dataset ${dataset} (${ctx.request.device}), mounted at ${root}`,
    summary: [
      `Creates the pool ${pool} on ${ctx.request.device} and the dataset ${dataset} mounted at ${root}, and runs the engine there with the zfs driver (each layer a dataset, clones for containers).`,
      migrateSummary(ctx, mode, root),
      `The rollback leaves the pool in place; destroy it by hand once you are sure: zpool destroy ${pool}.`,
      ...config.changes,
    ],
    warnings: ['ZFS needs memory for its ARC cache and is not in the mainline kernel: the zfs module must be built for every new kernel (zfs-dkms).', ...migrateWarnings(ctx, mode)],
    settings: {
      device: ctx.request.device,
      pool,
      dataset,
      'old data root': `${ctx.oldRoot} (${oldDriver})`,
      'new data root': `${root} (zfs)`,
      migrate: mode,
      'daemon.json': ctx.host.daemonJson.path,
      'state directory': ctx.stateDir,
    },
    steps,
    rollback,
  };
}
