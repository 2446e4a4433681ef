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
  /** How a value reads to a person (tooltip, table). */
  format?: (value: number) => string;
  /** How a tick of the y axis reads (short: "₦150k"); `format` when absent. */
  axisFormat?: (value: number) => string;
  /**
   * The smallest step between y ticks: 1 for counts (whole-number ticks), 100 for kobo (whole
   * naira); none for rates.
   */
  tickStep?: number;
  /** The y axis' caption, e.g. "orders" or "₦". */
  unit: string;
};

/*
 * A small coordinate system, so the text keeps a readable size when the chart shrinks to a phone's
 * width (the styles raise it there, and show every other date).
 */
const WIDTH = 400;
const HEIGHT = 210;
const PAD = { left: 50, right: 8, top: 10, bottom: 26 };
const PLOT_W = WIDTH - PAD.left - PAD.right;
const PLOT_H = HEIGHT - PAD.top - PAD.bottom;
const COLORS = ["#1f6feb", "#f0883e", "#2da44e", "#a371f7", "#cf222e", "#8c959f"];

export const colorOf = (i: number) => COLORS[i % COLORS.length] ?? "#1f6feb";
const plain = (n: number) => String(n);

/** ₦ for an axis: "₦950", "₦12.5k", "₦1.25m" (from kobo). */
export function compactNaira(kobo: number): string {
  const naira = Math.round(kobo / 100);
  // Ticks fall on round steps (₦12,500 → "₦12.5k"): two decimals at most, none when whole.
  const short = (n: number, unit: string) => `₦${Number(n.toFixed(2))}${unit}`;
  if (Math.abs(naira) >= 1_000_000) {
    return short(naira / 1_000_000, "m");
  }
  if (Math.abs(naira) >= 10_000) {
    return short(naira / 1_000, "k");
  }
  return `₦${naira.toLocaleString("en-NG")}`;
}

/**
 * The y axis for values up to `value`: at most five ticks from 0, a round step (1, 2, 2.5 or 5 ×
 * 10^k), never finer than `minStep` and a multiple of it when given — so counts get whole-number
 * ticks and naira whole naira.
 */
export function niceTicks(value: number, minStep = 0): { max: number; ticks: number[] } {
  const floor = minStep > 0 ? minStep : 1;
  if (!(value > 0)) {
    return { max: floor, ticks: [0, floor] };
  }
  const raw = Math.max(value / 4, minStep);
  const power = 10 ** Math.floor(Math.log10(raw));
  const candidates = minStep > 0 ? [1, 2, 5, 10] : [1, 2, 2.5, 5, 10];
  let step = (candidates.find((c) => c * power >= raw) ?? 10) * power;
  if (minStep > 0) {
    step = Math.max(minStep, Math.round(step / minStep) * minStep);
  }
  const count = Math.max(1, Math.ceil(value / step - 1e-9));
  return { max: step * count, ticks: Array.from({ length: count + 1 }, (_, i) => step * i) };
}

/**
 * The x labels: dates shortened ("2026-11-24" → "11-24"), at most eight shown; on a phone every
 * other one of those (`dense` ones are hidden there). A few non-date labels are always shown.
 */
function xLabels(labels: string[]): { text: string; dense: boolean }[] {
  const dates = labels.some((l) => /^\d{4}-/.test(l));
  const every = Math.max(1, Math.ceil(labels.length / 8));
  return labels.map((l, i) => ({
    text: i % every === 0 ? (/^\d{4}-/.test(l) ? l.slice(5) : l) : "",
    dense: dates && i % (every * 2) !== 0,
  }));
}

function Axes(props: {
  ticks: number[];
  max: number;
  labels: string[];
  slot: number;
  format: (n: number) => string;
  unit: string;
}) {
  const shown = xLabels(props.labels);
  return (
    <g class="axes" font-size="12" fill="#3d444d">
      {props.ticks.map((t) => {
        const y = PAD.top + PLOT_H - (t / props.max) * PLOT_H;
        return (
          <>
            <line x1={PAD.left} x2={WIDTH - PAD.right} y1={y} y2={y} stroke="#e3e6ea" />
            <text x={PAD.left - 4} y={y + 4} text-anchor="end" data-tick={String(t)}>
              {props.format(t)}
            </text>
          </>
        );
      })}
      <text
        x={11}
        y={PAD.top + PLOT_H / 2}
        transform={`rotate(-90 11 ${PAD.top + PLOT_H / 2})`}
        text-anchor="middle"
      >
        {props.unit}
      </text>
      {shown.map((l, i) =>
        l.text ? (
          <text
            class={l.dense ? "x-dense" : undefined}
            x={PAD.left + props.slot * (i + 0.5)}
            y={HEIGHT - PAD.bottom + 16}
            text-anchor="middle"
          >
            {l.text}
          </text>
        ) : null,
      )}
      <line x1={PAD.left} x2={PAD.left} y1={PAD.top} y2={PAD.top + PLOT_H} stroke="#8c959f" />
    </g>
  );
}

/** The series' colours, as text under the chart (it wraps on a phone; inside the SVG it could not). */
function Legend(props: { series: ChartSeries[] }) {
  return (
    <ul class="legend">
      {props.series.map((s, i) => (
        <li>
          <i style={`background:${colorOf(i)}`} />
          {s.name}
        </li>
      ))}
    </ul>
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
        class="chart"
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        width="100%"
        preserveAspectRatio="xMidYMid meet"
        xmlns="http://www.w3.org/2000/svg"
      >
        <title>{props.title}</title>
        {props.children}
      </svg>
      <Legend series={props.series} />
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
  const { max, ticks } = niceTicks(Math.max(0, ...totals), props.tickStep);
  const scale = (v: number) => (Math.max(0, v) / max) * PLOT_H;
  const groups = props.stacked ? 1 : Math.max(1, props.series.length);
  const barW = Math.max(1, (slot * 0.8) / groups);
  return (
    <Figure {...props} description={describe(props)}>
      <Axes
        ticks={ticks}
        max={max}
        labels={props.labels}
        slot={slot}
        format={props.axisFormat ?? format}
        unit={props.unit}
      />
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
    </Figure>
  );
}

/** One line per series, a dot (with its tooltip) per label. */
export function LineChart(props: ChartProps & { max?: number }) {
  const format = props.format ?? plain;
  const slot = PLOT_W / Math.max(1, props.labels.length);
  const { max, ticks } =
    props.max !== undefined
      ? { max: props.max, ticks: [0, 0.25, 0.5, 0.75, 1].map((f) => f * (props.max ?? 1)) }
      : niceTicks(Math.max(0, ...props.series.flatMap((s) => s.values)), props.tickStep);
  const point = (v: number, i: number) =>
    [PAD.left + slot * (i + 0.5), PAD.top + PLOT_H - (Math.max(0, v) / max) * PLOT_H] as const;
  return (
    <Figure {...props} description={describe(props)}>
      <Axes
        ticks={ticks}
        max={max}
        labels={props.labels}
        slot={slot}
        format={props.axisFormat ?? format}
        unit={props.unit}
      />
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
    </Figure>
  );
}
