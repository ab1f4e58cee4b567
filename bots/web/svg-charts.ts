/**
 * Charts drawn on the server as SVG with Apache ECharts' server-side renderer
 * (`init(null, null, { renderer: 'svg', ssr: true })`, `renderToSVGString()`), inlined in the page:
 * no script, no client build. What ECharts writes is then fitted to the console's
 * Content-Security-Policy, which allows no inline style: its `<style>` block (hover rules only) is
 * dropped and each `style="…"` becomes SVG presentation attributes (font-size, font-family…);
 * the fixed width and height go, so the drawing scales with its viewBox on a phone. Labels and
 * series names are passed as plain strings (ECharts escapes them as SVG text); the result is
 * checked to hold no script, event handler, link or style before it is let into a page.
 * Every chart has a data table beside it (the page's job): what a screen reader reads and a
 * person copies.
 */
import * as echarts from 'echarts';
import { escapeHtml, SafeHtml } from './html.js';

/** Colours with enough contrast on white, in the order series take them. */
export const CHART_COLOURS = ['#0b5cab', '#2e7d32', '#c62828', '#b26a00', '#6a1b9a', '#00838f', '#5b6472', '#ad1457'];
/** No quotes: ECharts writes the font into a style attribute without escaping it. */
const FONT = 'system-ui, -apple-system, Segoe UI, Roboto, Noto Sans, Arial, sans-serif';
const WIDTH = 440;

/** A bar or line series: its name (legend) and one value per category (null: nothing to draw). */
export interface Series {
  name: string;
  values: (number | null)[];
  /** A colour from CHART_COLOURS, else taken in order. */
  colour?: string;
}

/** Text a chart may show: a string, nothing else (no rich-text markup, no control characters). */
// eslint-disable-next-line no-control-regex -- control characters are what is removed
const plain = (s: unknown) => String(s ?? '').replace(/[\u0000-\u001f\u007f]/g, ' ');

/** The SVG elements a chart may hold; anything else (script, style, foreignObject, a, image, use…) is refused. */
const ELEMENTS = new Set(['svg', 'g', 'path', 'rect', 'circle', 'ellipse', 'line', 'polyline', 'polygon', 'text', 'tspan', 'defs', 'clipPath', 'linearGradient', 'radialGradient', 'stop']);

/** Whether every tag is an allowed element whose attributes are neither handlers, links nor styles (text between tags is escaped by ECharts, so holds no `<`). */
function inert(svg: string): boolean {
  if (/<[!?]/.test(svg)) return false;
  for (const tag of svg.matchAll(/<\/?([A-Za-z][\w:-]*)([^>]*)>/g)) {
    if (!ELEMENTS.has(tag[1]!)) return false;
    const attrs = tag[2]!.replace(/\/$/, '');
    const rest = attrs.replace(/\s+[A-Za-z_][\w:.-]*="[^"<]*"/g, '');
    if (rest.trim() !== '') return false;
    for (const a of attrs.matchAll(/\s+([A-Za-z_][\w:.-]*)="([^"]*)"/g)) {
      const name = a[1]!.toLowerCase();
      if (name.startsWith('on') || name === 'style' || name.endsWith('href') || /javascript:|url\(\s*['"]?(?!#)/i.test(a[2]!)) return false;
    }
  }
  return (svg.match(/</g) ?? []).length === [...svg.matchAll(/<\/?[A-Za-z][\w:-]*[^>]*>/g)].length;
}

/** Fits ECharts' SVG to the page (see the module comment) and names it; throws if anything active is left. */
export function fitSvg(svg: string, o: { labelledBy: string }): SafeHtml {
  let out = svg
    .replace(/<style[\s\S]*?<\/style>/gi, '')
    .replace(/\s(?:ecmeta_[a-z_]+|class|pointer-events)="[^"]*"/g, '')
    .replace(/\sstyle="([^"]*)"/g, (_m, css: string) =>
      css
        .split(';')
        .map((d) => d.split(':'))
        .filter(([k, v]) => k && v !== undefined && /^[a-z-]+$/.test(k.trim()))
        .map(([k, ...v]) => ` ${k!.trim()}="${escapeHtml(v.join(':').trim())}"`)
        .join(''),
    );
  out = out.replace(/^<svg width="(\d+(?:\.\d+)?)" height="(\d+(?:\.\d+)?)"/, '<svg class="chart" role="img" aria-labelledby="' + escapeHtml(o.labelledBy) + '" focusable="false" preserveAspectRatio="xMinYMin meet"');
  if (!out.startsWith('<svg class="chart"') || !inert(out)) throw new Error('the chart SVG holds something a page must not (script, style, link or handler); it was not inlined');
  return new SafeHtml(out.trim());
}

function render(option: echarts.EChartsCoreOption, height: number, labelledBy: string): SafeHtml {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width: WIDTH, height });
  try {
    chart.setOption({ animation: false, color: CHART_COLOURS, textStyle: { fontFamily: FONT, fontSize: 13, color: '#1d2430' }, ...option });
    return fitSvg(chart.renderToSVGString(), { labelledBy });
  } finally {
    chart.dispose();
  }
}

const legend = (series: Series[]) => (series.length > 1 ? { top: 0, left: 0, itemWidth: 14, itemHeight: 10, textStyle: { fontSize: 12 }, data: series.map((s) => plain(s.name)) } : undefined);

/**
 * Horizontal bars, one row per category (long names cut with "…"; the table has them whole),
 * stacked when there are several series. Height grows with the rows.
 */
export function barChart(o: { labelledBy: string; categories: string[]; series: Series[]; stacked?: boolean }): SafeHtml {
  const rows = o.categories.length;
  const top = o.series.length > 1 ? 36 : 12;
  const height = Math.max(120, top + 34 + rows * (o.stacked || o.series.length === 1 ? 26 : 16 * o.series.length + 8));
  return render(
    {
      legend: legend(o.series),
      grid: { left: 8, right: 28, top, bottom: 8, containLabel: true },
      xAxis: { type: 'value', minInterval: 1, axisLabel: { fontSize: 12 } },
      yAxis: { type: 'category', inverse: true, data: o.categories.map(plain), axisLabel: { width: 130, overflow: 'truncate', fontSize: 12 }, axisTick: { show: false } },
      series: o.series.map((s, i) => ({
        type: 'bar',
        name: plain(s.name),
        data: s.values,
        barMaxWidth: 22,
        ...(o.stacked ? { stack: 'all' } : {}),
        itemStyle: { color: s.colour ?? CHART_COLOURS[i % CHART_COLOURS.length] },
        ...(o.series.length === 1 || !o.stacked ? { label: { show: true, position: 'right', fontSize: 11, color: '#1d2430' } } : {}),
      })),
    },
    height,
    o.labelledBy,
  );
}

/**
 * A trend over weeks: lines (optionally bars for some series), one point per week; `max` fixes
 * the value axis (100 for percentages); `suffix` follows the axis values ("%").
 */
export function trendChart(o: { labelledBy: string; weeks: string[]; series: (Series & { kind?: 'line' | 'bar' })[]; max?: number; suffix?: string; stacked?: boolean }): SafeHtml {
  return render(
    {
      legend: legend(o.series),
      grid: { left: 8, right: 20, top: o.series.length > 1 ? 40 : 16, bottom: 8, containLabel: true },
      xAxis: { type: 'category', data: o.weeks.map(plain), axisLabel: { fontSize: 11, hideOverlap: true }, axisTick: { alignWithLabel: true } },
      yAxis: { type: 'value', minInterval: 1, ...(o.max !== undefined ? { max: o.max, min: 0 } : {}), axisLabel: { fontSize: 11, ...(o.suffix ? { formatter: `{value}${o.suffix.replace(/[{}]/g, '')}` } : {}) } },
      series: o.series.map((s, i) => {
        const colour = s.colour ?? CHART_COLOURS[i % CHART_COLOURS.length];
        return s.kind === 'bar'
          ? { type: 'bar', name: plain(s.name), data: s.values, barMaxWidth: 28, ...(o.stacked ? { stack: 'all' } : {}), itemStyle: { color: colour } }
          : { type: 'line', name: plain(s.name), data: s.values, connectNulls: false, symbol: 'circle', symbolSize: 7, lineStyle: { width: 2.5, color: colour }, itemStyle: { color: colour } };
      }),
    },
    260,
    o.labelledBy,
  );
}
