import { describe, expect, it } from 'vitest';
import { NOW, storePerTest } from '../store/testing/temp-store.js';
import { recordedUses } from './gc-history.js';

const ctx = storePerTest();

describe('recordedUses', () => {
  it('hands the planner uses and arrivals, whatever their sentence says', () => {
    ctx.store.recordImageUse('sha256:used', NOW - 100, 'container start event', 'use');
    ctx.store.recordImageUse('sha256:pulled', NOW - 200, 'image pull event', 'arrival');
    expect(recordedUses(ctx.store)).toEqual(
      new Map([
        ['sha256:used', { firstSeen: NOW - 100, lastUsed: NOW - 100 }],
        ['sha256:pulled', { firstSeen: NOW - 200, lastUsed: NOW - 200 }],
      ]),
    );
  });

  it('decides presence by the kind, not by the sentence: an image merely seen has nothing on record', () => {
    ctx.store.noteImagesPresent(['sha256:found'], NOW, 'present at agent start');
    expect(recordedUses(ctx.store).has('sha256:found')).toBe(false);
  });

  it('takes an image seen again after a deletion as arrived then', () => {
    ctx.store.recordImageUse('sha256:back', NOW - 5000, 'image pull event', 'arrival');
    ctx.store.noteImageGone('sha256:back', NOW - 2000);
    ctx.store.noteImagesPresent(['sha256:back'], NOW, 'present when the agent looked');
    expect(recordedUses(ctx.store).get('sha256:back')).toEqual({ firstSeen: NOW, goneAt: NOW - 2000 });
  });
});
