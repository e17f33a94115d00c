import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderMarkdown } from '../src/markdown.ts';

describe('message markdown', () => {
  it('keeps line breaks inside a paragraph and splits paragraphs on blank lines', () => {
    assert.equal(renderMarkdown('Hello Lena,\nthanks for waiting.\n\nBest,\nMarie'), '<p>Hello Lena,<br>thanks for waiting.</p>\n<p>Best,<br>Marie</p>');
  });

  it('renders bold, italics, strikes, code and links', () => {
    assert.equal(
      renderMarkdown('**Refunded** on *Monday*, _not_ ~~Friday~~: see `invoice_2024` or [the guide](https://example.com/help?a=1&b=2).'),
      '<p><strong>Refunded</strong> on <em>Monday</em>, <em>not</em> <del>Friday</del>: see <code>invoice_2024</code> or ' +
        '<a href="https://example.com/help?a=1&amp;b=2" rel="noopener noreferrer nofollow" target="_blank">the guide</a>.</p>',
    );
  });

  it('links bare web addresses, without the sentence punctuation after them', () => {
    assert.equal(
      renderMarkdown('Status: https://status.example.com/incidents/42.'),
      '<p>Status: <a href="https://status.example.com/incidents/42" rel="noopener noreferrer nofollow" target="_blank">https://status.example.com/incidents/42</a>.</p>',
    );
  });

  it('leaves snake_case words and lone stars alone', () => {
    assert.equal(renderMarkdown('set max_retry_count to 3 * 2'), '<p>set max_retry_count to 3 * 2</p>');
  });

  it('renders bulleted, numbered and nested lists, quotes, headings, rules and code blocks', () => {
    const md = ['# Steps', '1. Open **Settings**', '2. Choose *Billing*', '   - then Invoices', '   - then March', '', '> You wrote:', '> > the first line', '', '---', '```', '<b>raw</b> **kept**', '```'].join('\n');
    assert.equal(
      renderMarkdown(md),
      [
        '<h3>Steps</h3>',
        '<ol><li>Open <strong>Settings</strong></li><li>Choose <em>Billing</em><ul><li>then Invoices</li><li>then March</li></ul></li></ol>',
        '<blockquote><p>You wrote:</p>\n<blockquote><p>the first line</p></blockquote></blockquote>',
        '<hr>',
        '<pre><code>&lt;b&gt;raw&lt;/b&gt; **kept**</code></pre>',
      ].join('\n'),
    );
    assert.equal(renderMarkdown('3. third\n4. fourth'), '<ol start="3"><li>third</li><li>fourth</li></ol>');
  });

  it('turns a mention into a marked name, and only with a real user id', () => {
    const id = '0b6f7d0e-6a1c-4b8e-9d3e-2f7a8c9b1d2e';
    assert.equal(renderMarkdown(`@[Marie Curie](user:${id}) can you check?`), `<p><span class="mention" data-user="${id}">@Marie Curie</span> can you check?</p>`);
    assert.equal(renderMarkdown('@[x](user:"><script>)'), '<p>@[x](user:&quot;&gt;&lt;script&gt;)</p>');
  });

  it('never lets markup, event handlers or script addresses through', () => {
    const attacks = [
      '<script>alert(1)</script>',
      '<img src=x onerror=alert(1)>',
      '[click](javascript:alert(1))',
      '[click](JaVaScRiPt:alert(1))',
      '[click](data:text/html;base64,PHNjcmlwdD4=)',
      '[x](https://a.example/"onmouseover="alert(1))',
      '**<iframe src=//evil>**',
      '`</code><script>`',
      '> <svg onload=alert(1)>',
      '- [a](vbscript:msgbox)',
      'https://example.com/"><script>alert(1)</script>',
    ];
    for (const a of attacks) {
      const html = renderMarkdown(a);
      assert.doesNotMatch(html, /<(script|img|iframe|svg)\b/i, `${a} → ${html}`);
      assert.doesNotMatch(html, /href="(?!https?:|mailto:)/i, `${a} → ${html}`);
      assert.doesNotMatch(html, /<[a-z][^>]*\son\w+\s*=/i, `${a} → ${html}`);
      // Every tag produced is one of ours.
      for (const tag of html.matchAll(/<\/?([a-z0-9]+)/gi)) assert.ok(['p', 'br', 'strong', 'em', 'del', 'code', 'pre', 'a', 'ul', 'ol', 'li', 'blockquote', 'h3', 'h4', 'h5', 'h6', 'hr', 'span'].includes(tag[1]!), `${tag[1]} in ${html}`);
    }
  });

  it('links within the site and sets the heading level only when asked (articles)', () => {
    assert.equal(renderMarkdown('[next](/help/a/articles/2)'), '<p>[next](/help/a/articles/2)</p>', 'a message links only to full addresses');
    assert.equal(renderMarkdown('[next](/help/a/articles/2)', { relativeLinks: true }), '<p><a href="/help/a/articles/2">next</a></p>');
    assert.equal(renderMarkdown('[x](//evil.example/a)', { relativeLinks: true }), '<p>[x](//evil.example/a)</p>', 'not another host without a scheme');
    assert.equal(renderMarkdown('# A\n## B', { headingLevel: 2 }), '<h2>A</h2>\n<h3>B</h3>');
  });

  it('backslash escapes keep the characters as typed', () => {
    assert.equal(renderMarkdown('\\*not italic\\* and \\[not a link\\](https://x.example)'), '<p>*not italic* and [not a link](<a href="https://x.example" rel="noopener noreferrer nofollow" target="_blank">https://x.example</a>)</p>');
  });

  it('renders pathological input (unclosed marks on long lines, huge sources) as text, without formatting it', () => {
    const html = renderMarkdown('**a '.repeat(999) + '\n' + '`'.repeat(3000) + '\n' + '['.repeat(3999));
    assert.match(html, /^<p>\*\*a \*\*a/);
    const huge = renderMarkdown(('**x _y '.repeat(20_000) + '\n').repeat(2));
    assert.match(huge, /^<p>\*\*x _y/);
  });
});
