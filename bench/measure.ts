import { spawn } from 'node:child_process';

// Wall time of whole commands, as an operator experiences them: process start to exit.
// Runs alternate between the commands compared, so a background hiccup hits both.

export async function timeCommand(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const start = process.hrtime.bigint();
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (c) => (c === null || c > 2 ? reject(new Error(`${cmd} ${args.join(' ')} exited ${c}: ${stderr}`)) : resolve(c)));
  });
  void code;
  return Number(process.hrtime.bigint() - start) / 1e6;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export async function compare(
  runs: number,
  ours: { cmd: string; args: string[] },
  peer: { cmd: string; args: string[] },
  env: NodeJS.ProcessEnv,
): Promise<{ oursMs: number; peerMs: number; ratio: number; oursAll: number[]; peerAll: number[] }> {
  const oursAll: number[] = [];
  const peerAll: number[] = [];
  // One warm-up each: the first run pays for cold page cache, not for the tool.
  await timeCommand(ours.cmd, ours.args, env);
  await timeCommand(peer.cmd, peer.args, env);
  for (let i = 0; i < runs; i++) {
    oursAll.push(await timeCommand(ours.cmd, ours.args, env));
    peerAll.push(await timeCommand(peer.cmd, peer.args, env));
  }
  const oursMs = median(oursAll);
  const peerMs = median(peerAll);
  return { oursMs, peerMs, ratio: oursMs / peerMs, oursAll, peerAll };
}
