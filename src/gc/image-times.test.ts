import { describe, expect, it } from 'vitest';
import type { InventoryContainer, InventoryImage, UseEvent } from '../engine/inventory.js';
import { refIndex } from './image-refs.js';
import { imageTimes, type ImageTimes, type RecordedUse } from './image-times.js';
import { container, DAY, id, image, inventory, T0, type ImageSpec } from './testing/build-inventory.js';

interface Clues {
  events?: UseEvent[];
  containers?: InventoryContainer[];
  recorded?: RecordedUse;
}

/** The times of an image `app:latest` given its spec and the evidence around it. */
function timesOf(spec: ImageSpec, evidence: Clues = {}): ImageTimes {
  const app: InventoryImage = image('app', spec);
  const other = image('other');
  const inv = inventory({ images: [app, other], events: evidence.events, containers: evidence.containers });
  const recorded = new Map(evidence.recorded ? [[app.id, evidence.recorded]] : []);
  return imageTimes(inv, refIndex(inv.images), recorded).get(app.id) as ImageTimes;
}

const event = (action: string, ref: string, at: number): UseEvent => ({ action, image: ref, at });
const daysAgo = (n: number): number => T0 - n * DAY;

describe('imageTimes: first seen', () => {
  it("prefers the agent's record over every other evidence", () => {
    const t = timesOf({ storedAt: daysAgo(10), lastTagTime: daysAgo(20) }, { recorded: { firstSeen: daysAgo(5) }, events: [event('image pull', id('app'), daysAgo(30))] });
    expect(t.firstSeen).toEqual({ at: daysAgo(5), source: 'first seen by the agent' });
  });

  it("takes the agent's first sighting after a deletion it saw as the arrival, saying so", () => {
    const t = timesOf({ storedAt: null }, { recorded: { firstSeen: T0 - 700, lastUsed: T0 - 700, goneAt: T0 - 2000 } });
    expect(t.firstSeen).toEqual({ at: T0 - 700, source: 'seen by the agent arriving again after its deletion' });
  });

  it("does not count a record from before the image's deletion: the image there now arrived after it", () => {
    // The engine's log still holds the load of the copy that left.
    const events = [event('image load', id('app'), daysAgo(30))];
    const gone = { firstSeen: daysAgo(30), lastUsed: daysAgo(1), goneAt: T0 - 2000 };
    expect(timesOf({ storedAt: null, lastTagTime: daysAgo(30) }, { recorded: gone, events })).toEqual({
      firstSeen: { at: T0 - 2000, source: 'deleted, as the agent saw, and back since; arrival unknown' },
      lastUsed: { at: T0 - 2000, source: 'no use seen since deleted, as the agent saw, and back since; arrival unknown' },
    });
    expect(timesOf({ storedAt: T0 - 1000 }, { recorded: gone }).firstSeen).toEqual({ at: T0 - 1000, source: 'stored on this host, after a deletion the agent saw' });
    expect(timesOf({ storedAt: null }, { recorded: { goneAt: T0 - 2000 } }).firstSeen.at).toBe(T0 - 2000);
  });

  it("does not count a record older than this copy's arrival on the host: it left and came back unseen", () => {
    const t = timesOf({ storedAt: T0 - 1000 }, { recorded: { firstSeen: daysAgo(30), lastUsed: daysAgo(2) } });
    expect(t).toEqual({
      firstSeen: { at: T0 - 1000, source: "stored on this host after the agent's first sighting: it left and came back" },
      lastUsed: { at: T0 - 1000, source: "no use seen since stored on this host after the agent's first sighting: it left and came back" },
    });
  });

  it('takes the time the image was stored on this host over older events and tags', () => {
    const t = timesOf({ storedAt: daysAgo(10), lastTagTime: daysAgo(20) }, { events: [event('image pull', id('app'), daysAgo(30))] });
    expect(t.firstSeen).toEqual({ at: daysAgo(10), source: 'stored on this host' });
  });

  it('takes the earliest image pull, load, import or tag event when the store time is unknown', () => {
    const events = [event('image pull', id('app'), daysAgo(3)), event('image tag', id('app'), daysAgo(5)), event('image load', id('app'), daysAgo(4))];
    expect(timesOf({ storedAt: null, lastTagTime: daysAgo(20) }, { events }).firstSeen).toEqual({ at: daysAgo(5), source: 'image tag event' });
  });

  it('does not take a container event as the arrival', () => {
    const events = [event('container start', 'app', daysAgo(9)), event('image pull', id('app'), daysAgo(3))];
    expect(timesOf({ storedAt: null }, { events }).firstSeen).toEqual({ at: daysAgo(3), source: 'image pull event' });
  });

  it('takes the last tag time when no arrival event is left in the log', () => {
    expect(timesOf({ storedAt: null, lastTagTime: daysAgo(2) }).firstSeen).toEqual({ at: daysAgo(2), source: 'last tagged' });
  });

  it("falls back to the image's creation date, saying that the arrival is unknown", () => {
    expect(timesOf({ storedAt: null, created: daysAgo(400) }).firstSeen).toEqual({ at: daysAgo(400), source: 'image created; arrival unknown' });
  });
});

type UseKind = 'agent' | 'container event' | 'event by docker.io name' | 'container created' | 'last tagged';

/** Every kind of use evidence 10 days old, except `newest`, 1 day old. */
function withNewest(newest: UseKind): ImageTimes {
  const at = (kind: UseKind): number => daysAgo(kind === newest ? 1 : 10);
  return timesOf(
    { storedAt: daysAgo(30), lastTagTime: at('last tagged') },
    {
      recorded: { lastUsed: at('agent') },
      events: [event('container start', 'app', at('container event')), event('container exec_start', 'docker.io/library/app:latest', at('event by docker.io name'))],
      containers: [container('web', 'app', { created: at('container created') })],
    },
  );
}

describe('imageTimes: last used', () => {
  it.each<[UseKind, string]>([
    ['agent', 'recorded by the agent'],
    ['container event', 'container start event'],
    ['event by docker.io name', 'container exec_start event'],
    ['container created', 'container web created'],
    ['last tagged', 'last tagged'],
  ])('is the newest evidence when that is %s', (kind, source) => {
    expect(withNewest(kind).lastUsed).toEqual({ at: daysAgo(1), source });
  });

  it('starts at the first sighting when nothing else says the image was used', () => {
    expect(timesOf({ storedAt: daysAgo(30) }).lastUsed).toEqual({ at: daysAgo(30), source: 'no use seen since stored on this host' });
  });

  it('resolves an event that names the image by an id prefix', () => {
    const events = [event('container create', id('app').slice(7, 19), daysAgo(2))];
    expect(timesOf({ storedAt: daysAgo(30) }, { events }).lastUsed).toEqual({ at: daysAgo(2), source: 'container create event' });
  });

  it('ignores events about other images', () => {
    const events = [event('container start', 'other', daysAgo(1)), event('container start', 'unknown:1', daysAgo(1))];
    expect(timesOf({ storedAt: daysAgo(30) }, { events }).lastUsed.at).toBe(daysAgo(30));
  });

  it('prefers an event to the arrival fallback when both have the same time', () => {
    const events = [event('image pull', id('app'), daysAgo(30))];
    expect(timesOf({ storedAt: daysAgo(30) }, { events }).lastUsed).toEqual({ at: daysAgo(30), source: 'image pull event' });
  });

  it('prefers the last tag time to the arrival fallback when both have the same time', () => {
    expect(timesOf({ storedAt: daysAgo(30), lastTagTime: daysAgo(30) }).lastUsed.source).toBe('last tagged');
  });

  it("prefers the agent's record to an event at the same time", () => {
    const t = timesOf({ storedAt: daysAgo(30) }, { recorded: { lastUsed: daysAgo(2) }, events: [event('container start', 'app', daysAgo(2))] });
    expect(t.lastUsed.source).toBe('recorded by the agent');
  });

  it('is never earlier than the arrival, even for an event from before the image came', () => {
    // `docker run app` five days ago used the app:latest of then; today's app:latest was stored yesterday.
    const t = timesOf({ storedAt: daysAgo(1) }, { events: [event('container start', 'app', daysAgo(5))] });
    expect(t.firstSeen.at).toBe(daysAgo(1));
    expect(t.lastUsed).toEqual({ at: daysAgo(1), source: 'no use seen since stored on this host' });
  });
});
