import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { factsFromInfoPaste } from '../facts-paste.js';
import { PLAN_KINDS } from '../plan/plan.js';
import { makeFacts, makeFs, makeLocal } from './testing/build-facts.js';
import { runDoctor } from './run-doctor.js';

// The storage findings end in a plan: their fix names `dockwarden plan <kind>` with a kind
// that exists, so an operator goes from diagnosis to a reviewed script in one command.

const planKinds = (commands: string[]): string[] => commands.flatMap((c) => /dockwarden plan (\S+)/.exec(c)?.[1] ?? []);

function fixOf(facts: Parameters<typeof runDoctor>[0], id: string): string[] {
  const finding = runDoctor(facts).findings.find((f) => f.id === id);
  expect(finding, id).toBeDefined();
  return finding!.fix.commands;
}

const paste = (name: string) => factsFromInfoPaste(readFileSync(new URL(`../../test/fixtures/info/${name}`, import.meta.url), 'utf8'), name, new Date('2026-11-25T00:00:00Z'));

describe('storage findings point at a plan', () => {
  it.each([
    ['overlay2-xfs-no-dtype.json', 'storage.no-dtype', 'overlay2'],
    ['centos7-devicemapper-loop.json', 'storage.devicemapper-loop', 'overlay2'],
    ['centos7-devicemapper-loop.json', 'storage.deprecated-driver', 'overlay2'],
  ])('%s: %s -> plan %s', (fixture, id, kind) => {
    const kinds = planKinds(fixOf(paste(fixture), id));
    expect(kinds[0]).toBe(kind);
    for (const k of kinds) expect(PLAN_KINDS).toContain(k);
  });

  it('the data root on / -> plan overlay2; no size limits -> plan pquota; btrfs configured on ext4 -> plan btrfs', () => {
    const shared = makeFs({ path: '/var/lib/docker', mountPoint: '/', device: '/dev/sda1', deviceId: '8:1' });
    const onRoot = makeFacts({ host: makeLocal({ dataRootFs: shared, rootFs: shared }) });
    expect(planKinds(fixOf(onRoot, 'data-root.on-root-fs'))).toEqual(['overlay2']);
    expect(planKinds(fixOf(onRoot, 'sizelimit.unavailable'))).toEqual(['pquota']);
    const btrfs = makeFacts({ info: { Driver: 'btrfs', DriverStatus: [] } });
    expect(planKinds(fixOf(btrfs, 'storage.fs-mismatch'))).toEqual(['btrfs']);
  });
});
