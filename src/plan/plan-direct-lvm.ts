import { UsageError } from '../core/errors.js';
import { kernelAtLeast, majorVersion } from '../core/versions.js';
import { configChange } from './config-steps.js';
import { preflightCommands, rollbackStartStep, rollbackStopStep, startEngineStep, statePath, stopEngineStep } from './engine-steps.js';
import { devicePreflight } from './filesystem-steps.js';
import { chooseMigrate, migrateSteps, migrateSummary, migrateWarnings } from './migrate-steps.js';
import { changeStep as change, checkStep, preflightStep } from './plan-parts.js';
import type { PlanContext } from './plan-context.js';
import type { Plan, PlanStep } from './plan.js';
import { driverStatusEquals, fileHasText, infoEquals, replaceFileCommand, shq } from './shell.js';

// devicemapper direct-lvm, as Docker documented it: a thin pool on a dedicated volume
// group, an LVM profile that extends it before it fills, dmeventd monitoring that applies
// the profile, and deferred removal/deletion where the kernel has them (3.18+). For hosts
// whose kernel cannot run overlay2; everyone else should take the overlay2 plan.

export const THINPOOL_PROFILE = '/etc/lvm/profile/docker-thinpool.profile';
const POOL = 'docker/thinpool';
const POOL_DEVICE = '/dev/mapper/docker-thinpool';
/** Extend by 20% of the pool when it is 80% full: Docker's documented values. */
const PROFILE_TEXT = 'activation {\n  thin_pool_autoextend_threshold=80\n  thin_pool_autoextend_percent=20\n}\n';

const lvField = (field: string): string => `"$(lvs --noheadings -o ${field} ${POOL} 2>/dev/null | tr -d ' ')"`;

function deferredSupport(ctx: PlanContext): { deferred: boolean; warning: string | null } {
  const supported = ctx.kernel ? kernelAtLeast(ctx.kernel, 3, 18) : undefined;
  if (supported) return { deferred: true, warning: null };
  return {
    deferred: false,
    warning:
      supported === false
        ? `Kernel ${ctx.kernel} is older than 3.18: deferred device removal and deletion are left off (they need 3.18), so \`docker rm\` can fail with "device or resource busy" while a device is still open.`
        : 'The kernel version is unknown: deferred device removal and deletion (kernel 3.18+) are left off; add dm.use_deferred_removal=true and dm.use_deferred_deletion=true to storage-opts if the kernel has them.',
  };
}

export function planDirectLvm(ctx: PlanContext): Plan {
  if ((majorVersion(ctx.engineVersion) ?? 0) >= 25) {
    throw new UsageError(`Engine ${ctx.engineVersion} has no devicemapper driver (removed in Engine 25.0): use dockwarden plan overlay2 instead.`);
  }
  if (ctx.request.dataRoot !== undefined) throw new UsageError('plan direct-lvm keeps the data root where it is (the images live in the thin pool): drop --data-root.');
  const mode = chooseMigrate(ctx, 'devicemapper');
  const { deferred, warning } = deferredSupport(ctx);
  const dev = shq(ctx.request.device);
  const root = ctx.oldRoot;
  const migrate = migrateSteps(ctx, mode, root);
  const storageOpts = [`dm.thinpooldev=${POOL_DEVICE}`, ...(deferred ? ['dm.use_deferred_removal=true', 'dm.use_deferred_deletion=true'] : [])];
  const config = configChange(ctx, { set: { 'storage-driver': 'devicemapper', 'storage-opts': storageOpts } });
  const profileBefore = ctx.host.files[THINPOOL_PROFILE] ?? null;
  const isPv = `pvs ${dev} >/dev/null 2>&1`;
  // loop-lvm's metadata describes the old pool; dockerd refuses the new one next to it.
  const fromLoopLvm = ctx.oldDriver === 'devicemapper';
  const aside = ['devicemapper', 'image/devicemapper'].map((d) => ({ path: shq(`${root}/${d}`), away: shq(`${root}/${d}.dockwarden-loop-lvm`) }));

  const steps: PlanStep[] = [
    preflightStep([
      ...preflightCommands(ctx, ['pvcreate', 'pvs', 'vgcreate', 'vgs', 'lvcreate', 'lvconvert', 'lvchange', 'lvs', 'thin_check', 'blkid', 'findmnt', 'lsblk'], [root]),
      ...devicePreflight(ctx, `[[ $fs_type == LVM2_member && "$(pvs --noheadings -o vg_name ${dev} 2>/dev/null | tr -d ' ')" == docker ]]`, null),
    ]),
    ...migrate.before,
    stopEngineStep(ctx, { root, driver: 'devicemapper' }),
    change('pvcreate', `Make ${ctx.request.device} an LVM physical volume`, `This erases everything on ${ctx.request.device}.`, [`pvcreate${ctx.request.forceFormat ? ' -ff -y' : ''} ${dev}`], [isPv]),
    change('vgcreate', 'Create the volume group docker', null, [`vgcreate docker ${dev}`], ['vgs docker >/dev/null 2>&1']),
    change(
      'thinpool',
      'Create the thin pool docker/thinpool (data 95% of the group, metadata 1%)',
      null,
      [
        'lvs docker/thinpool >/dev/null 2>&1 || lvcreate --wipesignatures y -n thinpool docker -l 95%VG',
        'lvs docker/thinpoolmeta >/dev/null 2>&1 || lvcreate --wipesignatures y -n thinpoolmeta docker -l 1%VG',
        // --zero n: Docker zeroes what it needs; -c 512K: the chunk size Docker documents.
        'lvconvert -y --zero n -c 512K --thinpool docker/thinpool --poolmetadata docker/thinpoolmeta',
      ],
      [`[[ ${lvField('lv_attr')} == t* ]]`],
    ),
    change('lvm-profile', `Write the autoextend profile ${THINPOOL_PROFILE}`, null, [replaceFileCommand(THINPOOL_PROFILE, profileBefore, PROFILE_TEXT)], [fileHasText(THINPOOL_PROFILE, PROFILE_TEXT)]),
    change('lvchange-profile', 'Apply the profile to the thin pool', null, [`lvchange --metadataprofile docker-thinpool ${POOL}`], [`[[ ${lvField('lv_profile')} == docker-thinpool ]]`]),
    change('monitor', 'Make sure dmeventd monitors the pool (it is what applies the autoextend profile)', null, [`lvchange --monitor y ${POOL}`], [`[[ ${lvField('seg_monitor')} == monitored ]]`]),
    ...(fromLoopLvm
      ? [
          change(
            'loop-lvm-aside',
            `Move the loop-lvm data in ${root} aside`,
            null,
            [...aside.map((a) => `if [[ -e ${a.path} ]]; then mv ${a.path} ${a.away}; fi`), `touch ${statePath(ctx, 'loop-lvm-aside')}`],
            [`[[ -e ${statePath(ctx, 'loop-lvm-aside')} ]]`],
          ),
        ]
      : []),
    ...config.apply,
    startEngineStep(ctx, { root, driver: 'devicemapper', restartContainers: false }),
    ...migrate.after,
    checkStep('verify', `Verify: devicemapper direct-lvm on ${POOL}`, [
      infoEquals('{{.Driver}}', 'devicemapper'),
      driverStatusEquals('Pool Name', 'docker-thinpool'),
      `[[ -z "$(driver_status 'Data loop file')" ]]`,
      ...(deferred ? [driverStatusEquals('Deferred Removal Enabled', 'true'), driverStatusEquals('Deferred Deletion Enabled', 'true')] : []),
      `[[ ${lvField('seg_monitor')} == monitored ]]`,
      ...migrate.verify,
    ]),
  ];
  const rollback: PlanStep[] = [
    rollbackStopStep(ctx),
    ...config.rollback,
    ...(fromLoopLvm
      ? [
          change(
            'loop-lvm-back',
            `Put the loop-lvm data in ${root} back`,
            `This deletes the direct-lvm engine's metadata in ${root}/devicemapper (its images stay in the thin pool, unreachable).`,
            aside.map((a) => `if [[ -e ${a.away} ]]; then rm -rf ${a.path}; mv ${a.away} ${a.path}; fi`),
            aside.map((a) => `[[ ! -e ${a.away} ]]`),
          ),
        ]
      : []),
    rollbackStartStep(ctx),
  ];
  return {
    kind: 'direct-lvm',
    title: `dockwarden plan direct-lvm: devicemapper on a thin pool on ${ctx.request.device}`,
    summary: [
      'devicemapper is deprecated (Docker 18.09) and removed in Engine 25: prefer dockwarden plan overlay2 wherever the kernel runs overlay2 (3.10.0-514 on RHEL/CentOS 7, 4.0 elsewhere). Use this plan only where it cannot.',
      `Makes ${ctx.request.device} the volume group docker with the thin pool ${POOL} (95% data, 1% metadata), extended by 20% whenever it is 80% full, and points dockerd at ${POOL_DEVICE}.`,
      migrateSummary(ctx, mode, root),
      `The rollback leaves the volume group in place; remove it by hand once you are sure: lvremove docker/thinpool && vgremove docker && pvremove ${ctx.request.device}.`,
      ...config.changes,
    ],
    warnings: [...(warning ? [warning] : []), ...migrateWarnings(ctx, mode)],
    settings: {
      device: ctx.request.device,
      'thin pool': `${POOL} (${POOL_DEVICE})`,
      'data root': `${root} (${ctx.oldDriver ?? 'unknown driver'} -> devicemapper)`,
      kernel: ctx.kernel ?? 'unknown',
      migrate: mode,
      'daemon.json': ctx.host.daemonJson.path,
      'state directory': ctx.stateDir,
    },
    steps,
    rollback,
  };
}
