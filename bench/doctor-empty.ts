import { fileURLToPath } from 'node:url';
import { startSandbox } from '../src/sandbox/index.js';
import { compare } from './measure.js';

// bench/doctor-empty: `dockwarden doctor --json` on an engine with nothing in it, against
// bare `node -e 0`: what dockwarden costs on top of starting Node (its modules, its engine
// calls, reading the host). Target: at most node + 100 ms.

const RUNS = 15;
const CLI = fileURLToPath(new URL('../bin/dockwarden.js', import.meta.url));

export async function benchDoctorEmpty(): Promise<string[]> {
  const sandbox = await startSandbox({ fs: 'ext4', sizeMb: 256 });
  try {
    const env = { ...process.env, DOCKER_HOST: sandbox.dockerHost, NO_COLOR: '1' };
    const r = await compare(RUNS, { cmd: process.execPath, args: [CLI, 'doctor', '--json'] }, { cmd: process.execPath, args: ['-e', '0'] }, env);
    const over = r.oursMs - r.peerMs;
    return [
      `doctor --json on an empty engine vs node -e 0: dockwarden ${r.oursMs.toFixed(0)} ms, node ${r.peerMs.toFixed(0)} ms, node + ${over.toFixed(0)} ms (target <= node + 100 ms) (median of ${RUNS})`,
    ];
  } finally {
    await sandbox.stop();
  }
}
