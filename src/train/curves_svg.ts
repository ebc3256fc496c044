// log_history → a standalone SVG of the training curves: loss (train and eval) and eval accuracy against the
// optimizer step. Plain SVG text, no dependencies, so Node writes it to disk and a page can inline it.
import type { LogEntry } from './trainer_state.js';

interface Series {
  name: string;
  color: string;
  points: [number, number][];
}

const W = 420;
const H = 260;
const PAD = { left: 56, right: 16, top: 28, bottom: 40 };

export function trainingCurvesSvg(logHistory: readonly LogEntry[], title = 'Training curves'): string {
  const pick = (key: string): [number, number][] =>
    logHistory
      .filter((e) => typeof e[key] === 'number' && Number.isFinite(e[key]) && typeof e.step === 'number')
      .map((e) => [e.step!, e[key]!]);
  const lossPanel = panel('Loss', [
    { name: 'train loss', color: '#1f77b4', points: pick('loss') },
    { name: 'eval loss', color: '#ff7f0e', points: pick('eval_loss') },
  ]);
  const accPanel = panel(
    'Eval accuracy',
    [{ name: 'eval accuracy', color: '#2ca02c', points: pick('eval_accuracy') }],
    [0, 1],
  );
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${2 * W}" height="${H + 30}" viewBox="0 0 ${2 * W} ${H + 30}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${W}" y="18" text-anchor="middle" font-size="14">${escapeXml(title)}</text>`,
    `<g transform="translate(0,30)">${lossPanel}</g>`,
    `<g transform="translate(${W},30)">${accPanel}</g>`,
    '</svg>',
    '',
  ].join('\n');
}

function panel(title: string, series: Series[], fixedY?: [number, number]): string {
  const all = series.flatMap((s) => s.points);
  const out: string[] = [
    `<text x="${W / 2}" y="14" text-anchor="middle" font-weight="bold">${escapeXml(title)}</text>`,
  ];
  const x0 = PAD.left,
    x1 = W - PAD.right,
    y0 = H - PAD.bottom,
    y1 = PAD.top;
  out.push(`<rect x="${x0}" y="${y1}" width="${x1 - x0}" height="${y0 - y1}" fill="none" stroke="#999"/>`);
  if (all.length === 0) {
    out.push(`<text x="${(x0 + x1) / 2}" y="${(y0 + y1) / 2}" text-anchor="middle" fill="#777">no data</text>`);
    return out.join('');
  }
  const [sx0, sx1] = range(
    all.map((p) => p[0]),
    0,
  );
  const [sy0, sy1] =
    fixedY ??
    range(
      all.map((p) => p[1]),
      0.05,
    );
  const X = (v: number): number => x0 + ((v - sx0) / (sx1 - sx0)) * (x1 - x0);
  const Y = (v: number): number => y0 - ((v - sy0) / (sy1 - sy0)) * (y0 - y1);
  for (let i = 0; i <= 4; i++) {
    const v = sy0 + ((sy1 - sy0) * i) / 4;
    out.push(`<line x1="${x0}" x2="${x1}" y1="${Y(v)}" y2="${Y(v)}" stroke="#eee"/>`);
    out.push(`<text x="${x0 - 4}" y="${Y(v) + 4}" text-anchor="end">${tick(v)}</text>`);
  }
  for (let i = 0; i <= 4; i++) {
    const v = sx0 + ((sx1 - sx0) * i) / 4;
    out.push(`<text x="${X(v)}" y="${y0 + 14}" text-anchor="middle">${tick(v)}</text>`);
  }
  out.push(`<text x="${(x0 + x1) / 2}" y="${y0 + 30}" text-anchor="middle">step</text>`);
  series.forEach((s, k) => {
    if (s.points.length === 0) return;
    const d = s.points.map(([x, y], i) => `${i ? 'L' : 'M'}${X(x).toFixed(1)},${Y(y).toFixed(1)}`).join(' ');
    out.push(`<path d="${d}" fill="none" stroke="${s.color}" stroke-width="1.5"/>`);
    for (const [x, y] of s.points.length <= 60 ? s.points : [])
      out.push(`<circle cx="${X(x).toFixed(1)}" cy="${Y(y).toFixed(1)}" r="2.5" fill="${s.color}"/>`);
    const ly = y1 + 14 + 14 * k;
    out.push(
      `<line x1="${x1 - 110}" x2="${x1 - 92}" y1="${ly - 4}" y2="${ly - 4}" stroke="${s.color}" stroke-width="2"/>`,
    );
    out.push(`<text x="${x1 - 88}" y="${ly}">${escapeXml(s.name)}</text>`);
  });
  return out.join('');
}

/** [min, max] of values, widened by `margin` of the span (and never empty). */
function range(values: number[], margin: number): [number, number] {
  let lo = Math.min(...values),
    hi = Math.max(...values);
  if (hi - lo < 1e-12) [lo, hi] = [lo - 0.5, hi + 0.5];
  const m = (hi - lo) * margin;
  return [lo - m, hi + m];
}

function tick(v: number): string {
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e5) ? v.toExponential(1) : Number(v.toPrecision(3)).toString();
}

function escapeXml(s: string): string {
  return s.replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c]!);
}
