// HTML to readable text (or light Markdown) with Bun's streaming HTMLRewriter: no DOM, scripts and styles dropped.

const SKIPPED = 'script, style, noscript, template, svg, head, iframe, object';
const BLOCKS = 'p, div, section, article, header, footer, main, nav, aside, br, tr, table, ul, ol, pre, blockquote, form, hr';
const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ', '#39': "'" };

export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+\d*);/gi, (match, name: string) => {
    if (name[0] === '#') {
      const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : Number(name.slice(1));
      return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : match;
    }
    return ENTITIES[name.toLowerCase()] ?? match;
  });
}

/** Visible text of `html`, one block per line; `markdown` adds `#` headings, `-` list items and link targets. */
export async function htmlToText(html: string, mode: 'text' | 'markdown'): Promise<string> {
  const parts: string[] = [];
  let skipping = 0;
  const markdown = mode === 'markdown';
  const rewriter = new HTMLRewriter()
    .on(SKIPPED, {
      element(element) {
        skipping++;
        element.onEndTag(() => {
          skipping--;
        });
      },
    })
    .on(BLOCKS, {
      element(element) {
        parts.push('\n');
        if (!element.selfClosing && element.tagName !== 'br' && element.tagName !== 'hr') element.onEndTag(() => void parts.push('\n'));
      },
    })
    .on('h1, h2, h3, h4, h5, h6', {
      element(element) {
        parts.push(markdown ? `\n${'#'.repeat(Number(element.tagName[1]))} ` : '\n');
        element.onEndTag(() => void parts.push('\n'));
      },
    })
    .on('li', {
      element(element) {
        parts.push(markdown ? '\n- ' : '\n');
        element.onEndTag(() => void parts.push('\n'));
      },
    })
    .on('a[href]', {
      element(element) {
        const href = element.getAttribute('href') ?? '';
        if (markdown && /^https?:/i.test(href)) element.onEndTag(() => void parts.push(` (${href})`));
      },
    })
    .onDocument({
      text(chunk) {
        if (skipping === 0) parts.push(chunk.text);
      },
    });
  await rewriter.transform(new Response(html)).text();
  return decodeEntities(parts.join(''))
    .split('\n')
    .map((line) => line.replace(/[ \t\u00a0]+/g, ' ').trim())
    .filter((line, index, lines) => line !== '' || (index > 0 && lines[index - 1] !== ''))
    .join('\n')
    .trim();
}
