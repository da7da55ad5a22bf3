import { UsageError } from '../core/errors.js';
import type { PlanContext } from './plan-context.js';
import type { MigrateMode, PlanStep } from './plan.js';
import { statePath } from './engine-steps.js';
import { shq } from './shell.js';

// How images reach the new storage. Layers are driver-specific on disk, so only an
// overlay2 -> overlay2 move can copy the data root; across drivers images go through
// `docker save`/`docker load` (no registry needed) or are pulled again.

export interface MigrateSteps {
  /** While the engine still runs on the old root. */
  before: PlanStep[];
  /** With the engine stopped and the new root mounted (copy only). */
  move: PlanStep[];
  /** Once the engine runs on the new storage. */
  after: PlanStep[];
  /** Conditions for the final verify: what should have survived did. */
  verify: string[];
}

function recordStep(ctx: PlanContext): PlanStep {
  const list = statePath(ctx, 'images.txt');
  return {
    id: 'record-images',
    title: `Record the images on ${ctx.oldRoot} (${ctx.stateDir}/images.txt)`,
    kind: 'change',
    destructive: null,
    commands: [
      `docker image ls -aq | sort -u >${statePath(ctx, 'image-ids.txt')}`,
      `docker image ls --format '{{.Repository}}:{{.Tag}}' | { grep -v '<none>' || true; } | sort -u >${list}.tmp`,
      `mv ${list}.tmp ${list}`,
    ],
    verify: [`[[ -e ${list} ]]`],
  };
}

/** Every image recorded before the move is known to the engine now. */
function allRecorded(ctx: PlanContext, file: string): string {
  return `! while read -r ref; do docker image inspect "$ref" >/dev/null 2>&1 || echo "$ref"; done <${statePath(ctx, file)} | grep -q .`;
}

function copyStep(ctx: PlanContext, newRoot: string): PlanStep {
  const old = shq(ctx.oldRoot);
  const dest = shq(newRoot);
  return {
    id: 'copy',
    title: `Copy ${ctx.oldRoot} to ${newRoot}`,
    kind: 'change',
    destructive: null,
    commands: [
      // A live-restored container still has its overlay mounted: copying under it is a torn copy.
      `if findmnt -rn -o TARGET | grep -q '^${ctx.oldRoot}/'; then die "filesystems are still mounted under ${ctx.oldRoot} (running containers?): stop them and run again"; fi`,
      `need=$(du -sxB1 ${old} | cut -f1)`,
      `free=$(df -B1 --output=avail ${dest} | tail -n 1)`,
      `((need < free)) || die "${ctx.oldRoot} holds $need bytes and ${newRoot} has $free free"`,
      // -H: overlay2's layers share files by hard link; -A -X: ACLs and the trusted.overlay.*
      // xattrs (opaque directories); -a keeps the whiteout character devices; -S sparse files.
      'progress=()',
      'if [[ -t 1 ]]; then progress=(--info=progress2); fi',
      `rsync -aHAXS --numeric-ids \${progress[@]+"\${progress[@]}"} ${old}/ ${dest}/`,
      `touch ${statePath(ctx, 'copied')}`,
    ],
    verify: [`[[ -e ${statePath(ctx, 'copied')} ]]`],
  };
}

export function migrateSteps(ctx: PlanContext, mode: MigrateMode, newRoot: string): MigrateSteps {
  const tar = statePath(ctx, 'images.tar');
  switch (mode) {
    case 'copy':
      return {
        before: [recordStep(ctx)],
        move: [copyStep(ctx, newRoot)],
        after: [],
        verify: [allRecorded(ctx, 'image-ids.txt')],
      };
    case 'save':
      return {
        before: [
          recordStep(ctx),
          {
            id: 'save-images',
            title: `Save the tagged images to ${ctx.stateDir}/images.tar`,
            kind: 'change',
            destructive: null,
            commands: [
              `mapfile -t refs <${statePath(ctx, 'images.txt')}`,
              `if ((\${#refs[@]} > 0)); then docker save -o ${tar}.tmp "\${refs[@]}" && mv ${tar}.tmp ${tar}; fi`,
              `touch ${statePath(ctx, 'images.saved')}`,
            ],
            verify: [`[[ -e ${statePath(ctx, 'images.saved')} ]]`],
          },
        ],
        move: [],
        after: [
          {
            id: 'load-images',
            title: `Load the saved images (${ctx.stateDir}/images.tar)`,
            kind: 'change',
            destructive: null,
            commands: [`if [[ -s ${tar} ]]; then docker load -q -i ${tar}; fi`, `touch ${statePath(ctx, 'images.loaded')}`],
            verify: [`[[ -e ${statePath(ctx, 'images.loaded')} ]]`],
          },
        ],
        verify: [allRecorded(ctx, 'images.txt')],
      };
    case 'fresh':
      return {
        before: [recordStep(ctx)],
        move: [],
        after: [
          {
            id: 'list-images',
            title: 'Say which images to pull again',
            kind: 'check',
            destructive: null,
            commands: [`say "  $(wc -l <${statePath(ctx, 'images.txt')}) tagged images were on ${ctx.oldRoot}; pull them again with:"`, `say "    xargs -rn1 docker pull <${ctx.stateDir}/images.txt"`],
            verify: [],
          },
        ],
        verify: [],
      };
  }
}

export function migrateSummary(ctx: PlanContext, mode: MigrateMode, newRoot: string): string {
  switch (mode) {
    case 'copy':
      return `Images, containers and volumes are copied from ${ctx.oldRoot} with rsync; ${ctx.oldRoot} stays untouched as the way back (delete it once you are sure).`;
    case 'save':
      return `Tagged images go through docker save/load via ${ctx.stateDir}; containers and volumes are not moved: recreate them on ${newRoot}.`;
    case 'fresh':
      return `The engine starts empty on ${newRoot}; the tagged images are listed in ${ctx.stateDir}/images.txt to pull again. Locally built images that no registry has are lost unless you use --migrate save.`;
  }
}

export function migrateWarnings(ctx: PlanContext, mode: MigrateMode): string[] {
  return mode === 'save' ? [`docker save needs room for every tagged image under ${ctx.stateDir} (choose it with --state-dir).`] : [];
}

/** Copying a data root only works between two overlay2 roots: every driver lays layers out its own way. */
export function chooseMigrate(ctx: PlanContext, driver: string): MigrateMode {
  const asked = ctx.request.migrate;
  // overlay2 on both sides, or containerd's store keeping its snapshotter (its root moves inside the data root).
  const canCopy = (driver === 'overlay2' || driver === 'overlayfs') && ctx.oldDriver === driver;
  if (asked === 'copy' && !canCopy) {
    throw new UsageError(
      `--migrate copy needs overlay2 on both sides; the engine runs ${ctx.oldDriver ?? 'an unknown driver'} and the plan sets up ${driver}: ` +
        'image layers are stored differently by each driver. Use --migrate save (docker save/load) or --migrate fresh (pull again).',
    );
  }
  return asked ?? (canCopy ? 'copy' : 'fresh');
}
