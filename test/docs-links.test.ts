/**
 * Every relative link in the README, the changelog and docs/ leads somewhere: the
 * file exists and, for a markdown target with a #fragment, one of its headings
 * has that anchor (as GitHub slugs it). Pages move between files as the docs
 * grow; a newcomer following a dead link is the trap this guards against.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(__dirname, '..');
const PAGES = ['README.md', 'CHANGELOG.md', ...readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];

/** GitHub's heading anchor: lower case, punctuation dropped, spaces to hyphens. */
function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[`*_]/g, '')
    .replace(/[^\p{L}\p{N} -]/gu, '')
    .replace(/ /g, '-');
}

/** The anchors of a markdown page's headings (outside code blocks), duplicates numbered as GitHub does. */
function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  let inCode = false;
  for (const line of markdown.split('\n')) {
    if (line.startsWith('```')) inCode = !inCode;
    const heading = !inCode && /^#{1,6} (.+)$/.exec(line);
    if (!heading) continue;
    const base = slug(heading[1]);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  return out;
}

/** Relative link targets in a page's prose (code blocks and inline code skipped). */
function relativeLinks(markdown: string): string[] {
  const prose = markdown.replace(/```[\s\S]*?```/g, '').replace(/`[^`\n]*`/g, '');
  return [...prose.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]).filter((target) => !/^[a-z]+:/i.test(target));
}

describe('links in the docs', () => {
  it('slugs headings as GitHub does', () => {
    expect(slug('6. Style inputs (2026-12-05 and 06)')).toBe('6-style-inputs-2026-12-05-and-06');
    expect(slug('A wider style teacher (24/48/96), under way')).toBe('a-wider-style-teacher-244896-under-way');
    expect(slug('`GET /digit/{d}.png`')).toBe('get-digitdpng');
  });

  it.each(PAGES)('%s links only to files and headings that exist', (page) => {
    const text = readFileSync(join(ROOT, page), 'utf8');
    const dead: string[] = [];
    for (const link of relativeLinks(text)) {
      const [path, fragment] = link.split('#');
      const file = path ? normalize(join(dirname(join(ROOT, page)), decodeURI(path))) : join(ROOT, page);
      if (!existsSync(file)) dead.push(`${link} (no such file)`);
      else if (fragment && file.endsWith('.md') && !anchors(readFileSync(file, 'utf8')).has(fragment)) dead.push(`${link} (no such heading)`);
    }
    expect(dead).toEqual([]);
  });
});
