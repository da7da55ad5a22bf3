import { spawn } from 'node:child_process';

// Runs the docker CLI against one sandbox. The caller's DOCKER_* variables are dropped
// (a DOCKER_CONTEXT or DOCKER_TLS_VERIFY would send the command elsewhere or break it) and
// DOCKER_CONFIG points at an empty directory, so no context, credential helper or
// `currentContext` from ~/.docker leaks in.

export interface DockerCliOptions {
  input?: Buffer | string;
  timeoutMs?: number;
}

export interface DockerCliResult {
  stdout: string;
  stderr: string;
}

export function sandboxEnv(dockerHost: string, configDir: string, base: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(base)) if (!k.startsWith('DOCKER_')) env[k] = v;
  return { ...env, DOCKER_HOST: dockerHost, DOCKER_CONFIG: configDir };
}

export function runDockerCli(env: NodeJS.ProcessEnv, args: string[], opts: DockerCliOptions = {}): Promise<DockerCliResult> {
  const timeoutMs = opts.timeoutMs ?? 60_000;
  return new Promise((resolve, reject) => {
    const child = spawn('docker', args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`Could not run the docker CLI ("docker" on PATH): ${e.message}`));
    });
    child.on('close', (code, sig) => {
      clearTimeout(timer);
      const stdout = Buffer.concat(out).toString('utf8');
      const stderr = Buffer.concat(err).toString('utf8');
      if (code === 0) return resolve({ stdout, stderr });
      const why = sig === 'SIGKILL' ? `timed out after ${timeoutMs} ms` : `exited with ${code ?? sig}`;
      reject(new Error(`\`docker ${args.join(' ')}\` ${why}: ${stderr.trim()}`));
    });
    // A command that does not read stdin may close it early; that is not a failure.
    child.stdin.on('error', () => {});
    child.stdin.end(opts.input);
  });
}
