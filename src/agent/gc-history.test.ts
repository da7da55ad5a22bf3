import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AgentStore } from '../store/agent-store.js';
import { NOW, storeFactory, tempDir, type TempDir } from '../store/testing/temp-store.js';
import { recordedUses } from './gc-history.js';

let t: TempDir;
let stores: ReturnType<typeof storeFactory>;
let store: AgentStore;

beforeEach(() => {
  t = tempDir();
  stores = storeFactory(t);
  store = stores.open();
});

afterEach(() => {
  stores.closeAll();
  t.cleanup();
});

describe('recordedUses', () => {
  it('hands the planner uses and arrivals, whatever their sentence says', () => {
    store.recordImageUse('sha256:used', NOW - 100, 'container start event', 'use');
    store.recordImageUse('sha256:pulled', NOW - 200, 'image pull event', 'arrival');
    expect(recordedUses(store)).toEqual(
      new Map([
        ['sha256:used', { firstSeen: NOW - 100, lastUsed: NOW - 100 }],
        ['sha256:pulled', { firstSeen: NOW - 200, lastUsed: NOW - 200 }],
      ]),
    );
  });

  it('decides presence by the kind, not by the sentence: an image merely seen has nothing on record', () => {
    store.noteImagesPresent(['sha256:found'], NOW, 'present at agent start');
    expect(recordedUses(store).has('sha256:found')).toBe(false);
  });

  it('takes an image seen again after a deletion as arrived then', () => {
    store.recordImageUse('sha256:back', NOW - 5000, 'image pull event', 'arrival');
    store.noteImageGone('sha256:back', NOW - 2000);
    store.noteImagesPresent(['sha256:back'], NOW, 'present when the agent looked');
    expect(recordedUses(store).get('sha256:back')).toEqual({ firstSeen: NOW, goneAt: NOW - 2000 });
  });
});
