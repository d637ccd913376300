/**
 * Memorisation check: for each generated digit, the pixel distance to its
 * nearest neighbour among the 60k training digits (ink in [0, 1], Euclidean
 * over 784 pixels). A model that copies its training set gives distances near
 * 0; a model that generalises gives distances like those of unseen test digits
 * to the training set, which eval reports alongside as the reference.
 *
 * The search is a matrix product on the wasm backend: argmin over b of
 * |b|² − 2a·b (= |a−b|² − |a|²), chunked so the score matrix stays small. The
 * training digits are stored transposed and pre-scaled by −2 ([784, chunk]):
 * tfjs-wasm's matMul with transposeB was 6× slower here. Each chunk's winner
 * is then measured exactly in float64, so an exact copy reads 0.
 */
import * as tf from '@tensorflow/tfjs-core';
import { unitPixels } from './classifier';

export interface Neighbours {
  distance: Float64Array;
  index: Int32Array;
}

export class NearestNeighbourIndex {
  private readonly chunks: { minusTwoTransposed: tf.Tensor2D; squaredNorms: tf.Tensor1D; offset: number }[] = [];

  /** `pixels`: count × 784 grey bytes (0 … 255). */
  constructor(private readonly pixels: Uint8Array, readonly count: number, chunkSize = 10_000) {
    for (let offset = 0; offset < count; offset += chunkSize) {
      const size = Math.min(chunkSize, count - offset);
      this.chunks.push(
        tf.tidy(() => {
          const points = tf.tensor2d(unitPixels(pixels.subarray(offset * 784, (offset + size) * 784)), [size, 784]);
          return { minusTwoTransposed: tf.mul(tf.transpose(points), -2) as tf.Tensor2D, squaredNorms: tf.sum(tf.square(points), 1) as tf.Tensor1D, offset };
        }),
      );
    }
  }

  async nearest(queries: Uint8Array, count: number, batchSize = 500): Promise<Neighbours> {
    const distance = new Float64Array(count);
    const index = new Int32Array(count);
    for (let start = 0; start < count; start += batchSize) {
      const size = Math.min(batchSize, count - start);
      const q = tf.tensor2d(unitPixels(queries.subarray(start * 784, (start + size) * 784)), [size, 784]);
      distance.fill(Infinity, start, start + size);
      for (const chunk of this.chunks) {
        const argMin = tf.tidy(() => tf.argMin(tf.add(tf.matMul(q, chunk.minusTwoTransposed), chunk.squaredNorms), 1));
        const winners = await argMin.data();
        argMin.dispose();
        for (let i = 0; i < size; i++) {
          const d = exactDistance(queries, start + i, this.pixels, chunk.offset + winners[i]);
          if (d < distance[start + i]) {
            distance[start + i] = d;
            index[start + i] = chunk.offset + winners[i];
          }
        }
      }
      q.dispose();
    }
    return { distance, index };
  }

  dispose(): void {
    for (const c of this.chunks) tf.dispose([c.minusTwoTransposed, c.squaredNorms]);
  }
}

function exactDistance(a: Uint8Array, i: number, b: Uint8Array, j: number): number {
  let d = 0;
  for (let k = 0; k < 784; k++) d += ((a[i * 784 + k] - b[j * 784 + k]) / 255) ** 2;
  return Math.sqrt(d);
}
