import type { Child } from "hono/jsx";

/**
 * Server-rendered SVG charts for the admin dashboard: small pure components, no script, no
 * library. Every chart is an `<svg role="img" aria-label="…" data-chart="name">` whose marks carry
 * `data-series`, `data-label` and `data-value` (the raw number) and a `<title>` tooltip, followed by
 * the same numbers as a table for screen readers, copy-paste and tests.
 */

export type ChartSeries = { name: string; values: number[] };
export type ChartProps = {
  /** The `data-chart` name tests and styles find it by. */
  name: string;
  title: string;
  /** One label per x position (days, or services). */
  labels: string[];
  series: ChartSeries[];
  /** How a value reads to a person (axis, tooltip, table). */
  format?: (value: number) => string;
  /** The y axis' caption, e.g. "orders" or "₦". */
  unit: string;
};

const WIDTH = 640;
const HEIGHT = 220;
const PAD = { left: 64, right: 12, top: 12, bottom: 40 };
const PLOT_W = WIDTH - PAD.left - PAD.right;
const PLOT_H = HEIGHT - PAD.top - PAD.bottom;
const COLORS = ["#1f6feb", "#f0883e", "#2da44e", "#a371f7", "#cf222e", "#8c959f"];

export const colorOf = (i: number) => COLORS[i % COLORS.length] ?? "#1f6feb";
const plain = (n: number) => String(n);

/** A round ceiling for the y axis: 1, 2, 2.5 or 5 × 10^k, at least 1. */
export function niceMax(value: number): number {
  if (value <= 0) {
    return 1;
  }
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 2.5, 5, 10]) {
    if (step * power >= value) {
      return step * power;
    }
  }
  return 10 * power;
}

/** Short x labels: "2026-11-24" → "11-24"; every nth shown so they never overlap. */
function xLabels(labels: string[]) {
  const every = Math.max(1, Math.ceil(labels.length / 10));
  return labels.map((l, i) => (i % every === 0 ? (/^\d{4}-/.test(l) ? l.slice(5) : l) : ""));
}

function Axes(props: {
  max: number;
  labels: string[];
  slot: number;
  format: (n: number) => string;
  unit: string;
}) {
  const ticks = [0, props.max / 2, props.max];
  const shown = xLabels(props.labels);
  return (
    <g class="axes" font-size="10" fill="#57606a">
      {ticks.map((t) => {
        const y = PAD.top + PLOT_H - (t / props.max) * PLOT_H;
        return (
          <>
            <line x1={PAD.left} x2={WIDTH - PAD.right} y1={y} y2={y} stroke="#e3e6ea" />
            <text x={PAD.left - 4} y={y + 3} text-anchor="end">
              {props.format(t)}
            </text>
          </>
        );
      })}
      <text
        x={12}
        y={PAD.top + PLOT_H / 2}
        transform={`rotate(-90 12 ${PAD.top + PLOT_H / 2})`}
        text-anchor="middle"
      >
        {props.unit}
      </text>
      {shown.map((l, i) =>
        l ? (
          <text x={PAD.left + props.slot * (i + 0.5)} y={HEIGHT - PAD.bottom + 14} text-anchor="middle">
            {l}
          </text>
        ) : null,
      )}
      <line x1={PAD.left} x2={PAD.left} y1={PAD.top} y2={PAD.top + PLOT_H} stroke="#8c959f" />
    </g>
  );
}

function Legend(props: { series: ChartSeries[] }) {
  return (
    <g class="legend" font-size="10" fill="#24292f">
      {props.series.map((s, i) => (
        <>
          <rect x={PAD.left + i * 120} y={HEIGHT - 14} width={10} height={10} fill={colorOf(i)} />
          <text x={PAD.left + i * 120 + 14} y={HEIGHT - 5}>
            {s.name}
          </text>
        </>
      ))}
    </g>
  );
}

/** The numbers behind a chart, one row per label, one column per series. */
export function ChartTable(props: ChartProps) {
  const format = props.format ?? plain;
  return (
    <details>
      <summary>{props.title}: the numbers</summary>
      <table class="list" data-chart-table={props.name}>
        <thead>
          <tr>
            <th />
            {props.series.map((s) => (
              <th class="num">{s.name}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {props.labels.map((label, i) => (
            <tr>
              <td>{label}</td>
              {props.series.map((s) => (
                <td class="num" data-series={s.name} data-label={label} data-value={String(s.values[i] ?? 0)}>
                  {format(s.values[i] ?? 0)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </details>
  );
}

function Figure(props: ChartProps & { children: Child; description: string }) {
  return (
    <figure class="card chart">
      <figcaption>
        <strong>{props.title}</strong>
      </figcaption>
      <svg
        role="img"
        aria-label={`${props.title}: ${props.description}`}
        data-chart={props.name}
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        width="100%"
        preserveAspectRatio="xMidYMid meet"
        xmlns="http://www.w3.org/2000/svg"
      >
        <title>{props.title}</title>
        {props.children}
      </svg>
      <ChartTable {...props} />
    </figure>
  );
}

const describe = (p: ChartProps) =>
  `${p.series.map((s) => s.name).join(", ")} for ${p.labels.length} ${p.labels.length === 1 ? "point" : "points"}`;

/** Bars side by side per label (one per series), or stacked when `stacked`. */
export function BarChart(props: ChartProps & { stacked?: boolean }) {
  const format = props.format ?? plain;
  const slot = PLOT_W / Math.max(1, props.labels.length);
  const totals = props.labels.map((_, i) =>
    props.stacked
      ? props.series.reduce((n, s) => n + Math.max(0, s.values[i] ?? 0), 0)
      : Math.max(0, ...props.series.map((s) => s.values[i] ?? 0)),
  );
  const max = niceMax(Math.max(0, ...totals));
  const scale = (v: number) => (Math.max(0, v) / max) * PLOT_H;
  const groups = props.stacked ? 1 : Math.max(1, props.series.length);
  const barW = Math.max(1, (slot * 0.8) / groups);
  return (
    <Figure {...props} description={describe(props)}>
      <Axes max={max} labels={props.labels} slot={slot} format={format} unit={props.unit} />
      {props.labels.map((label, i) => {
        let stackTop = PAD.top + PLOT_H;
        return (
          <g data-label={label}>
            {props.series.map((s, j) => {
              const value = s.values[i] ?? 0;
              const h = scale(value);
              const x = PAD.left + slot * i + slot * 0.1 + (props.stacked ? 0 : j * barW);
              const y = props.stacked ? stackTop - h : PAD.top + PLOT_H - h;
              if (props.stacked) {
                stackTop -= h;
              }
              return (
                <rect
                  x={x.toFixed(1)}
                  y={y.toFixed(1)}
                  width={barW.toFixed(1)}
                  height={h.toFixed(1)}
                  fill={colorOf(j)}
                  data-series={s.name}
                  data-label={label}
                  data-value={String(value)}
                >
                  <title>{`${label} · ${s.name}: ${format(value)}`}</title>
                </rect>
              );
            })}
          </g>
        );
      })}
      <Legend series={props.series} />
    </Figure>
  );
}

/** One line per series, a dot (with its tooltip) per label. */
export function LineChart(props: ChartProps & { max?: number }) {
  const format = props.format ?? plain;
  const slot = PLOT_W / Math.max(1, props.labels.length);
  const max = props.max ?? niceMax(Math.max(0, ...props.series.flatMap((s) => s.values)));
  const point = (v: number, i: number) =>
    [PAD.left + slot * (i + 0.5), PAD.top + PLOT_H - (Math.max(0, v) / max) * PLOT_H] as const;
  return (
    <Figure {...props} description={describe(props)}>
      <Axes max={max} labels={props.labels} slot={slot} format={format} unit={props.unit} />
      {props.series.map((s, j) => (
        <g data-series={s.name}>
          <polyline
            fill="none"
            stroke={colorOf(j)}
            stroke-width="2"
            points={s.values
              .map((v, i) =>
                point(v, i)
                  .map((n) => n.toFixed(1))
                  .join(","),
              )
              .join(" ")}
          />
          {s.values.map((v, i) => {
            const [x, y] = point(v, i);
            const label = props.labels[i] ?? "";
            return (
              <circle
                cx={x.toFixed(1)}
                cy={y.toFixed(1)}
                r="3"
                fill={colorOf(j)}
                data-series={s.name}
                data-label={label}
                data-value={String(v)}
              >
                <title>{`${label} · ${s.name}: ${format(v)}`}</title>
              </circle>
            );
          })}
        </g>
      ))}
      <Legend series={props.series} />
    </Figure>
  );
}
