/** The escaping template every page is written with. */
import { describe, expect, it } from 'vitest';
import { escapeHtml, html, trusted } from './html.js';

describe('html', () => {
  it('escapes hostile text in content and in attributes', () => {
    const hostile = `<script>alert("x")</script>' onmouseover='x' \`y\` &amp;`;
    const out = html`<p title="${hostile}">${hostile}</p>`.value;
    expect(out).not.toContain('<script>');
    expect(out).not.toMatch(/title="[^"]*"[^>]*onmouseover/);
    expect(out).toBe(
      '<p title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&#39; onmouseover=&#39;x&#39; &#96;y&#96; &amp;amp;">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&#39; onmouseover=&#39;x&#39; &#96;y&#96; &amp;amp;</p>',
    );
  });

  it('writes a query-operator lookalike as plain text', () => {
    expect(html`<input value="${'{"$gt": ""}'}">`.value).toBe('<input value="{&quot;$gt&quot;: &quot;&quot;}">');
  });

  it('nests safe HTML, joins arrays, and writes nothing for null, undefined and false', () => {
    const items = ['a<b', 'c'].map((x) => html`<li>${x}</li>`);
    expect(html`<ul>${items}</ul>${null}${undefined}${false}${0}`.value).toBe('<ul><li>a&lt;b</li><li>c</li></ul>0');
    expect(html`${trusted('<br>')}`.value).toBe('<br>');
  });

  it('keeps Vietnamese as it is', () => {
    expect(escapeHtml('Nhật ký hoạt động — "Xem danh tính"')).toBe('Nhật ký hoạt động — &quot;Xem danh tính&quot;');
  });
});
