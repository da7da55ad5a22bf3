import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import type { AgentStore, UsageSample } from '../agent-store.js';
import { openStore } from '../sqlite-store.js';

// Builders for store tests: a temporary directory per test, removed afterwards, and
// stores and samples with only the fields a test cares about spelled out.

export const NOW = Date.UTC(2024, 4, 1, 6, 20, 0);
export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
export const GB = 1024 ** 3;

export interface TempDir {
  dir: string;
  file: (name: string) => string;
  cleanup: () => void;
}

export function tempDir(): TempDir {
  const dir = mkdtempSync(join(tmpdir(), 'dockwarden-store-'));
  return { dir, file: (name) => join(dir, name), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface StoreFactory {
  open: (name?: string, now?: number) => AgentStore;
  closeAll: () => void;
}

/** Opens (and remembers, to close) stores in one temp dir. */
export function storeFactory(t: TempDir): StoreFactory {
  const opened: AgentStore[] = [];
  return {
    open: (name = 'dockwarden.db', now = NOW) => {
      const store = openStore(t.file(name), { now: () => now });
      opened.push(store);
      return store;
    },
    closeAll: () => {
      for (const s of opened) s.close();
    },
  };
}

export function sample(at: number, over: Partial<UsageSample> = {}): UsageSample {
  return {
    at,
    fsSizeBytes: 100 * GB,
    fsAvailBytes: 40 * GB,
    inodesTotal: 6_000_000,
    inodesFree: 5_000_000,
    images: 20,
    containers: 8,
    containersRunning: 5,
    containerdFsSizeBytes: null,
    containerdFsAvailBytes: null,
    containerdInodesTotal: null,
    containerdInodesFree: null,
    ...over,
  };
}

export interface Workload {
  from: number;
  until: number;
  /** The agent's sampling interval. */
  everyMs?: number;
  /** One container event this often. */
  eventEveryMs?: number;
  /** How often the agent applies retention. */
  retentionEveryMs?: number;
  /** Called after each retention, e.g. to measure the file. */
  afterRetention?: (at: number) => void;
}

/** The agent's writes over a stretch of time: a sample every interval, container events, retention. */
export function simulate(store: AgentStore, w: Workload): void {
  const every = w.everyMs ?? 30 * SECOND;
  const eventEvery = w.eventEveryMs ?? MINUTE;
  const retentionEvery = w.retentionEveryMs ?? DAY;
  let nextEvent = w.from;
  let nextRetention = w.from + retentionEvery;
  for (let at = w.from; at <= w.until; at += every) {
    const hour = Math.floor(at / HOUR) % 24;
    store.addSample(sample(at, { fsAvailBytes: 40 * GB - hour * 0.5 * GB + (at % 7919), images: 20 + (hour % 5), containersRunning: 5 + (hour % 3) }));
    for (; nextEvent <= at; nextEvent += eventEvery) {
      const n = Math.floor(nextEvent / eventEvery);
      store.addEvents([
        {
          at: nextEvent,
          timeNano: `${BigInt(nextEvent) * 1_000_000n + BigInt(n % 1_000_000)}`,
          type: 'container',
          action: n % 2 === 0 ? 'start' : 'die',
          actorId: `${(n % 97).toString(16).padStart(2, '0')}${'3f1a9c'.repeat(10)}`,
          attributes: { image: `registry.example.com/team/app:${n % 13}`, name: `app_web_${n % 5}`, 'com.docker.compose.project': 'app', exitCode: '0' },
        },
      ]);
    }
    if (at >= nextRetention) {
      store.applyRetention(at);
      w.afterRetention?.(at);
      nextRetention += retentionEvery;
    }
  }
}

/** For a test file: before each test, a temp dir and a store opened in it; after it, both gone. */
export function storePerTest(): { readonly t: TempDir; readonly stores: StoreFactory; readonly store: AgentStore } {
  const current = {} as { t: TempDir; stores: StoreFactory; store: AgentStore };
  beforeEach(() => {
    current.t = tempDir();
    current.stores = storeFactory(current.t);
    current.store = current.stores.open();
  });
  afterEach(() => {
    current.stores.closeAll();
    current.t.cleanup();
  });
  return current;
}
