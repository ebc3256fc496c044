// No ceremony: the async entry points start the WebGPU runtime themselves (no `await init()` first, as in
// transformers.js); init(options) is for choosing options, and different options after the start are an error.
// forward() takes HF's keyword arguments in its inputs object (camelCase), and an unknown key is an error.
// This file never calls init() before the entry points: each test file runs in a process of its own.
import { describe, expect, it } from 'vitest';
import * as wt from '../src/index.js';
import { compare, goldenPath, readGoldenJson, readGoldenTensors, report } from './distilbert.helpers.js';
import { goldenCollator, placeholderDataset, tinyModel } from './trainer.helpers.js';

const SMALL = goldenPath('small-distilbert-realvocab');
const pipelineGolden = readGoldenJson('small-distilbert-realvocab/pipeline.json');
const inputs = readGoldenJson('tiny-distilbert/inputs.json');
const batch = { inputIds: inputs.input_ids, attentionMask: inputs.attention_mask, labels: inputs.labels };

describe('the runtime starts itself', () => {
  it('before any start, a synchronous call says what to do', () => {
    expect(wt.hasRuntime()).toBe(false);
    expect(() =>
      wt.DistilBertForSequenceClassification.fromConfig({
        vocab_size: 30,
        dim: 8,
        n_layers: 1,
        n_heads: 2,
        hidden_dim: 16,
      }),
    ).toThrow(
      /not initialised: call `await init\(\)` first \(pipeline\(\), fromPretrained\(\) and the Trainer's train\/evaluate start it themselves/,
    );
  });

  it('a tokenizer needs no GPU; fromPretrained of a model starts the runtime', async () => {
    const tokenizer = await wt.BertTokenizer.fromPretrained(SMALL);
    expect(tokenizer.encode('Not bad at all.').inputIds.length).toBeGreaterThan(2);
    expect(wt.hasRuntime()).toBe(false);
    const model = await wt.DistilBertForSequenceClassification.fromPretrained(SMALL);
    expect(wt.hasRuntime()).toBe(true);
    model.dispose();
  });

  it('init() after the start: the same runtime; other options: an error naming both and the way out', async () => {
    const rt = wt.runtime();
    expect(await wt.init()).toBe(rt);
    expect(await wt.init({ powerPreference: 'high-performance', disableFeatures: [] })).toBe(rt); // the defaults
    await expect(wt.init({ powerPreference: 'low-power' })).rejects.toThrow(
      /init\(\{"powerPreference":"low-power"\}\): the WebGPU runtime already exists, created with \{\}.*shutdown\(\) first/,
    );
    await expect(wt.init({ disableFeatures: ['shader-f16'] })).rejects.toThrow(/already exists/);
    expect(wt.runtime()).toBe(rt);
  });

  it('after shutdown(), pipeline() starts it again (HF pipeline outputs); then init(options) chooses afresh', async () => {
    wt.shutdown();
    expect(wt.hasRuntime()).toBe(false);
    const classify = await wt.pipeline('sentiment-analysis', SMALL);
    expect(wt.hasRuntime()).toBe(true);
    const got = await classify(pipelineGolden.texts[0]);
    expect(got[0]!.label).toBe(pipelineGolden.default[0].label);
    expect(Math.abs(got[0]!.score - pipelineGolden.default[0].score)).toBeLessThan(1e-5);
    classify.dispose();
    wt.shutdown();
    const rt = await wt.init({ disableFeatures: ['shader-f16'] });
    expect(rt.features.has('shader-f16')).toBe(false);
    await expect(
      wt.DistilBertForSequenceClassification.fromPretrained(SMALL).then((m) => m.dispose()),
    ).resolves.toBeUndefined(); // no conflict
    wt.shutdown();
  });

  it("the Trainer's train and evaluate run with no init() anywhere", async () => {
    expect(wt.hasRuntime()).toBe(false);
    const model = await tinyModel(true);
    const args = new wt.TrainingArguments({
      outputDir: 'mem',
      maxSteps: 2,
      perDeviceTrainBatchSize: 3,
      evalStrategy: 'no',
      saveStrategy: 'no',
    });
    const trainer = new wt.Trainer({
      model,
      args,
      trainDataset: placeholderDataset(6),
      dataCollator: goldenCollator,
      store: new wt.MemoryCheckpointStore(),
    });
    const out = await trainer.train();
    expect(out.globalStep).toBe(2);
    expect(Number.isFinite(out.trainingLoss)).toBe(true);
    const metrics = await trainer.evaluate(placeholderDataset(3));
    expect(metrics.eval_accuracy).toBeGreaterThanOrEqual(0);
    trainer.dispose();
    model.dispose();
  });
});

describe('forward() takes HF keyword arguments in its inputs object', () => {
  it('outputHiddenStates: true in the inputs gives every hidden state (HF golden values)', async () => {
    const model = await tinyModel(false);
    model.eval();
    const golden = readGoldenTensors('tiny-distilbert/forward.safetensors');
    await wt.tidyAsync(async () => {
      const out = wt.noGrad(() =>
        model.forward({ ...batch, outputHiddenStates: true, outputAttentions: false, returnDict: true }),
      );
      expect(out.hiddenStates).toHaveLength(3);
      const rows = [compare('logits', await out.logits.data(), golden.get('logits')!.data, 1e-5)];
      for (let i = 0; i < 3; i++)
        rows.push(
          compare(
            `hidden_states.${i}`,
            await out.hiddenStates![i]!.data(),
            golden.get(`hidden_states.${i}`)!.data,
            1e-5,
          ),
        );
      expect(report('forward({ outputHiddenStates: true })', rows)).toEqual([]);
      expect(
        wt.noGrad(() => model.forward({ inputIds: batch.inputIds, attentionMask: batch.attentionMask })).hiddenStates,
      ).toBeUndefined();
    });
    model.dispose();
  });

  it('bad arguments fail before any GPU work, naming the key and listing the accepted ones', async () => {
    const model = await tinyModel(false);
    const accepted =
      'accepted: inputIds, attentionMask, labels, outputHiddenStates, outputAttentions, returnDict, skipPadding';
    const cases: [unknown, unknown, RegExp | string][] = [
      [
        { ...batch, outputHiddenState: true },
        undefined,
        `forward(inputs): unknown key "outputHiddenState"; ${accepted}`,
      ],
      [
        { input_ids: batch.inputIds, attention_mask: batch.attentionMask },
        undefined,
        /unknown keys "input_ids" \(did you mean "inputIds"\?\), "attention_mask" \(did you mean "attentionMask"\?\)/,
      ],
      [{ ...batch, headMask: [1, 1] }, undefined, /"headMask": head masks are not supported/],
      [
        { ...batch, outputHiddenStates: 'yes' },
        undefined,
        'forward(inputs): outputHiddenStates must be true or false, got string "yes"',
      ],
      [{ ...batch, outputAttentions: true }, undefined, /outputAttentions is not supported/],
      [{ ...batch, returnDict: false }, undefined, /returnDict: false is not supported/],
      [
        { ...batch, outputHiddenStates: true },
        { outputHiddenStates: false },
        'forward(): outputHiddenStates is given twice, as true and false',
      ],
      [
        batch,
        { outputHidenStates: true },
        /forward\(inputs, options\): unknown key "outputHidenStates"; accepted: outputHiddenStates/,
      ],
      [null, undefined, /forward\(inputs\): expected an object \{ inputIds, .* \}, got null/],
      [{}, undefined, 'forward(inputs): inputIds is required (int32 [batch, seq_len] token ids)'],
      [wt.tensor(Int32Array.of(1, 2), [1, 2], 'i32'), undefined, /expected an object .*, got Tensor/],
    ];
    const live = wt.Tensor.liveCount();
    for (const [x, options, message] of cases) {
      expect(() => model.forward(x as never, options as never), JSON.stringify(x)?.slice(0, 60)).toThrow(message);
    }
    expect(wt.Tensor.liveCount(), 'no tensor was made by the failing calls').toBe(live);
    (cases[cases.length - 1]![0] as wt.Tensor).dispose();
    model.dispose();
  });
});
