/**
 * Generated blocks inside hand-written Markdown: everything between
 *
 *   <!-- npm run docs: NAME -->
 *   …
 *   <!-- /npm run docs -->
 *
 * is replaced by block NAME's text, the rest of the file left as written.
 */
const BLOCK = /(<!-- npm run docs: ([\w-]+) -->\n)([\s\S]*?)(<!-- \/npm run docs -->)/g;

export function blockNames(markdown: string): string[] {
  return [...markdown.matchAll(BLOCK)].map((m) => m[2]);
}

/** The file with every block re-rendered; an unknown name is an error (a typo would otherwise leave stale figures). */
export function fillBlocks(markdown: string, render: (name: string) => string | undefined, file: string): string {
  return markdown.replace(BLOCK, (_, open: string, name: string, _old: string, close: string) => {
    const text = render(name);
    if (text === undefined) throw new Error(`${file}: no generated block is called ${JSON.stringify(name)}`);
    return `${open}${text.trimEnd()}\n${close}`;
  });
}
