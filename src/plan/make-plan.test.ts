import { describe, expect, it } from 'vitest';
import { UsageError } from '../core/errors.js';
import { makePlan } from './make-plan.js';
import type { Plan } from './plan.js';
import { renderScript } from './render-script.js';
import { makeContainerd } from '../doctor/testing/build-facts.js';
import { GRAPH_FLAG_DROP_IN, planHost, planRequest, recordedInfo } from './testing/plan-inputs.js';

// What each plan decides from the host: which options, which migration, and when it
// refuses to make a script at all (with one sentence saying why).

const ubuntu = () => planHost({ info: recordedInfo('overlay2-ext4-healthy'), daemonJson: null });
const storageOpts = (plan: Plan): string => plan.steps.find((s) => s.id === 'daemon-json')!.commands.join('\n');

describe('makePlan', () => {
  it('direct-lvm turns on deferred removal and deletion only on kernels >= 3.18', () => {
    const old = makePlan(planRequest('direct-lvm'), planHost({ info: recordedInfo('direct-lvm-old-kernel') }));
    expect(storageOpts(old)).toContain('dm.thinpooldev=/dev/mapper/docker-thinpool');
    expect(storageOpts(old)).not.toContain('deferred');
    expect(old.warnings.join(' ')).toMatch(/3\.10\.0-957.* is older than 3\.18/);
    const recent = makePlan(planRequest('direct-lvm'), planHost({ info: recordedInfo('direct-lvm-low-space') }));
    expect(storageOpts(recent)).toContain('"dm.use_deferred_removal=true"');
    expect(storageOpts(recent)).toContain('"dm.use_deferred_deletion=true"');
    const verify = recent.steps.find((s) => s.id === 'verify')!.verify.join('\n');
    expect(verify).toContain("driver_status 'Deferred Removal Enabled'");
  });

  it('direct-lvm says devicemapper is deprecated, and refuses engines that no longer have it', () => {
    const plan = makePlan(planRequest('direct-lvm'), planHost({ info: recordedInfo('direct-lvm-low-space') }));
    expect(plan.summary[0]).toMatch(/deprecated .* prefer dockwarden plan overlay2/);
    expect(() => makePlan(planRequest('direct-lvm'), planHost({ info: recordedInfo('engine-28-containerd-store') }))).toThrow(/Engine 28\.3\.2 has no devicemapper driver/);
  });

  it('copies the data root only between two overlay2 roots', () => {
    expect(makePlan(planRequest('overlay2'), ubuntu()).steps.map((s) => s.id)).toContain('copy');
    const fromDm = planHost({ info: recordedInfo('centos7-devicemapper-loop') });
    const plan = makePlan(planRequest('overlay2'), fromDm);
    expect(plan.settings['migrate']).toBe('fresh');
    expect(() => makePlan(planRequest('overlay2', { migrate: 'copy' }), fromDm)).toThrow(/--migrate copy needs overlay2 on both sides; the engine runs devicemapper/);
    expect(() => makePlan(planRequest('btrfs', { migrate: 'copy' }), ubuntu())).toThrow(UsageError);
  });

  it("on containerd's image store, moves the data root with dockerd's own containerd inside it, keeping the snapshotter", () => {
    const info = recordedInfo('engine-28-containerd-store');
    const own = makeContainerd({ managedByDockerd: true, root: '/var/lib/docker/containerd/daemon', address: '/var/run/docker/containerd/containerd.sock' });
    const plan = makePlan(planRequest('overlay2', { dataRoot: '/data/docker' }), planHost({ info, daemonJson: '{"features": {"containerd-snapshotter": true}}', containerd: own }));
    expect(plan.settings['migrate']).toBe('copy');
    expect(storageOpts(plan)).toContain('"data-root": "/data/docker"');
    expect(storageOpts(plan)).not.toContain('storage-driver');
    expect(plan.summary.join('\n')).toContain('it moves with the data root, to /data/docker/containerd/daemon; the snapshotter stays overlayfs');
    const verify = plan.steps.find((s) => s.id === 'verify')!.verify.join('\n');
    expect(verify).toMatch(/driver_status '?driver-type'?\)" == '?io\.containerd\.snapshotter\.v1'?/);
    expect(verify).toContain('/data/docker/containerd/daemon/io.containerd.content.v1.content');
  });

  it("refuses on containerd's image store when images live in a separate containerd's root, or for a graph-driver plan", () => {
    const info = recordedInfo('engine-28-containerd-store');
    expect(() => makePlan(planRequest('overlay2'), planHost({ info, containerd: makeContainerd() }))).toThrow(
      /^Images live in containerd's root \/var\/lib\/containerd \(`root` in \/etc\/containerd\/config.toml of containerd pid 812\), not under the data root \/var\/lib\/docker: moving the data root would leave every image behind\. Move containerd's root instead/,
    );
    expect(() => makePlan(planRequest('pquota'), planHost({ info, containerd: makeContainerd() }))).toThrow(/`plan pquota` sets up a graph driver it does not use/);
    expect(() => makePlan(planRequest('zfs', { pool: 'tank' }), planHost({ info, containerd: makeContainerd() }))).toThrow(/`plan zfs` sets up a graph driver/);
    expect(() => makePlan(planRequest('overlay2'), planHost({ info }))).toThrow(/where containerd's root is was not learned/);
  });

  it('refuses a data-root flag in the unit unless asked to take it out', () => {
    const host = planHost({
      info: { ...recordedInfo('overlay2-ext4-healthy'), DockerRootDir: '/srv/docker' },
      settings: [GRAPH_FLAG_DROP_IN],
      files: { [GRAPH_FLAG_DROP_IN.file]: `[Service]\nExecStart=\n${GRAPH_FLAG_DROP_IN.text}\n` },
    });
    expect(() => makePlan(planRequest('overlay2'), host)).toThrow(
      'dockerd also gets data-root as a flag: `-g /srv/docker` in /etc/systemd/system/docker.service.d/override.conf, which --remove-conflicting-flags would take out with an override in /etc/systemd/system/docker.service.d/zz-dockwarden-flags.conf. With both, dockerd refuses to start ("specified both as a flag and in the configuration file"), so no plan was made.',
    );
    const plan = makePlan(planRequest('overlay2', { removeConflictingFlags: true }), host);
    const ids = plan.steps.map((s) => s.id);
    // The flag goes before daemon.json names the root, and both come back on rollback.
    expect(ids.indexOf('remove-flag-1')).toBeLessThan(ids.indexOf('daemon-json'));
    expect(plan.rollback.map((s) => s.id)).toEqual(expect.arrayContaining(['restore-daemon-json', 'restore-flag-1']));
  });

  it('refuses roots that overlap, devices outside /dev and paths a script would have to quote', () => {
    expect(() => makePlan(planRequest('overlay2', { dataRoot: '/var/lib/docker/new' }), ubuntu())).toThrow(/overlap/);
    expect(() => makePlan(planRequest('overlay2', { dataRoot: '/var/lib' }), ubuntu())).toThrow(/overlap/);
    expect(() => makePlan(planRequest('overlay2', { device: '/tmp/disk.img' }), ubuntu())).toThrow(/block device under \/dev/);
    expect(() => makePlan(planRequest('overlay2', { dataRoot: '/data/my docker' }), ubuntu())).toThrow(/plain path/);
  });

  it('zfs needs a pool name zpool accepts', () => {
    expect(() => makePlan(planRequest('zfs'), ubuntu())).toThrow(/--pool NAME/);
    expect(() => makePlan(planRequest('zfs', { pool: 'mirror1' }), ubuntu())).toThrow(/reserved/);
    expect(makePlan(planRequest('zfs', { pool: 'tank' }), ubuntu()).settings['dataset']).toBe('tank/docker');
  });

  it('pquota mounts with pquota and can set a default size limit', () => {
    const plan = makePlan(planRequest('pquota', { defaultSize: '20G' }), ubuntu());
    expect(plan.steps.find((s) => s.id === 'fstab')!.commands.join('\n')).toContain('xfs defaults,pquota 0 0');
    expect(storageOpts(plan)).toContain('"overlay2.size=20G"');
    expect(() => makePlan(planRequest('pquota', { defaultSize: 'lots' }), ubuntu())).toThrow(/--default-size/);
  });

  it('puts every destructive step behind a confirmation and every change behind a verify', () => {
    for (const kind of ['overlay2', 'pquota', 'btrfs', 'zfs'] as const) {
      const plan = makePlan(planRequest(kind, { pool: 'tank' }), ubuntu());
      expect(plan.steps.filter((s) => s.destructive).map((s) => s.id)).toEqual(['stop-engine', kind === 'zfs' ? 'zpool-create' : 'format']);
      for (const step of [...plan.steps, ...plan.rollback]) if (step.kind === 'change') expect(step.verify.length, step.id).toBeGreaterThan(0);
    }
  });
});

describe('renderScript', () => {
  it('refuses a change step without a verify: a re-run could not tell it is done', () => {
    const plan = makePlan(planRequest('overlay2'), ubuntu());
    plan.steps[1] = { ...plan.steps[1]!, verify: [] };
    expect(() => renderScript(plan, { command: 'x', generatedAt: new Date(0), madeFor: 'h', env: {} })).toThrow(/has no verify/);
  });
});

describe('plan --json shape', () => {
  // The dashboard reads these (DESIGN.md's frozen formats): add fields, never rename.
  it('keeps the keys of a plan and of a step', () => {
    const plan = makePlan(planRequest('overlay2'), ubuntu());
    expect(Object.keys(plan)).toEqual(['kind', 'title', 'summary', 'warnings', 'settings', 'steps', 'rollback']);
    expect(Object.keys(plan.steps[0]!)).toEqual(['id', 'title', 'kind', 'destructive', 'commands', 'verify']);
    expect(plan.steps.map((s) => s.id)).toEqual(['preflight', 'record-images', 'stop-engine', 'format', 'fstab', 'mount', 'copy', 'daemon-json', 'mount-drop-in', 'start-engine', 'verify']);
  });
});
