import { UsageError } from '../core/errors.js';
import type { PlanContext } from './plan-context.js';
import type { PlanStep } from './plan.js';
import { infoEquals, shq } from './shell.js';

// Stopping and starting the engine, and the preflight every plan shares. docker.socket is
// stopped with docker.service: socket activation would otherwise start dockerd again at
// the first `docker` command. containerd keeps running: its state lives in
// /var/lib/containerd, not in the data root.

function stopCommand(ctx: PlanContext): string {
  return ctx.request.service?.stop ?? 'systemctl stop docker.socket docker.service';
}

function startCommand(ctx: PlanContext): string {
  return ctx.request.service?.start ?? 'systemctl start docker.socket docker.service';
}

export function statePath(ctx: PlanContext, name: string): string {
  return shq(`${ctx.stateDir}/${name}`);
}

/** Root, tools, and an engine on the root the plan was made for (or stopped by an earlier run). */
export function preflightCommands(ctx: PlanContext, tools: string[], acceptedRoots: string[]): string[] {
  const roots = [...new Set(acceptedRoots)];
  return [
    '[[ $(id -u) == 0 ]] || die "run it as root: it formats a device and rewrites system files"',
    `for tool in ${[...new Set(['docker', ...tools])].join(' ')}; do`,
    '  command -v "$tool" >/dev/null || die "$tool is not installed"',
    'done',
    `mkdir -p ${shq(ctx.stateDir)}`,
    'if docker_up; then',
    `  root=$(docker_info '{{.DockerRootDir}}')`,
    `  [[ ${roots.map((r) => `$root == ${shq(r)}`).join(' || ')} ]] ||`,
    `    die "the engine runs on $root, not on ${ctx.oldRoot} as when this plan was made: make the plan again"`,
    `elif [[ ! -e ${statePath(ctx, 'engine-stopped')} ]]; then`,
    '  die "the engine does not answer (docker info) and this plan did not stop it: start it, the plan checks what it moves"',
    'fi',
  ];
}

/**
 * `target`: where the plan leaves the engine. An engine already running there needs no
 * stopping, so a re-run of a finished plan changes nothing.
 */
export function stopEngineStep(ctx: PlanContext, target: EngineTarget): PlanStep {
  const running = statePath(ctx, 'running-containers');
  const commands: string[] = [];
  // With live-restore, containers outlive dockerd and keep their mounts in the old root:
  // they must stop before anything moves, and the copy restarts them afterwards.
  if (ctx.liveRestore) {
    commands.push(
      `if [[ ! -e ${running} ]]; then docker ps -q >${running}; fi`,
      `if [[ -s ${running} ]]; then`,
      '  say "  live-restore is on: containers outlive dockerd, so they are stopped first"',
      `  xargs docker stop <${running} >/dev/null`,
      'fi',
    );
  }
  commands.push(`touch ${statePath(ctx, 'engine-stopped')}`, stopCommand(ctx), 'wait_until 120 "the engine to stop" engine_down');
  return {
    id: 'stop-engine',
    title: 'Stop the engine',
    kind: 'change',
    destructive: 'This stops dockerd: containers are down until the engine is started again below.',
    commands,
    verify: [`engine_down || { ${engineOn(target)}; }`],
  };
}

/** The bash condition "the engine answers, on this root with this driver". */
function engineOn(target: EngineTarget): string {
  return `docker_up && ${infoEquals('{{.DockerRootDir}}', target.root)} && ${infoEquals('{{.Driver}}', target.driver)}`;
}

export interface EngineTarget {
  root: string;
  driver: string;
}

export interface EngineExpectation extends EngineTarget {
  /** Start again the containers the stop step stopped (their ids survive only a copy). */
  restartContainers: boolean;
}

export function startEngineStep(ctx: PlanContext, expect: EngineExpectation, title = 'Start the engine'): PlanStep {
  const running = statePath(ctx, 'running-containers');
  return {
    id: 'start-engine',
    title,
    kind: 'change',
    destructive: null,
    commands: [
      ...(ctx.systemd ? ['systemctl daemon-reload'] : []),
      startCommand(ctx),
      'wait_until 120 "the engine to answer" docker_up',
      `rm -f ${statePath(ctx, 'engine-stopped')}`,
      ...(ctx.liveRestore && expect.restartContainers
        ? [`if [[ -s ${running} ]]; then xargs docker start <${running} >/dev/null || say "  some containers did not start again: see docker ps -a"; fi`]
        : []),
    ],
    verify: [engineOn(expect)],
  };
}

export function rollbackStopStep(ctx: PlanContext): PlanStep {
  return { ...stopEngineStep(ctx, { root: ctx.oldRoot, driver: requireOldDriver(ctx) }), destructive: 'This stops dockerd to put it back on the old data root and driver.' };
}

export function rollbackStartStep(ctx: PlanContext): PlanStep {
  return startEngineStep(ctx, { root: ctx.oldRoot, driver: requireOldDriver(ctx), restartContainers: true }, `Start the engine on ${ctx.oldRoot} again`);
}

/** The driver the engine runs now: the rollback's target, so a plan cannot do without it. */
export function requireOldDriver(ctx: PlanContext): string {
  if (!ctx.oldDriver) throw new UsageError('The engine did not report its storage driver: the rollback needs it; make the plan against the live engine.');
  return ctx.oldDriver;
}
