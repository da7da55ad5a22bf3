import { describe, expect, it } from 'vitest';
import { collectDockerService, execStartArgv, resolveServiceEnvironment, usesVariable, type UnitSource } from './docker-service.js';
import { parseEnvFile } from '../core/env-file.js';
import { parseUnitFile } from '../core/systemd-unit-file.js';

function unit(path: string, kind: 'unit' | 'drop-in', text: string): UnitSource {
  return { path, kind, directives: parseUnitFile(text) };
}

const MAIN = unit('/lib/systemd/system/docker.service', 'unit', '[Service]\nType=notify\nExecStart=/usr/bin/dockerd -H fd:// --containerd=/run/containerd/containerd.sock\n');

describe('collectDockerService', () => {
  it('lets an empty ExecStart= in a drop-in clear the packaged command line', () => {
    const model = collectDockerService([MAIN, unit('/etc/systemd/system/docker.service.d/override.conf', 'drop-in', '[Service]\nExecStart=\nExecStart=/usr/bin/dockerd -g /mnt/docker\n')]);
    expect(model.execStarts.map((l) => l.text)).toEqual(['ExecStart=/usr/bin/dockerd -g /mnt/docker']);
    expect(model.cleared.map((c) => [c.line.file, c.by])).toEqual([['/lib/systemd/system/docker.service', '/etc/systemd/system/docker.service.d/override.conf']]);
    expect(model.type).toBe('notify');
  });
  it('keeps both lines when the drop-in forgets the empty ExecStart= (systemd then refuses the unit)', () => {
    const model = collectDockerService([MAIN, unit('/etc/systemd/system/docker.service.d/override.conf', 'drop-in', '[Service]\nExecStart=/usr/bin/dockerd -g /mnt/docker\n')]);
    expect(model.execStarts).toHaveLength(2);
    expect(model.cleared).toEqual([]);
  });
  it('ignores ExecStart outside [Service]', () => {
    expect(collectDockerService([unit('/x', 'unit', '[Unit]\nExecStart=/nope\n')]).execStarts).toEqual([]);
  });
  it('collects EnvironmentFile= with its optional dash, and empties it on an empty assignment', () => {
    const model = collectDockerService([
      unit('/u', 'unit', '[Service]\nEnvironmentFile=-/etc/default/docker\nEnvironmentFile=/etc/docker/env\n'),
      unit('/d.conf', 'drop-in', '[Service]\nEnvironmentFile=\nEnvironmentFile=-/etc/sysconfig/docker\n'),
    ]);
    expect(model.environmentFiles).toEqual([{ path: '/etc/sysconfig/docker', optional: true, declaredIn: '/d.conf', kind: 'drop-in' }]);
  });
});

describe('resolveServiceEnvironment and execStartArgv', () => {
  it('lets EnvironmentFile= values override Environment= ones, whatever the line order', () => {
    const model = collectDockerService([
      unit('/u', 'unit', '[Service]\nEnvironmentFile=-/etc/default/docker\nEnvironment="DOCKER_OPTS=-g /from/environment"\nExecStart=/usr/sbin/dockerd $DOCKER_OPTS\n'),
    ]);
    const vars = resolveServiceEnvironment(model, new Map([['/etc/default/docker', parseEnvFile('DOCKER_OPTS="-g /from/file"\n')]]));
    expect(vars.get('DOCKER_OPTS')).toMatchObject({ value: '-g /from/file', source: { file: '/etc/default/docker', line: 1, declaredIn: '/u' } });
    const argv = execStartArgv(model.execStarts[0]!, vars);
    expect(argv.map((w) => w.word)).toEqual(['/usr/sbin/dockerd', '-g', '/from/file']);
    expect(usesVariable(model.execStarts[0]!, 'DOCKER_OPTS')).toBe(true);
  });
  it('treats a missing environment file as empty', () => {
    const model = collectDockerService([unit('/u', 'unit', '[Service]\nEnvironmentFile=-/etc/default/docker\nExecStart=/usr/sbin/dockerd $DOCKER_OPTS\n')]);
    expect(execStartArgv(model.execStarts[0]!, resolveServiceEnvironment(model, new Map([['/etc/default/docker', null]]))).map((w) => w.word)).toEqual(['/usr/sbin/dockerd']);
  });
  it('strips ExecStart prefixes and the argv[0] word that `@` introduces', () => {
    const model = collectDockerService([unit('/u', 'unit', '[Service]\nExecStart=-@/usr/bin/dockerd dockerd -g /x\n')]);
    expect(execStartArgv(model.execStarts[0]!, new Map()).map((w) => w.word)).toEqual(['/usr/bin/dockerd', '-g', '/x']);
  });
});
