import { createHash } from 'node:crypto';
import { loadavg } from 'node:os';
import { pathToFileURL } from 'node:url';
import { chainIds } from '../src/engine/image-layers.js';
import type { Inventory, InventoryContainer, InventoryImage, ServiceImages, UseEvent } from '../src/engine/inventory.js';
import { makeGcPolicy } from '../src/gc/gc-policy.js';
import { planGc, type GcPlan } from '../src/gc/plan-gc.js';
import { DAY, fsUsage, inventory, MB, MINUTE, T0 } from '../src/gc/testing/build-inventory.js';
import { median } from './measure.js';

// bench/gc-plan: the pure planner alone, on a big host — 10,000 images and 50,000
// containers — above --high, so it must sort, protect, and count shared layers.
// Target: median planGc wall time < 100 ms. No engine: this isolates the decision from
// the I/O around it (the agent re-plans on every tick, so it must stay cheap).

const IMAGES = 10_000;
const CONTAINERS = 50_000;
const BASES = 200;
const STACKS = 1_000; // base + dependency layers (a language runtime, node_modules...) shared by a family
const REPOS = 1_500;
const SERVICES = 20;
const EVENTS = 256; // the engine keeps its last 256 events, all gc ever sees of them
const WARMUP = 5;
const RUNS = 15;
const TARGET_MS = 100;

/** mulberry32: fixed seed, so every run and every machine plans the same inventory. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const sha = (text: string): string => `sha256:${createHash('sha256').update(text).digest('hex')}`;

export function generate(seed = 42): Inventory {
  const rnd = prng(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
  // Popularity is skewed (a few bases and repos hold most images), as on real hosts.
  const skewed = (n: number) => Math.floor(n * rnd() ** 2);
  const layer = (name: string, lo: number, hi: number) => ({ diff: sha(name), size: int(lo, hi) });

  const bases = Array.from({ length: BASES }, (_, b) => Array.from({ length: int(1, 2) }, (_, l) => layer(`base-${b}-${l}`, 2 * MB, 80 * MB)));
  const stacks = Array.from({ length: STACKS }, (_, s) => [...bases[skewed(BASES)]!, ...Array.from({ length: int(1, 2) }, (_, l) => layer(`stack-${s}-${l}`, MB, 150 * MB))]);
  const repos = Array.from({ length: REPOS }, (_, r) => ({
    name: `registry.example.com/${r % 25 === 0 ? 'infra' : `team-${r % 40}`}/app-${r}`,
    stack: stacks[skewed(STACKS)]!,
    builds: 0,
  }));

  const images: InventoryImage[] = [];
  for (let i = 0; i < IMAGES; i++) {
    const repo = repos[skewed(REPOS)]!;
    const own = Array.from({ length: Math.max(1, int(3, 8) - repo.stack.length) }, (_, l) => layer(`img-${i}-${l}`, 1_000, 40 * MB));
    const layers = [...repo.stack, ...own].slice(0, 8);
    const chains = chainIds(layers.map((l) => l.diff));
    const build = ++repo.builds;
    // ~8% dangling: an older build whose tag moved to a newer one, digest kept.
    const dangling = rnd() < 0.08;
    const tags = dangling ? [] : [`${repo.name}:${build}`, ...(rnd() < 0.1 ? [`${repo.name}:latest`] : [])];
    const storedAt = rnd() < 0.05 ? null : T0 - int(60 * MINUTE, 90 * DAY);
    images.push({
      id: sha(`image-${i}`),
      repoTags: tags,
      repoDigests: rnd() < 0.8 ? [`${repo.name}@${sha(`digest-${i}`)}`] : [],
      created: (storedAt ?? T0) - int(0, 30 * DAY),
      size: layers.reduce((s, l) => s + l.size, 0),
      layers: chains.map((chainId, n) => ({ chainId, size: layers[n]!.size })),
      uniqueSize: null,
      content: null,
      partial: null,
      parentId: '',
      lastTagTime: rnd() < 0.2 ? T0 - int(MINUTE, 60 * DAY) : null,
      storedAt,
    });
  }
  // A few classic-builder images with a parent, so the parent protection has work to do.
  const parents: Record<string, string> = {};
  for (let k = 0; k < 50; k++) {
    const child = images[int(0, IMAGES - 1)]!;
    const parent = images[int(0, IMAGES - 1)]!;
    if (child !== parent) parents[child.id] = child.parentId = parent.id;
  }

  // ~30% of images have containers; popular images have many.
  const used = images.filter((im) => im.repoTags.length > 0 && rnd() < 0.33);
  const states = ['running', 'running', 'running', 'exited', 'exited', 'exited', 'exited', 'exited', 'created', 'dead'];
  const containers: InventoryContainer[] = Array.from({ length: CONTAINERS }, (_, c) => {
    const im = used[c < used.length ? c : skewed(used.length)]!;
    return { id: sha(`container-${c}`).slice(7), name: `/task-${c}`, imageId: im.id, imageRef: im.repoTags[0]!, state: states[int(0, 9)]!, created: T0 - int(MINUTE, 60 * DAY) };
  });

  const tagged = images.filter((im) => im.repoTags.length > 0 && im.repoDigests.length > 0);
  const pinned = (im: InventoryImage) => `${im.repoTags[0]!}@${im.repoDigests[0]!.split('@')[1]!}`;
  const services: ServiceImages[] = Array.from({ length: SERVICES }, (_, s) => ({
    name: `svc-${s}`,
    current: pinned(tagged[int(0, tagged.length - 1)]!),
    previous: s % 4 === 3 ? null : pinned(tagged[int(0, tagged.length - 1)]!),
  }));

  // What gather-inventory keeps of the engine's log: container events name what the user
  // typed (a tag), image events the full id.
  const recentEvents: UseEvent[] = Array.from({ length: EVENTS }, (_, e) => {
    const im = images[skewed(IMAGES)]!;
    const at = T0 - (EVENTS - e) * 5_000;
    if (rnd() < 0.3 || im.repoTags.length === 0) return { action: rnd() < 0.5 ? 'image pull' : 'image tag', image: im.id, at };
    return { action: ['container create', 'container start', 'container die'][int(0, 2)]!, image: im.repoTags[0]!, at };
  });
  return inventory({ images, containers, services, events: recentEvents, parents });
}

/** Bytes on disk: each chain once. */
function layerBytes(inv: Inventory): number {
  const sizes = new Map<string, number>();
  for (const im of inv.images) for (const l of im.layers) sizes.set(l.chainId, l.size ?? 0);
  return [...sizes.values()].reduce((a, b) => a + b, 0);
}

export async function benchGcPlan(): Promise<string[]> {
  const load = loadavg()[0]!;
  const t0 = performance.now();
  const inv = generate();
  const bytes = layerBytes(inv);
  // Images are 75% of the filesystem and it is 92% full: above --high 85, 12% to free.
  const sizeBytes = Math.round(bytes / 0.75);
  const usage = fsUsage(92, sizeBytes);
  const policy = makeGcPolicy({ keep: ['^registry\\.example\\.com/infra/'] });
  const plan = (): GcPlan => planGc({ inventory: inv, usage, policy, now: T0 });
  console.error(`bench/gc-plan: inventory generated in ${(performance.now() - t0).toFixed(0)} ms`);

  for (let i = 0; i < WARMUP; i++) plan();
  const times: number[] = [];
  let last: GcPlan | undefined;
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    last = plan();
    times.push(performance.now() - start);
  }
  const p = last!;
  const ms = median(times);
  const codes = new Map<string, number>();
  for (const k of [...p.delete, ...p.keep]) codes.set(k.code, (codes.get(k.code) ?? 0) + 1);
  const layers = new Set(inv.images.flatMap((im) => im.layers.map((l) => l.chainId))).size;
  return [
    `gc-plan: planGc over ${inv.images.length} images (${layers} distinct layers, ${(bytes / 1e9).toFixed(1)} GB), ${inv.containers.length} containers, ${inv.services?.length} services, ${inv.recentEvents.length} events`,
    `  plan: usage ${p.before.usedPct?.toFixed(1)}% -> ${p.after.usedPct?.toFixed(1)}%, delete ${p.delete.length}, keep ${p.keep.length}, reaches target: ${p.reachesTarget}; ${[...codes].map(([c, n]) => `${c} ${n}`).join(', ')}`,
    `  median ${ms.toFixed(1)} ms (min ${Math.min(...times).toFixed(1)}, max ${Math.max(...times).toFixed(1)}; ${RUNS} runs after ${WARMUP} warm-up), target < ${TARGET_MS} ms: ${ms < TARGET_MS ? 'met' : 'NOT met'}`,
    // Two cores: anything else running shows up in the times, so say how busy the machine was.
    `  load average (1 min) ${load.toFixed(2)} before, ${loadavg()[0]!.toFixed(2)} after`,
  ];
}

// `node --cpu-prof --import tsx bench/gc-plan.ts` profiles the planner without run.ts.
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) for (const line of await benchGcPlan()) console.log(line);
