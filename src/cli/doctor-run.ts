import type { CliIo } from './cli-io.js';
import type { FactsSourceOptions } from './load-facts.js';

// What `dockwarden doctor` does once its flags are parsed, loaded only then: gather the
// facts (engine, snapshot or paste), run the checks, print, and exit by the worst finding.

export async function runDoctorCommand(source: FactsSourceOptions, json: boolean, io: CliIo, setExit: (code: number) => void): Promise<void> {
  const [{ loadFacts }, { runDoctor, doctorExitCode }, { doctorReport }] = await Promise.all([import('./load-facts.js'), import('../doctor/run-doctor.js'), import('../doctor/doctor-report.js')]);
  const facts = await loadFacts(source, io.env, io.now());
  const report = doctorReport(facts, runDoctor(facts));
  if (json) io.stdout(`${JSON.stringify(report, null, 2)}\n`);
  else io.stdout(`${(await import('./format-doctor.js')).formatDoctor(report, io.stdoutIsTty && !io.env['NO_COLOR'])}\n`);
  setExit(doctorExitCode(report.findings));
}
