/**
 * Checkpoints: one file, `checkpoint.ckpt` in the run folder, replaced atomically
 * (write to a temporary file, fsync, rename), so a `kill -9` at any moment
 * leaves either the previous checkpoint or the new one, never a torn file.
 * Layout: uint32 header length, JSON header, then float32 arrays back to back.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { RngState } from '../../src/model/rng';
import { writeAtomic } from './export';
import type { Recipe, TrainerSnapshot } from './trainer';
import type { UNetConfig } from '../../src/model/unet';

export const CHECKPOINT_FILE = 'checkpoint.ckpt';

export interface CheckpointHeader {
  step: number;
  rng: RngState;
  recipe: Recipe;
  unet: UNetConfig;
  /** Anything else a resumed run must agree on (a distillation's teacher and recipe). */
  identity?: Record<string, unknown>;
  wallSeconds: number;
  arrays: { group: string; name: string; offset: number; length: number }[];
}

export function saveCheckpoint(runDir: string, snap: TrainerSnapshot, meta: Pick<CheckpointHeader, 'recipe' | 'unet' | 'identity' | 'wallSeconds'>): void {
  const arrays: CheckpointHeader['arrays'] = [];
  const chunks: Float32Array[] = [];
  let offset = 0;
  for (const [group, tensors] of Object.entries(snap.groups)) {
    for (const [name, values] of Object.entries(tensors)) {
      arrays.push({ group, name, offset, length: values.length });
      chunks.push(values);
      offset += values.length;
    }
  }
  const header: CheckpointHeader = { step: snap.step, rng: snap.rng, ...meta, arrays };
  const json = Buffer.from(JSON.stringify(header));
  const prefix = Buffer.alloc(4);
  prefix.writeUInt32LE(json.length);
  // Pad so the float data starts 4-byte aligned.
  const pad = Buffer.alloc((4 - ((4 + json.length) % 4)) % 4, 0x20);
  const body = Buffer.concat([prefix, json, pad, ...chunks.map((c) => Buffer.from(c.buffer, c.byteOffset, c.byteLength))]);
  writeAtomic(path.join(runDir, CHECKPOINT_FILE), body);
}

export function loadCheckpoint(runDir: string): { header: CheckpointHeader; snapshot: TrainerSnapshot } | null {
  const file = path.join(runDir, CHECKPOINT_FILE);
  if (!fs.existsSync(file)) return null;
  const buf = fs.readFileSync(file);
  const length = buf.readUInt32LE(0);
  const header = JSON.parse(buf.subarray(4, 4 + length).toString('utf8')) as CheckpointHeader;
  const dataStart = 4 + length + ((4 - ((4 + length) % 4)) % 4);
  const data = new Float32Array(buf.buffer.slice(buf.byteOffset + dataStart, buf.byteOffset + buf.length));
  const groups = { params: {}, m: {}, v: {}, ema: {} } as TrainerSnapshot['groups'];
  for (const a of header.arrays) {
    if (a.offset + a.length > data.length) throw new Error(`${file}: truncated (array ${a.group}/${a.name} runs past the end)`);
    groups[a.group as keyof TrainerSnapshot['groups']][a.name] = data.slice(a.offset, a.offset + a.length);
  }
  return { header, snapshot: { step: header.step, rng: header.rng, groups } };
}
