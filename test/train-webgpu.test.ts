/**
 * `npm run train:gpu` on WebGPU (Dawn over Mesa's software Vulkan driver, lavapipe),
 * so the GPU path cannot rot unseen in CI: it trains, computes the same loss as the
 * wasm backend, writes its checkpoint and exports weights.
 * Needs Mesa 25 from bookworm-backports: .ci/system-deps.sh installs it.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const common = ['--limit', '32', '--batch', '16', '--epochs', '2', '--max-steps', '2', '--no-sheets'];
function train(backend: string, dir: string, extra: string[] = []) {
  return execFileSync('npx', ['tsx', 'scripts/train-gpu.ts', '--backend', backend, ...common, '--run-dir', dir, '--out', `${dir}-weights`, ...extra], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}
const losses = (dir: string) =>
  fs.readFileSync(`${dir}/train.jsonl`, 'utf8').trim().split('\n').map((l) => JSON.parse(l)).filter((r) => 'loss' in r).map((r) => r.loss as number);

describe('train:gpu on WebGPU (software Vulkan)', () => {
  it('refuses a software adapter unless --allow-software-gpu is given, listing the adapters', () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gpu-refuse-'));
    let message = '';
    try {
      train('webgpu', tmp);
    } catch (err) {
      message = String((err as { stderr?: string }).stderr);
    }
    expect(message).toMatch(/found no hardware GPU/);
    expect(message).toMatch(/llvmpipe|lavapipe/);
    expect(message).toMatch(/--allow-software-gpu/);
  });

  it('trains, checkpoints and exports with --allow-software-gpu, matching the wasm backend step for step', () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gpu-train-'));
    const out = train('webgpu', `${tmp}/gpu`, ['--allow-software-gpu']);
    expect(out).toMatch(/backend: webgpu \(.*llvmpipe/);
    expect(out).toMatch(/epoch 1: held-out loss/);
    expect(fs.existsSync(`${tmp}/gpu/checkpoint.ckpt`)).toBe(true);
    const manifest = JSON.parse(fs.readFileSync(`${tmp}/gpu-weights/manifest.json`, 'utf8'));
    expect(manifest.provenance.backend).toBe('webgpu');
    expect(manifest.provenance.adapter).toMatch(/llvmpipe/);

    train('wasm', `${tmp}/wasm`);
    const gpu = losses(`${tmp}/gpu`);
    const cpu = losses(`${tmp}/wasm`);
    expect(gpu).toHaveLength(2);
    gpu.forEach((l, i) => expect(Math.abs(l - cpu[i]) / cpu[i]).toBeLessThan(1e-3));
  }, 300_000);
});
