import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// Where the host fixtures live, for tests beside the code in src/host/.

/** test/fixtures/host/<scenario> as an absolute path, to use as a probe's root prefix. */
export function hostFixture(scenario: string): string {
  return fileURLToPath(new URL(`../../../test/fixtures/host/${scenario}`, import.meta.url));
}

/** A recorded command output from test/fixtures/host/recorded. */
export function recorded(name: string): string {
  return readFileSync(fileURLToPath(new URL(`../../../test/fixtures/host/recorded/${name}`, import.meta.url)), 'utf8');
}
