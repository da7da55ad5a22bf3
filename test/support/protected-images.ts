import type { Sandbox } from '../../src/sandbox/index.js';

// The images a gc must weigh on a real engine, by name: one a running container uses, one
// a created (never started) container uses, the current and previous spec of a swarm
// service, one pinned by `--keep ^infra/`, and one left dangling by loading a newer image
// under its tag. What every gc test on a real engine starts from.

export type ProtectedName = 'running' | 'stopped' | 'svcPrevious' | 'svcCurrent' | 'pinned' | 'dangling';

export async function loadProtectedImages(sandbox: Sandbox, sizeBytes: number): Promise<Record<ProtectedName, string>> {
  const d = (args: string[]) => sandbox.docker(args);
  const ids = {} as Record<ProtectedName, string>;
  const load = async (name: ProtectedName, ref: string) => (ids[name] = await sandbox.importImage(ref, { sizeBytes }));
  // task-history-limit 0: swarm removes a service's old task containers at once, so the
  // previous spec is the only thing that keeps the rollback image.
  await d(['swarm', 'init', '--advertise-addr', '127.0.0.1']);
  await d(['swarm', 'update', '--task-history-limit', '0']);
  await load('running', 'keep/running:1');
  await d(['run', '-d', '--network', 'none', '--name', 'web-1', 'keep/running:1', 'sleep', '600']);
  await load('stopped', 'keep/stopped:1');
  await d(['create', '--network', 'none', '--name', 'batch-1', 'keep/stopped:1', 'true']);
  await load('svcPrevious', 'svc/api:1');
  await load('svcCurrent', 'svc/api:2');
  await d(['service', 'create', '--detach', '--quiet', '--name', 'api', 'svc/api:1', 'sleep', '600']);
  await d(['service', 'update', '--detach', '--quiet', '--image', 'svc/api:2', 'api']);
  await load('pinned', 'infra/proxy:1');
  // Loading a newer image under the same tag leaves the old one dangling (Engine 26's
  // containerd store drops it instead).
  await load('dangling', 'app/web:1');
  await sandbox.importImage('app/web:1', { sizeBytes, seed: 7 });
  // Wait until the service runs the new image and swarm has removed the old task.
  for (let i = 0; i < 100; i++) {
    const ps = (await d(['ps', '-a', '--filter', 'label=com.docker.swarm.service.name=api', '--format', '{{.Image}} {{.State}}'])).stdout.trim();
    if (ps === 'svc/api:2 running') break;
    await new Promise((r) => setTimeout(r, 300));
  }
  return ids;
}
