import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { makePlan } from './make-plan.js';
import type { PlanHost, PlanRequest } from './plan-context.js';
import { renderScript } from './render-script.js';
import { GRAPH_FLAG_DROP_IN, planHost, planRequest, recordedInfo } from './testing/plan-inputs.js';

// The scripts for what this kernel cannot run (devicemapper, ZFS) and for the systemd
// paths the sandbox does not take, compared with reviewed golden files in
// test/fixtures/plan/, and each checked by `bash -n` and shellcheck.
// After an intended change: DW_UPDATE_GOLDEN=1 npx vitest run src/plan/plan-golden.test.ts, then review the diff.

const GOLDEN_DIR = new URL('../../test/fixtures/plan/', import.meta.url);
const AT = new Date('2026-11-25T06:00:00Z');

interface GoldenCase {
  name: string;
  command: string;
  request: PlanRequest;
  host: PlanHost;
}

const OVERRIDE_CONF = '/etc/systemd/system/docker.service.d/override.conf';

const CASES: GoldenCase[] = [
  {
    // CentOS 7, Docker 19.03 on loop-lvm: kernel 3.10 has no deferred removal.
    name: 'direct-lvm-centos7-loop-lvm',
    command: 'dockwarden plan direct-lvm --device /dev/xvdf --migrate save',
    request: planRequest('direct-lvm', { device: '/dev/xvdf', migrate: 'save' }),
    host: planHost({ info: recordedInfo('centos7-devicemapper-loop'), daemonJson: '{\n  "storage-driver": "devicemapper"\n}\n' }),
  },
  {
    // Ubuntu 16.04, Docker 18.09, kernel 4.4: deferred removal and deletion on.
    name: 'direct-lvm-ubuntu1604',
    command: 'dockwarden plan direct-lvm --device /dev/sdc',
    request: planRequest('direct-lvm', { device: '/dev/sdc' }),
    host: planHost({ info: recordedInfo('direct-lvm-low-space'), daemonJson: null }),
  },
  {
    name: 'zfs-debian12',
    command: 'dockwarden plan zfs --pool zpool-docker --device /dev/nvme1n1 --migrate save',
    request: planRequest('zfs', { device: '/dev/nvme1n1', pool: 'zpool-docker', migrate: 'save' }),
    host: planHost({ info: recordedInfo('overlay2-ext4-healthy'), daemonJson: '{\n  "log-driver": "json-file",\n  "log-opts": { "max-size": "10m" }\n}\n' }),
  },
  {
    // The Ubuntu story: the root set with -g in a drop-in; daemon.json must not repeat it.
    name: 'overlay2-systemd-graph-flag',
    command: 'dockwarden plan overlay2 --device /dev/sdb1 --remove-conflicting-flags',
    request: planRequest('overlay2', { device: '/dev/sdb1', removeConflictingFlags: true }),
    host: planHost({
      info: { ...recordedInfo('overlay2-ext4-healthy'), DockerRootDir: '/srv/docker' },
      daemonJson: null,
      settings: [GRAPH_FLAG_DROP_IN],
      files: { [OVERRIDE_CONF]: `[Service]\nExecStart=\n${GRAPH_FLAG_DROP_IN.text}\n` },
    }),
  },
  {
    name: 'pquota-default-size',
    command: 'dockwarden plan pquota --device /dev/sdd --default-size 20G',
    request: planRequest('pquota', { device: '/dev/sdd', defaultSize: '20G' }),
    host: planHost({ info: recordedInfo('overlay2-ext4-healthy'), daemonJson: '{\n  "live-restore": true\n}\n' }),
  },
];

function render(c: GoldenCase): string {
  return renderScript(makePlan(c.request, c.host), { command: c.command, generatedAt: AT, madeFor: c.host.facts.engine.info.Name ?? 'host', env: {} });
}

describe('plan scripts (golden files)', () => {
  for (const c of CASES) {
    it(`${c.name}: matches its golden file, bash -n and shellcheck pass`, () => {
      const script = render(c);
      const golden = new URL(`${c.name}.sh`, GOLDEN_DIR);
      if (process.env['DW_UPDATE_GOLDEN']) {
        mkdirSync(GOLDEN_DIR, { recursive: true });
        writeFileSync(golden, script);
      }
      expect(script).toBe(readFileSync(golden, 'utf8'));
      execFileSync('bash', ['-n'], { input: script });
      const lint = spawnSync('shellcheck', ['-'], { input: script, encoding: 'utf8' });
      expect(lint.error, 'shellcheck is installed by scripts/install-test-deps.sh').toBeUndefined();
      expect(lint.stdout).toBe('');
      expect(lint.status).toBe(0);
    });
  }
});
