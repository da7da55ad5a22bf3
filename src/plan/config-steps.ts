import { UsageError } from '../core/errors.js';
import { conflictRefusal, editDaemonJson, findFlagConflicts, flagRemovalEdits, type DaemonJsonChange, type FileEdit } from './daemon-json-edit.js';
import type { PlanContext } from './plan-context.js';
import type { PlanStep } from './plan.js';
import { fileHasText, replaceFileCommand, sha256Text, shq } from './shell.js';

// The configuration half of every plan: daemon.json gets the new root and driver, flags
// that would clash with it leave the unit (dockerd refuses to start with both), and the
// rollback puts every file back as it was when the plan was made.

export interface ConfigChange {
  /** Steps that write the files, in order. */
  apply: PlanStep[];
  /** Steps that restore them. */
  rollback: PlanStep[];
  /** One sentence per daemon.json change and per flag taken out, for the summary. */
  changes: string[];
}

function writeStep(id: string, title: string, path: string, before: string | null, after: string): PlanStep {
  return { id, title, kind: 'change', destructive: null, commands: [replaceFileCommand(path, before, after)], verify: [fileHasText(path, after)] };
}

function restoreStep(id: string, path: string, before: string | null, after: string): PlanStep {
  if (before === null) {
    return {
      id,
      title: `Remove ${path}, which the plan created`,
      kind: 'change',
      destructive: null,
      commands: [`remove_file ${shq(path)} ${sha256Text(after)}`],
      verify: [`[[ ! -e ${shq(path)} ]]`],
    };
  }
  return { id, title: `Put back ${path} as it was`, kind: 'change', destructive: null, commands: [replaceFileCommand(path, after, before)], verify: [fileHasText(path, before)] };
}

export function configChange(ctx: PlanContext, change: DaemonJsonChange): ConfigChange {
  const { path, text, json } = ctx.host.daemonJson;
  const edit = editDaemonJson(json, change);
  const conflicts = findFlagConflicts(ctx.settings, Object.keys(change.set));
  if (conflicts.length > 0 && !ctx.request.removeConflictingFlags) throw new UsageError(conflictRefusal(conflicts, 'no plan was made'));
  const flagEdits: FileEdit[] = conflicts.length > 0 ? flagRemovalEdits(conflicts, ctx.host.files) : [];

  const apply = [
    ...flagEdits.map((e, i) => writeStep(`remove-flag-${i + 1}`, `Take the conflicting flags off dockerd's command line (${e.path})`, e.path, e.before, e.after)),
    writeStep('daemon-json', `Write ${path}: ${edit.changes.length > 0 ? edit.changes.join(' ') : 'already as planned.'}`, path, text, edit.text),
  ];
  const rollback = [restoreStep('restore-daemon-json', path, text, edit.text), ...flagEdits.map((e, i) => restoreStep(`restore-flag-${i + 1}`, e.path, e.before, e.after))];
  return { apply, rollback, changes: [...edit.changes.map((c) => `${path}: ${c}`), ...flagEdits.map((e) => e.why)] };
}

/** The drop-in that keeps dockerd from starting before the new filesystem is mounted. */
export const MOUNT_DROP_IN = '/etc/systemd/system/docker.service.d/dockwarden-mount.conf';

/**
 * Without it, a boot where the disk is late or missing starts dockerd on the empty
 * directory underneath: a fresh data root on the root filesystem and "disappeared" images.
 * `unitLines` are the [Unit] dependencies that say so for this kind of storage.
 */
export function mountDropIn(ctx: PlanContext, unitLines: string[], what: string): { apply: PlanStep; rollback: PlanStep } | null {
  if (!ctx.systemd) return null;
  const before = ctx.host.files[MOUNT_DROP_IN] ?? null;
  const after =
    `# Written by dockwarden plan ${ctx.request.kind}: dockerd must not start before ${what} is mounted,\n` +
    '# or it starts on the empty directory underneath and every image seems to disappear.\n' +
    `[Unit]\n${unitLines.join('\n')}\n`;
  return {
    apply: writeStep('mount-drop-in', `Make docker.service wait for ${what} (${MOUNT_DROP_IN})`, MOUNT_DROP_IN, before, after),
    rollback: restoreStep('restore-mount-drop-in', MOUNT_DROP_IN, before, after),
  };
}
