// The fine-tuning panel's text format: one example per line, `label<TAB>text`. The label is a class
// name from the model's id2label (any case) or a class id. Errors name the line, as a user fixes them.

import type { LabeledExample } from './protocol.js';

/** text, labels (labels[i] names class i) → examples; throws listing the first bad lines. */
export function parseLabeledLines(text: string, labels: readonly string[]): LabeledExample[] {
  const byName = new Map(labels.map((l, i) => [l.toLowerCase(), i]));
  const examples: LabeledExample[] = [];
  const problems: string[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.replace(/\r$/, '');
    if (line.trim() === '') return;
    const tab = line.indexOf('\t');
    if (tab < 0) {
      problems.push(`line ${i + 1}: no tab between label and text`);
      return;
    }
    const name = line.slice(0, tab).trim();
    const body = line.slice(tab + 1).trim();
    const id =
      byName.get(name.toLowerCase()) ?? (/^\d+$/.test(name) && Number(name) < labels.length ? Number(name) : undefined);
    if (id === undefined)
      problems.push(
        `line ${i + 1}: unknown label "${name}" (expected one of ${labels.join(', ')} or 0–${labels.length - 1})`,
      );
    else if (body === '') problems.push(`line ${i + 1}: empty text`);
    else examples.push({ text: body, label: id });
  });
  if (problems.length)
    throw new Error(
      problems.slice(0, 5).join('\n') + (problems.length > 5 ? `\n… and ${problems.length - 5} more` : ''),
    );
  if (examples.length === 0) throw new Error('no examples: write one per line as label<TAB>text');
  return examples;
}
