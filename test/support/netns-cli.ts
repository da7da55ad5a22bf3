import { spawn } from 'node:child_process';
import { untilListening, type AgentProcess } from './agent-process.js';
import { CLI, type CliResult } from './run-cli.js';
import { childEnv, runCommand } from './run-command.js';

// The CLI, the agent and plain HTTP requests run inside a network namespace: an engine
// that listens on tcp:// inside a sandbox's namespace (or an sshd there) is reachable only
// from within it. nsenter --net execs the program, so a pid and its signals are node's.

const baseEnv = (env: Record<string, string> = {}): NodeJS.ProcessEnv =>
  childEnv({
    PATH: process.env['PATH'] ?? '/usr/bin:/bin',
    HOME: '/nonexistent-home',
    NO_COLOR: '1',
    ...env,
  });

const inNetns = (netnsPath: string, program: string, args: string[]): string[] => [`--net=${netnsPath}`, '--', program, ...args];

/** runCli's twin: the built CLI with a clean environment, in the namespace pinned at `netnsPath`. */
export function runCliInNetns(netnsPath: string, args: string[], opts: { env?: Record<string, string>; input?: string; timeoutMs?: number } = {}): Promise<CliResult> {
  return runCommand('nsenter', inNetns(netnsPath, process.execPath, [CLI, ...args]), { ...opts, env: baseEnv(opts.env) });
}

/** Any program in the namespace (ssh, docker), with exactly the environment given. */
export function runInNetns(netnsPath: string, program: string, args: string[], opts: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<CliResult> {
  return runCommand('nsenter', inNetns(netnsPath, program, args), opts);
}

const FETCH_SCRIPT = `
const [url, token] = process.argv.slice(1);
fetch(url, { headers: token ? { authorization: 'Bearer ' + token } : {} })
  .then(async (r) => process.stdout.write(JSON.stringify({ status: r.status, body: await r.text() })))
  .catch((e) => { process.stderr.write(String(e.cause ?? e)); process.exit(1); });
`;

/** GET `url` from inside the namespace. */
export async function fetchInNetns(netnsPath: string, url: string, token?: string): Promise<{ status: number; body: string }> {
  const r = await runCommand('nsenter', inNetns(netnsPath, process.execPath, ['-e', FETCH_SCRIPT, url, token ?? '']), { env: baseEnv() });
  if (r.code !== 0) throw new Error(`GET ${url} in ${netnsPath} failed: ${r.stderr.trim()}`);
  return JSON.parse(r.stdout) as { status: number; body: string };
}

/** startAgentProcess's twin: `dockwarden agent --listen LISTEN ARGS…` in the namespace, talked to from inside it. */
export async function startAgentInNetns(netnsPath: string, listen: string, args: string[], env: Record<string, string> = {}): Promise<AgentProcess> {
  const child = spawn('nsenter', inNetns(netnsPath, process.execPath, [CLI, 'agent', '--listen', listen, ...args]), { env: baseEnv(env) });
  const { url, log, exited } = await untilListening(child);
  return {
    url,
    log,
    async get(path, token) {
      const { status, body } = await fetchInNetns(netnsPath, `${url}${path}`, token);
      return { status, body, json: <T>() => JSON.parse(body) as T };
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}
