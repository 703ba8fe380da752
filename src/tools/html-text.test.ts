import { describe, expect, it } from 'bun:test';
import { decodeEntities, htmlToText } from './html-text';

describe('decodeEntities', () => {
  it('decodes every named reference of the standard and numeric ones, and leaves unknown names', () => {
    expect(decodeEntities('it&rsquo;s &mdash; caf&eacute; &hellip; &copy; &euro;5')).toBe('it’s — café … © €5');
    expect(decodeEntities('&amp; &lt;b&gt; &quot;x&quot; &#39;y&#x27; &#233;')).toBe('& <b> "x" \'y\' é');
    expect(decodeEntities('&unknown; stays, AT&T too')).toBe('&unknown; stays, AT&T too');
  });

  it('reads &nbsp; as a plain space', () => {
    expect(decodeEntities('a&nbsp;b')).toBe('a b');
  });
});

describe('htmlToText', () => {
  it('shows the characters a browser shows for references in text', async () => {
    const html =
      '<html><head><title>T</title></head><body><h1>Caf&eacute; &amp; bar</h1><p>It&rsquo;s open&nbsp;&mdash; daily.</p></body></html>';
    expect(await htmlToText(html, 'markdown')).toBe('# Café & bar\n\nIt’s open — daily.');
  });
});

describe('htmlToText on a large page', () => {
  it('reads it in slices with the event loop free between them, references and pairs cut across slices intact', async () => {
    // 11 characters of filler put the first slice's end (262,144) between the emoji's two halves.
    const block = '<p>caf&eacute; 😀 <b>x</b></p>\n';
    const html = `<html><body>12345678901${block.repeat(30_000)}</body></html>`;
    let ranMeanwhile = false;
    let finished = false;
    setImmediate(() => {
      ranMeanwhile = !finished;
    });
    const text = await htmlToText(html, 'text');
    finished = true;
    expect(ranMeanwhile).toBe(true);
    expect(text).toBe(`12345678901\n${Array(30_000).fill('café 😀 x').join('\n\n')}`);
  });
});
