// A small live chart of training: the loss at every step (left axis) and the eval accuracy after every epoch
// (right axis, 0–100 %), drawn as SVG (crisp at any size, inspectable in tests).

const NS = 'http://www.w3.org/2000/svg';
const W = 600;
const H = 220;
const PAD = { left: 48, right: 44, top: 12, bottom: 28 };

export interface LossPoint {
  step: number;
  loss: number;
}

export interface AccuracyPoint {
  step: number;
  accuracy: number;
}

function el(name: string, attrs: Record<string, string | number>, text?: string): SVGElement {
  const node = document.createElementNS(NS, name);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = text;
  return node;
}

/** svg, loss points, maxSteps, accuracy points → redraws axes, grid, the loss line and the accuracy line; x spans [1, maxSteps]. */
export function drawLossChart(
  svg: SVGSVGElement,
  points: readonly LossPoint[],
  maxSteps: number,
  accuracy: readonly AccuracyPoint[] = [],
): void {
  svg.replaceChildren();
  const xMax = Math.max(maxSteps, 2);
  const losses = points.map((p) => p.loss);
  let lo = points.length ? Math.min(...losses) : 0;
  let hi = points.length ? Math.max(...losses) : 1;
  if (hi - lo < 1e-6) [lo, hi] = [lo - 0.01, hi + 0.01]; // a flat line still needs a visible range
  const x = (step: number): number => PAD.left + ((step - 1) / (xMax - 1)) * (W - PAD.left - PAD.right);
  const y = (loss: number): number => PAD.top + ((hi - loss) / (hi - lo)) * (H - PAD.top - PAD.bottom);
  const yAcc = (a: number): number => PAD.top + (1 - a) * (H - PAD.top - PAD.bottom);

  for (let i = 0; i <= 4; i++) {
    const v = lo + ((hi - lo) * i) / 4;
    svg.append(el('line', { class: 'grid', x1: PAD.left, x2: W - PAD.right, y1: y(v), y2: y(v) }));
    svg.append(el('text', { x: PAD.left - 6, y: y(v) + 4, 'text-anchor': 'end' }, v.toFixed(3)));
    if (accuracy.length)
      svg.append(el('text', { class: 'acc-label', x: W - PAD.right + 6, y: yAcc(i / 4) + 4 }, `${i * 25}%`));
  }
  svg.append(el('line', { class: 'axis', x1: PAD.left, x2: PAD.left, y1: PAD.top, y2: H - PAD.bottom }));
  svg.append(el('line', { class: 'axis', x1: PAD.left, x2: W - PAD.right, y1: H - PAD.bottom, y2: H - PAD.bottom }));
  svg.append(el('text', { x: PAD.left, y: H - 8 }, 'step 1'));
  svg.append(el('text', { x: W - PAD.right, y: H - 8, 'text-anchor': 'end' }, `step ${xMax}`));
  const title = accuracy.length ? 'training loss · eval accuracy per epoch' : 'training loss';
  svg.append(el('text', { x: (W + PAD.left) / 2, y: H - 8, 'text-anchor': 'middle' }, title));
  if (points.length) {
    svg.append(
      el('polyline', {
        class: 'loss',
        points: points.map((p) => `${x(p.step).toFixed(1)},${y(p.loss).toFixed(1)}`).join(' '),
      }),
    );
    const last = points[points.length - 1]!;
    svg.append(el('circle', { class: 'loss', cx: x(last.step), cy: y(last.loss), r: 3 }));
  }
  if (accuracy.length) {
    svg.append(
      el('polyline', {
        class: 'accuracy',
        points: accuracy.map((p) => `${x(p.step).toFixed(1)},${yAcc(p.accuracy).toFixed(1)}`).join(' '),
      }),
    );
    for (const p of accuracy) {
      const dot = el('circle', { class: 'accuracy', cx: x(p.step), cy: yAcc(p.accuracy), r: 4 });
      dot.append(el('title', {}, `step ${p.step}: accuracy ${(100 * p.accuracy).toFixed(1)}%`));
      svg.append(dot);
    }
  }
}
