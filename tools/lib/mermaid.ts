/**
 * Mermaid charts (https://mermaid.js.org/syntax/xychart.html), which GitHub renders in Markdown: the pull request
 * comment's cost chart and synth's capacity plan. Bar series of one chart are drawn over each other, not side
 * by side (mermaid-js/mermaid#7392): a chart that compares two series on the same category draws them at
 * interleaved categories instead (each series 0 where the other is drawn), or, where one series holds the other
 * (requested within allocatable), over each other on purpose.
 */

/** A category label or title as Mermaid reads a quoted string (no double quotes inside). */
export function quoted(text: string): string {
  return `"${text.replace(/"/g, "'")}"`;
}

/** A figure for a series: at most 2 decimals, no exponent. */
export function figure(n: number): string {
  return String(Math.round(n * 100) / 100);
}

/** The y axis' top: the largest value, rounded up to a readable step, never 0. */
export function axisTop(values: readonly number[]): number {
  const max = Math.max(0, ...values);
  if (max <= 0) return 1;
  const step = 10 ** Math.floor(Math.log10(max));
  return Math.ceil((max * 1.05) / step) * step;
}

export interface XyChart {
  title: string;
  /** `horizontal` puts the categories on the left, which suits long labels. */
  horizontal?: boolean;
  categories: readonly string[];
  yLabel: string;
  /** Bar series, drawn in this order (later over earlier). */
  bars: readonly (readonly number[])[];
}

/** A fenced Mermaid `xychart-beta` block. */
export function xyChart(chart: XyChart): string {
  const top = axisTop(chart.bars.flat());
  return [
    "```mermaid",
    `xychart-beta${chart.horizontal ? " horizontal" : ""}`,
    `  title ${quoted(chart.title)}`,
    `  x-axis [${chart.categories.map(quoted).join(", ")}]`,
    `  y-axis ${quoted(chart.yLabel)} 0 --> ${figure(top)}`,
    ...chart.bars.map((series) => `  bar [${series.map(figure).join(", ")}]`),
    "```",
  ].join("\n");
}
