/** ECharts' server-side SVG, fitted to a page whose CSP allows no script and no inline style. */
import { describe, expect, it } from 'vitest';
import { barChart, fitSvg, trendChart } from './svg-charts.js';

const HOSTILE = ['<script>alert(1)</script>', '<img src=x onerror=alert(1)>', '"><svg onload=alert(1)>', '{a|b} javascript:alert(1)', 'Công ty TNHH Giày da Phúc Thịnh'];

describe('server-side SVG charts', () => {
  it('draws bars as inline SVG that scales with its viewBox, with no style, script, handler or link', () => {
    const svg = barChart({ labelledBy: 'c1', categories: HOSTILE, series: [{ name: 'Số phản ánh', values: [1, 2, 3, 4, 5] }] }).value;
    expect(svg.startsWith('<svg class="chart" role="img" aria-labelledby="c1"')).toBe(true);
    expect(svg).toMatch(/viewBox="0 0 440 \d+"/);
    expect(svg).not.toMatch(/<svg[^>]*\swidth=/);
    const tags = svg.replace(/>[^<]*</g, '><');
    expect(tags).not.toMatch(/<script|<style|\sstyle=|\son\w+=|href=/i);
    expect(svg).toContain('font-size="12px"');
    // Names are SVG text, escaped by ECharts.
    expect(svg).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(svg).toContain('&lt;img src=x onerror=');
    expect(svg).not.toContain('<img');
  });

  it('draws weekly trends with a legend and a percent axis', () => {
    const svg = trendChart({
      labelledBy: 'c2',
      weeks: ['02/11', '09/11', '16/11'],
      series: [
        { name: 'Đạt hạn <b>', values: [100, 50, null] },
        { name: 'Phản ánh', values: [1, 2, 1], kind: 'bar' },
      ],
      max: 100,
      suffix: '%',
    }).value;
    expect(svg).toContain('Đạt hạn &lt;b&gt;');
    expect(svg).toContain('>100%<');
    expect(svg).not.toMatch(/<script|<style|\sstyle=/i);
  });

  it('refuses SVG that would carry anything active into a page', () => {
    expect(() => fitSvg('<svg width="1" height="1"><script>alert(1)</script></svg>', { labelledBy: 'x' })).toThrow(/not inlined/);
    expect(() => fitSvg('<svg width="1" height="1"><a href="javascript:alert(1)"><text>x</text></a></svg>', { labelledBy: 'x' })).toThrow(/not inlined/);
    expect(() => fitSvg('<svg width="1" height="1"><rect onclick="x()"/></svg>', { labelledBy: 'x' })).toThrow(/not inlined/);
    expect(() => fitSvg('<div>not svg</div>', { labelledBy: 'x' })).toThrow(/not inlined/);
    expect(fitSvg('<svg width="1" height="1" viewBox="0 0 1 1"><text style="font-size:12px;font-family:sans-serif;">a</text><style><![CDATA[.x:hover{}]]></style></svg>', { labelledBy: 'x' }).value).toBe(
      '<svg class="chart" role="img" aria-labelledby="x" focusable="false" preserveAspectRatio="xMinYMin meet" viewBox="0 0 1 1"><text font-size="12px" font-family="sans-serif">a</text></svg>',
    );
  });
});
