import { fetchedEngines, type EngineBuild } from '../../src/sandbox/engines.js';
import type { ContainerdMode, ImageStore, SandboxOptions } from '../../src/sandbox/options.js';

// The engines and layouts the engine-matrix tests run on: the host's Docker 20.10 with its
// graph driver, and each engine scripts/fetch-engines.sh unpacked (26.1 from trixie, 28.5
// from sid when this was written) in three layouts — the overlay2 graph driver;
// containerd's image store with dockerd's own containerd; and containerd's image store
// with a separate containerd whose root is on a filesystem of its own, as packaged hosts
// run it. An engine that could not be fetched or does not run here is skipped with the
// one line fetch-engines recorded.

export interface MatrixEntry {
  /** e.g. "sid, containerd store, separate containerd" */
  name: string;
  engine: EngineBuild | undefined;
  imageStore: ImageStore;
  containerd: ContainerdMode;
}

export interface EngineMatrix {
  entries: MatrixEntry[];
  skipped: string[];
}

const LAYOUTS: Array<Pick<MatrixEntry, 'imageStore' | 'containerd'> & { label: string }> = [
  { imageStore: 'graph', containerd: 'managed', label: 'overlay2 graph driver' },
  { imageStore: 'containerd', containerd: 'managed', label: "containerd store, dockerd's own containerd" },
  { imageStore: 'containerd', containerd: 'separate', label: 'containerd store, separate containerd on its own filesystem' },
];

export async function engineMatrix(): Promise<EngineMatrix> {
  const { engines, skipped } = await fetchedEngines();
  const entries: MatrixEntry[] = [{ name: "host's Docker 20.10, overlay2 graph driver", engine: undefined, imageStore: 'graph', containerd: 'managed' }];
  for (const engine of engines) {
    for (const layout of LAYOUTS) entries.push({ name: `${engine.id} (${engine.label}), ${layout.label}`, engine, imageStore: layout.imageStore, containerd: layout.containerd });
  }
  return { entries, skipped: skipped.map((s) => `engine ${s.id} skipped: ${s.why}`) };
}

export function sandboxOptions(entry: MatrixEntry): SandboxOptions {
  return { engine: entry.engine, imageStore: entry.imageStore, containerd: entry.containerd };
}
