/**
 * Replaces a served folder's contents with a freshly built folder's, so that a
 * server reading it (`wrangler dev`, `npm start`) never finds it missing or
 * half-built.
 *
 * Why file by file and not one rename of the folder: wrangler dev watches the
 * assets folder itself. Measured with wrangler 4.86: after the folder was
 * deleted and rebuilt, or renamed away and a new one renamed in, the running
 * server answered 500 on /client.js until restarted; after files were renamed
 * into the folder it kept, it served the new ones at once (and still does with
 * wrangler 4.164: test/dev-server-rebuild.test.ts). A rename within one
 * file system is atomic, so every file is either the old one or the new one.
 */
import fs from 'node:fs';
import path from 'node:path';

/** Moves every file of `fresh` into `target` (created if missing), removes the files `fresh` did not have, then removes `fresh`. */
export function swapIn(fresh: string, target: string): void {
  fs.mkdirSync(target, { recursive: true });
  const incoming = filesUnder(fresh);
  // Deepest first: the content-hashed files in subfolders are in place before the entry points that name them.
  for (const file of [...incoming].sort((a, b) => depth(b) - depth(a))) {
    fs.mkdirSync(path.dirname(path.join(target, file)), { recursive: true });
    fs.renameSync(path.join(fresh, file), path.join(target, file));
  }
  const kept = new Set(incoming);
  for (const file of filesUnder(target)) if (!kept.has(file)) fs.rmSync(path.join(target, file));
  removeEmptyFolders(target);
  fs.rmSync(fresh, { recursive: true, force: true });
}

/** A fresh, empty folder beside `target` (the same file system, so renames stay atomic). */
export function freshFolderBeside(target: string): string {
  fs.mkdirSync(path.dirname(target), { recursive: true });
  return fs.mkdtempSync(path.join(path.dirname(target), `.${path.basename(target)}-build-`));
}

function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => path.relative(dir, path.join(e.parentPath, e.name)));
}

const depth = (file: string) => file.split(path.sep).length;

function removeEmptyFolders(dir: string): void {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const sub = path.join(dir, entry.name);
    removeEmptyFolders(sub);
    if (!fs.readdirSync(sub).length) fs.rmdirSync(sub);
  }
}
