// HTML to readable text (or light Markdown) with Bun's streaming HTMLRewriter: no DOM, scripts and styles dropped.
//
// The walk is ours on purpose: HTMLRewriter (lol-html, inside Bun) already parses, and the few rules below
// decide what a model reads. `html-to-text` would add five packages (a second parser among them) and change
// the output (upper-case headings, lines wrapped at 80). Character references are the `entities` package's: all
// 2,231 names of the HTML standard, and numeric ones as browsers read them.
import { decodeHTML } from 'entities';
import { nextTurn } from '../shared/event-loop';

const SKIPPED = 'script, style, noscript, template, svg, head, iframe, object';
const BLOCKS =
  'p, div, section, article, header, footer, main, nav, aside, br, tr, table, ul, ol, pre, blockquote, form, hr';

/** The page is fed to the parser in slices of this many characters, the event loop free between them. */
const SLICE_CHARS = 256 * 1024;

/**
 * `html` as a stream of UTF-8 slices that returns to the event loop after each: a 2 MB page held the server
 * thread 0.1-0.9 s in one piece. A slice never ends inside a surrogate pair.
 */
function slicedBody(html: string): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let offset = 0;
  return new ReadableStream({
    async pull(controller) {
      if (offset >= html.length) return controller.close();
      let end = Math.min(html.length, offset + SLICE_CHARS);
      const last = html.charCodeAt(end - 1);
      if (end < html.length && last >= 0xd800 && last <= 0xdbff) end--;
      controller.enqueue(encoder.encode(html.slice(offset, end)));
      offset = end;
      if (offset < html.length) await nextTurn();
    },
  });
}

/** Text with its character references decoded as a browser shows them (`&rsquo;`, `&#233;`); `&nbsp;` reads as a plain space. */
export function decodeEntities(text: string): string {
  return decodeHTML(text).replaceAll('\u00a0', ' ');
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
        if (!element.selfClosing && element.tagName !== 'br' && element.tagName !== 'hr')
          element.onEndTag(() => void parts.push('\n'));
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
  await rewriter.transform(new Response(slicedBody(html))).text();
  return decodeEntities(parts.join(''))
    .split('\n')
    .map((line) => line.replace(/[ \t\u00a0]+/g, ' ').trim())
    .filter((line, index, lines) => line !== '' || (index > 0 && lines[index - 1] !== ''))
    .join('\n')
    .trim();
}
