import { benchDoctor } from './doctor.js';

// npm run bench: every benchmark, each a ratio against the tool an operator would use
// instead. Lower is better; the targets are in README.md.
const benches = { doctor: benchDoctor };
const only = process.argv.slice(2);
for (const [key, bench] of Object.entries(benches)) {
  if (only.length > 0 && !only.includes(key)) continue;
  const r = await bench();
  console.log(`${r.name}: dockwarden ${r.oursMs.toFixed(0)} ms, peer ${r.peerMs.toFixed(0)} ms, ratio ${r.ratio.toFixed(2)}x (median of runs)`);
}
