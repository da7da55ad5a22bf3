import { benchAgent } from './agent.js';
import { benchDashboard } from './dashboard.js';
import { benchDoctor } from './doctor.js';
import { benchDoctorEmpty } from './doctor-empty.js';
import { benchInstall } from './install.js';
import { benchGcPlan } from './gc-plan.js';
import { benchGcVsPrune } from './gc-vs-prune.js';

// npm run bench [key...]: every benchmark, or the ones named. Each returns its own result
// lines: most are a ratio against the tool an operator would use instead (lower is
// better), some an absolute time against the target they print. Targets: README.md.
const benches: Record<string, () => Promise<string[]>> = {
  doctor: async () => {
    const r = await benchDoctor();
    return [`${r.name}: dockwarden ${r.oursMs.toFixed(0)} ms, peer ${r.peerMs.toFixed(0)} ms, ratio ${r.ratio.toFixed(2)}x (median of runs)`];
  },
  'doctor-empty': benchDoctorEmpty,
  install: benchInstall,
  'gc-plan': benchGcPlan,
  'gc-vs-prune': benchGcVsPrune,
  agent: benchAgent,
  dashboard: benchDashboard,
};
const only = process.argv.slice(2);
const unknown = only.filter((k) => !(k in benches));
if (unknown.length > 0) {
  console.error(`Unknown benchmark ${unknown.join(', ')}; known: ${Object.keys(benches).join(', ')}.`);
  process.exit(2);
}
for (const [key, bench] of Object.entries(benches)) {
  if (only.length > 0 && !only.includes(key)) continue;
  for (const line of await bench()) console.log(line);
}
