/**
 * Stored expected outputs (test/fixtures/golden-*.json): bytes that must not
 * change by accident. When they change on purpose (new weights, a new noise
 * stream), rewrite them with
 *     UPDATE_GOLDEN=1 npx vitest run <the test file>
 * and commit the fixture with the change that explains it. CI never sets
 * UPDATE_GOLDEN: with CI set too, the helper refuses.
 */
import fs from 'node:fs';
import { expect } from 'vitest';

const UPDATING = process.env.UPDATE_GOLDEN === '1';
if (UPDATING && process.env.CI) throw new Error('UPDATE_GOLDEN=1 rewrites the golden fixtures; it is for a person on purpose, never for CI');

interface GoldenFixture {
  note: string;
  entries: Record<string, unknown>;
}

export class GoldenFile {
  private readonly stored: Record<string, unknown>;
  private readonly recorded: Record<string, unknown> = {};

  /** `note` says what the entries are and when they may change; it is written at the top of the file. */
  constructor(private readonly path: string, private readonly note: string) {
    this.stored = fs.existsSync(path) ? (JSON.parse(fs.readFileSync(path, 'utf8')) as GoldenFixture).entries : {};
  }

  /** Expects `actual` to be the stored entry `key` (or records it when updating). */
  check(key: string, actual: unknown): void {
    if (UPDATING) {
      this.recorded[key] = actual;
      return;
    }
    expect(this.stored, `${this.path} has no entry "${key}": run UPDATE_GOLDEN=1 once, on purpose`).toHaveProperty([key]);
    expect(actual, `${key} differs from ${this.path}; if that is on purpose, see test/helpers/golden.ts`).toEqual(this.stored[key]);
  }

  /** Writes the recorded entries when updating (call in afterAll); otherwise does nothing. */
  save(): void {
    if (!UPDATING) return;
    const entries = Object.fromEntries(Object.keys(this.recorded).sort().map((key) => [key, this.recorded[key]]));
    fs.writeFileSync(this.path, `${JSON.stringify({ note: this.note, entries }, null, 1)}\n`);
  }
}
