// Parity of DistilBertForSequenceClassification with the real Hugging Face model (golden/tiny-distilbert):
// forward, every gradient, clipping, and a 3-step AdamW trajectory.
import { beforeAll, describe, expect, it } from 'vitest';
import { gpu } from './helpers/gpu.js';
import * as wt from '../src/index.js';
import {
  compare,
  compareByNorm,
  goldenPath,
  readGoldenJson,
  readGoldenTensors,
  report,
  type ErrorRow,
} from './distilbert.helpers.js';

const ATOL_ACT = 1e-5; // logits, hidden states
const ATOL_PARAM = 1e-6; // gradients, parameters: |a−b| ≤ 1e-6 + 1e-5·|b|
const RTOL_PARAM = 1e-5;
const NORM_RTOL_GRAD = 1e-4; // and each gradient tensor: ‖g − g*‖ ≤ 1e-4·‖g*‖ (6 of the 40 are below 1e-6 everywhere)
const ZERO_GRAD_ATOL = 1e-10; // gradients that are zero in exact arithmetic (the key biases)

const inputs = readGoldenJson('tiny-distilbert/inputs.json');
const forwardJson = readGoldenJson('tiny-distilbert/forward.json');
const batch = { inputIds: inputs.input_ids, attentionMask: inputs.attention_mask, labels: inputs.labels };

let model: wt.DistilBertForSequenceClassification;
beforeAll(async () => {
  await gpu();
  model = await wt.DistilBertForSequenceClassification.fromPretrained(goldenPath('tiny-distilbert'));
  model.eval();
});

async function gradRows(golden: Map<string, { data: Float32Array }>, label: string): Promise<ErrorRow[]> {
  expect(model.namedParameters()).toHaveLength(golden.size);
  const rows: ErrorRow[] = [];
  for (const [name, p] of model.namedParameters()) {
    expect(p.grad, `${name} has a gradient`).toBeDefined();
    const [got, want] = [await p.grad!.data(), golden.get(name)!.data];
    // The key bias's exact gradient is zero: it adds q·b to every score of q's row, and softmax ignores a constant
    // added to a row. HF's values are rounding noise (~1e-13), which has no norm to be relative to: ours must be
    // that small too.
    if (/attention\.k_lin\.bias$/.test(name))
      rows.push(compare(`${label} ${name} (exactly 0 in theory)`, got, want, ZERO_GRAD_ATOL));
    else rows.push(compareByNorm(`${label} ${name}`, got, want, ATOL_PARAM, RTOL_PARAM, NORM_RTOL_GRAD));
  }
  return rows;
}

async function paramRows(golden: Map<string, { data: Float32Array }>, label: string, m = model): Promise<ErrorRow[]> {
  const rows: ErrorRow[] = [];
  for (const [name, p] of m.namedParameters())
    rows.push(compare(`${label} ${name}`, await p.data(), golden.get(name)!.data, ATOL_PARAM, RTOL_PARAM));
  return rows;
}

describe('tiny DistilBERT vs Hugging Face', () => {
  it('loads cleanly: names and order are HF named_parameters()', () => {
    expect(model.loadingInfo).toEqual({ missingKeys: [], unexpectedKeys: [], mismatchedKeys: [] });
    const traj = readGoldenJson('tiny-distilbert/trajectory.json');
    const names = model.namedParameters().map(([n]) => n);
    expect(names.length).toBe(40);
    expect(names[4]).toBe('distilbert.transformer.layer.0.attention.q_lin.weight');
    expect(model.parameters().every((p, i) => p.name === names[i] && p.requiresGrad)).toBe(true);
    const groups = model.optimizerGroups(0.01);
    expect(groups.map((g) => g.weightDecay)).toEqual([0.01, 0]);
    expect(groups[0].params.map((p) => p.name)).toEqual(traj.decay_param_names);
    expect(groups[1].params.map((p) => p.name)).toEqual(traj.no_decay_param_names);
  });

  it('forward: logits, every hidden state, loss; backward: every gradient; clipping', async () => {
    const golden = readGoldenTensors('tiny-distilbert/forward.safetensors');
    await wt.tidyAsync(async () => {
      const out = model.forward(batch, { outputHiddenStates: true });
      const rows: ErrorRow[] = [compare('logits', await out.logits.data(), golden.get('logits')!.data, ATOL_ACT)];
      expect(out.hiddenStates!.length).toBe(3);
      for (let i = 0; i < 3; i++) {
        expect(out.hiddenStates![i].shape).toEqual([3, 16, 32]);
        rows.push(
          compare(
            `hidden_states.${i}`,
            await out.hiddenStates![i].data(),
            golden.get(`hidden_states.${i}`)!.data,
            ATOL_ACT,
          ),
        );
      }
      expect(out.loss!.shape).toEqual([]);
      rows.push(compare('loss', [await out.loss!.item()], [forwardJson.loss], ATOL_ACT));
      expect(report('tiny forward', rows)).toEqual([]);

      model.zeroGrad();
      wt.backward(out.loss!);
      const gradFailures = report(
        'tiny gradients',
        await gradRows(readGoldenTensors('tiny-distilbert/grads.safetensors'), 'grad'),
      );
      expect(gradFailures).toEqual([]);
      // padding_idx: row 0 of word_embeddings never gets a gradient.
      const wg = (await model.parameters()[0].grad!.data()) as Float32Array;
      expect(wg.subarray(0, 32).every((v) => v === 0)).toBe(true);

      // clip at 1.0 changes nothing (total 0.303); the returned norm is the pre-clip total.
      const normAndCoef = wt.clipGradNorm(model.parameters(), 1.0);
      const [total, coef] = await normAndCoef.array();
      const clipRows = [
        compare('clip_grad_norm total', [total], [forwardJson.clip_grad_norm_total_norm], ATOL_PARAM, RTOL_PARAM),
      ];
      expect(coef).toBe(1);
      clipRows.push(...(await gradRows(readGoldenTensors('tiny-distilbert/grads_clipped.safetensors'), 'clip1.0')));
      const c01 = wt.clipGradNorm(model.parameters(), 0.1);
      const [total01, coef01] = await c01.array();
      clipRows.push(
        compare(
          'clip0.1 total',
          [total01],
          [forwardJson['clip_maxnorm0.1_total_norm_returned']],
          ATOL_PARAM,
          RTOL_PARAM,
        ),
      );
      clipRows.push(compare('clip0.1 coef', [coef01], [forwardJson['clip_maxnorm0.1_coef']], ATOL_PARAM, RTOL_PARAM));
      clipRows.push(
        ...(await gradRows(readGoldenTensors('tiny-distilbert/grads_clipped_maxnorm0.1.safetensors'), 'clip0.1')),
      );
      expect(report('tiny clipped gradients', clipRows)).toEqual([]);
      model.zeroGrad();
    });
  });

  it('the same forward and every gradient through the fused (flash) attention kernels', async () => {
    const golden = readGoldenTensors('tiny-distilbert/forward.safetensors');
    await wt.withSettings({ attentionKernel: 'fused' }, async () => {
      expect(wt.attentionKernelFor(8)).toBe('fused'); // dim 32 / 4 heads
      await wt.tidyAsync(async () => {
        const out = model.forward(batch, { outputHiddenStates: true });
        const rows: ErrorRow[] = [
          compare('fused logits', await out.logits.data(), golden.get('logits')!.data, ATOL_ACT),
        ];
        for (let i = 0; i < 3; i++)
          rows.push(
            compare(
              `fused hidden_states.${i}`,
              await out.hiddenStates![i].data(),
              golden.get(`hidden_states.${i}`)!.data,
              ATOL_ACT,
            ),
          );
        rows.push(compare('fused loss', [await out.loss!.item()], [forwardJson.loss], ATOL_ACT));
        model.zeroGrad();
        wt.backward(out.loss!);
        rows.push(...(await gradRows(readGoldenTensors('tiny-distilbert/grads.safetensors'), 'fused grad')));
        expect(report('tiny, fused attention', rows)).toEqual([]);
        model.zeroGrad();
      });
    });
  });

  it("every submodule output (forward hooks in intermediates.safetensors), each layer fed HF's own input", async () => {
    const inter = readGoldenTensors('tiny-distilbert/intermediates.safetensors');
    const hidden = readGoldenTensors('tiny-distilbert/forward.safetensors');
    const rows: ErrorRow[] = [];
    await wt.tidyAsync(async () => {
      const out = wt.noGrad(() => {
        const r: Record<string, wt.Tensor> = {};
        const mask = wt.tensor(Int32Array.from(inputs.attention_mask.flat()), [3, 16]);
        const emb = model.distilbert.embeddings;
        const ids = wt.tensor(Int32Array.from(inputs.input_ids.flat()), [3, 16]);
        r['distilbert.embeddings.word_embeddings'] = emb.wordEmbeddings.forward(ids);
        r['distilbert.embeddings.position_embeddings'] = emb.positionEmbeddings.forward(
          wt.tensor(
            Int32Array.from({ length: 16 }, (_, i) => i),
            [16],
          ),
        );
        r['distilbert.embeddings.LayerNorm'] = emb.forward(ids);
        model.distilbert.layers.forEach((layer, l) => {
          const g = hidden.get(`hidden_states.${l}`)!;
          const x = wt.tensor(g.data, g.shape);
          const p = `distilbert.transformer.layer.${l}`;
          const a = layer.attention;
          r[`${p}.attention.q_lin`] = a.qLin.forward(x);
          r[`${p}.attention.k_lin`] = a.kLin.forward(x);
          r[`${p}.attention.v_lin`] = a.vLin.forward(x);
          const attn = (r[`${p}.attention.out_lin`] = a.forward(x, mask));
          const h = (r[`${p}.sa_layer_norm`] = layer.saLayerNorm.forward(wt.add(attn, x)));
          const lin1 = (r[`${p}.ffn.lin1`] = layer.ffn.lin1.forward(h));
          const act = (r[`${p}.ffn.activation`] = wt.gelu(lin1));
          const lin2 = (r[`${p}.ffn.lin2`] = layer.ffn.lin2.forward(act));
          r[`${p}.output_layer_norm`] = layer.outputLayerNorm.forward(wt.add(lin2, h));
        });
        const last = hidden.get('hidden_states.2')!;
        const cls = wt.narrow(wt.tensor(last.data, last.shape), 1, 0, 1).reshape([3, 32]);
        const pre = (r['pre_classifier'] = model.preClassifier.forward(cls));
        r['classifier'] = model.classifier.forward(wt.relu(pre));
        return r;
      });
      for (const [name, t] of Object.entries(out))
        rows.push(compare(name, await t.data(), inter.get(`${name}.output`)!.data, ATOL_ACT));
    });
    expect(rows.length).toBe(inter.size);
    expect(report('tiny submodule outputs', rows)).toEqual([]);
  });

  for (const maxGradNorm of [1.0, 0.1]) {
    it(`3-step AdamW trajectory (lr 1e-3 linear decay, wd 0.01 on the decay group, max_grad_norm ${maxGradNorm})`, async () => {
      const traj = readGoldenJson('tiny-distilbert/trajectory.json');
      const steps = maxGradNorm === 1 ? traj.steps : traj['variant_max_grad_norm_0.1'].steps;
      const m = await wt.DistilBertForSequenceClassification.fromPretrained(goldenPath('tiny-distilbert'));
      m.eval();
      const groups = m.optimizerGroups(0.01);
      const opt = new wt.AdamW(groups, { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8 });
      const rows: ErrorRow[] = [];
      for (let k = 1; k <= 3; k++) {
        const lr = (1e-3 * (3 - (k - 1))) / 3;
        const [loss, norm] = await wt.tidyAsync(async () => {
          const out = m.forward(batch);
          wt.backward(out.loss!);
          const nc = wt.clipGradNorm(m.parameters(), maxGradNorm);
          opt.stepWith(lr);
          return [await out.loss!.item(), (await nc.array())[0]];
        });
        m.zeroGrad();
        rows.push(compare(`step ${k} loss`, [loss], [steps[k - 1].loss], ATOL_ACT));
        rows.push(compare(`step ${k} grad norm`, [norm], [steps[k - 1].grad_norm_before_clip], ATOL_PARAM, RTOL_PARAM));
        if (k === 1 && maxGradNorm === 1) {
          rows.push(
            ...(await paramRows(readGoldenTensors('tiny-distilbert/params_after_step1.safetensors'), 'step1', m)),
          );
          const adam = readGoldenTensors('tiny-distilbert/adam_state_after_step1.safetensors');
          const ordered = groups.flatMap((g) => g.params);
          for (let i = 0; i < ordered.length; i++) {
            const { m: expAvg, v: expAvgSq } = opt.momentsOf(i);
            rows.push(
              compare(
                `exp_avg ${ordered[i].name}`,
                await expAvg.data(),
                adam.get(`${ordered[i].name}.exp_avg`)!.data,
                ATOL_PARAM,
                RTOL_PARAM,
              ),
            );
            rows.push(
              compare(
                `exp_avg_sq ${ordered[i].name}`,
                await expAvgSq.data(),
                adam.get(`${ordered[i].name}.exp_avg_sq`)!.data,
                1e-9,
                RTOL_PARAM,
              ),
            );
          }
        }
      }
      const file =
        maxGradNorm === 1 ? 'params_after_step3.safetensors' : 'params_after_step3_maxgradnorm0.1.safetensors';
      rows.push(...(await paramRows(readGoldenTensors(`tiny-distilbert/${file}`), 'step3', m)));
      expect(report(`tiny AdamW trajectory, max_grad_norm ${maxGradNorm}`, rows)).toEqual([]);
      opt.dispose();
      m.dispose();
    });
  }
});
