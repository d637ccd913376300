/**
 * `npm run train:gpu` on WebGPU (Dawn over Vulkan), so the GPU path cannot rot unseen
 * in CI: it trains, computes the same loss as the wasm backend, writes its checkpoint
 * and exports weights. CI has Mesa's software Vulkan driver (llvmpipe/lavapipe, Mesa 25
 * from bookworm-backports: .ci/system-deps.sh installs it); a machine with a hardware
 * adapter runs the same tests on that.
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

/**
 * The adapters Dawn offers here, asked in a child process so Dawn never loads into the test
 * worker. Software or not is judged here from Dawn's own report, not by the code under test.
 */
function probeAdapters(): { description: string; software: boolean }[] {
  const probe = `
    import { create, globals } from 'webgpu';
    Object.assign(globalThis, globals);
    const gpu = create([]);
    const found = [];
    for (const powerPreference of ['high-performance', 'low-power']) {
      const adapter = await gpu.requestAdapter({ powerPreference });
      if (!adapter || found.some((f) => f.description === adapter.info.description)) continue;
      const { vendor, architecture, device, description } = adapter.info; // getters: JSON.stringify would see none
      found.push({ vendor, architecture, device, description });
    }
    console.log(JSON.stringify(found));
    process.exit(0);`;
  const infos = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', probe], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }));
  return infos.map((i: GPUAdapterInfo) => ({
    description: i.description,
    software: i.architecture === 'software' || /llvmpipe|lavapipe|swiftshader/i.test(`${i.device} ${i.description}`),
  }));
}
const adapters = probeAdapters();
const hardware = adapters.filter((a) => !a.software);
/** The adapter train:gpu should pick with --allow-software-gpu: hardware first. */
const expectedAdapter = (hardware[0] ?? adapters[0])?.description ?? '(no adapter)';

describe('train:gpu on WebGPU', () => {
  it.runIf(hardware.length === 0)('refuses a software adapter unless --allow-software-gpu is given, listing the adapters', () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gpu-refuse-'));
    let message = '';
    try {
      train('webgpu', tmp);
    } catch (err) {
      message = String((err as { stderr?: string }).stderr);
    }
    expect(message).toMatch(/found no hardware GPU/);
    for (const a of adapters) expect(message).toContain(a.description);
    expect(message).toMatch(/--allow-software-gpu/);
  });

  it.runIf(hardware.length > 0)('trains on the hardware adapter without --allow-software-gpu', () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gpu-hw-'));
    const out = train('webgpu', tmp);
    expect(out).toMatch(/backend: webgpu \(/);
    expect(out).toContain(hardware[0].description);
    expect(out).toMatch(/epoch 1: held-out loss/);
  }, 300_000);

  it('trains, checkpoints and exports with --allow-software-gpu, matching the wasm backend step for step', () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gpu-train-'));
    const out = train('webgpu', `${tmp}/gpu`, ['--allow-software-gpu']);
    expect(out).toMatch(/backend: webgpu \(/);
    expect(out).toContain(expectedAdapter);
    expect(out).toMatch(/epoch 1: held-out loss/);
    expect(fs.existsSync(`${tmp}/gpu/checkpoint.ckpt`)).toBe(true);
    const manifest = JSON.parse(fs.readFileSync(`${tmp}/gpu-weights/manifest.json`, 'utf8'));
    expect(manifest.provenance.backend).toBe('webgpu');
    expect(manifest.provenance.adapter).toContain(expectedAdapter);

    train('wasm', `${tmp}/wasm`);
    const gpu = losses(`${tmp}/gpu`);
    const cpu = losses(`${tmp}/wasm`);
    expect(gpu).toHaveLength(2);
    gpu.forEach((l, i) => expect(Math.abs(l - cpu[i]) / cpu[i]).toBeLessThan(1e-3));
  }, 300_000);
});
