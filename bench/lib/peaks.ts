// Datasheet peaks of known adapters, for the benches' "% of peak" columns: dense f32 FMA throughput (CUDA cores),
// dense f16 matrix throughput with f32 accumulation (tensor cores: what the subgroup-matrix kernels use) and memory
// bandwidth. Matched on the adapter's description (Dawn's Vulkan names, e.g. "nvidia nvidia-h100-80gb-hbm3 …").
// Unknown adapters, lavapipe included (a CPU's peak depends on the host, not the driver), report no peak: the
// benches then print "unknown" and rely on the measured ceilings (the copy, the best matmul).
export interface Peaks {
  name: string;
  /** Dense float32 FMA, TFLOP/s (2 FLOPs per FMA). */
  f32Tflops: number;
  /** Dense float16 matrix multiply with float32 accumulation, TFLOP/s. */
  f16MatrixTflops: number;
  /** Memory bandwidth, GB/s (10^9 bytes). */
  memoryGBs: number;
  source: string;
}

const NVIDIA_H100 =
  'NVIDIA H100 Tensor Core GPU datasheet (nvidia.com/en-us/data-center/h100, 2023): sparse figures halved';
const NVIDIA_H200 =
  "NVIDIA H200 datasheet (nvidia.com/en-us/data-center/h200, 2024): the H100's compute, sparse figures halved";
const NVIDIA_A100 = 'NVIDIA A100 datasheet (nvidia.com/en-us/data-center/a100, 2021): dense figures';

/** Most specific first: a PCIe or NVL card before its SXM sibling. */
const KNOWN: [RegExp, Peaks][] = [
  [
    /h100[-\s]?pcie/i,
    { name: 'NVIDIA H100 PCIe', f32Tflops: 51, f16MatrixTflops: 756, memoryGBs: 2000, source: NVIDIA_H100 },
  ],
  [
    /h100[-\s]?nvl/i,
    { name: 'NVIDIA H100 NVL', f32Tflops: 60, f16MatrixTflops: 835, memoryGBs: 3900, source: NVIDIA_H100 },
  ],
  [/h100/i, { name: 'NVIDIA H100 SXM5', f32Tflops: 67, f16MatrixTflops: 989, memoryGBs: 3350, source: NVIDIA_H100 }],
  [
    /h200[-\s]?nvl/i,
    { name: 'NVIDIA H200 NVL', f32Tflops: 60, f16MatrixTflops: 835, memoryGBs: 4800, source: NVIDIA_H200 },
  ],
  [/h200/i, { name: 'NVIDIA H200 SXM', f32Tflops: 67, f16MatrixTflops: 989, memoryGBs: 4800, source: NVIDIA_H200 }],
  [
    /a100.*pcie.*40|a100.*40.*pcie/i,
    { name: 'NVIDIA A100 40GB PCIe', f32Tflops: 19.5, f16MatrixTflops: 312, memoryGBs: 1555, source: NVIDIA_A100 },
  ],
  [
    /a100.*pcie/i,
    { name: 'NVIDIA A100 80GB PCIe', f32Tflops: 19.5, f16MatrixTflops: 312, memoryGBs: 1935, source: NVIDIA_A100 },
  ],
  [
    /a100.*40/i,
    { name: 'NVIDIA A100 40GB SXM', f32Tflops: 19.5, f16MatrixTflops: 312, memoryGBs: 1555, source: NVIDIA_A100 },
  ],
  [
    /a100/i,
    { name: 'NVIDIA A100 80GB SXM', f32Tflops: 19.5, f16MatrixTflops: 312, memoryGBs: 2039, source: NVIDIA_A100 },
  ],
  [
    /\bl4\b|nvidia-l4\b/i,
    {
      name: 'NVIDIA L4',
      f32Tflops: 30.3,
      f16MatrixTflops: 121,
      memoryGBs: 300,
      source: 'NVIDIA L4 datasheet (2023): FP16 tensor 242 TFLOPS with sparsity, halved',
    },
  ],
  [
    /rtx[-\s]?4090/i,
    {
      name: 'NVIDIA GeForce RTX 4090',
      f32Tflops: 82.6,
      f16MatrixTflops: 165.2,
      memoryGBs: 1008,
      source:
        'NVIDIA Ada Lovelace architecture whitepaper v1.0 (2022), appendix A: FP16 tensor with FP32 accumulate, dense',
    },
  ],
];

/** The datasheet peaks of this adapter (by its description), or undefined where it is not in the table. */
export function knownPeaks(description: string): Peaks | undefined {
  return KNOWN.find(([re]) => re.test(description))?.[1];
}

/** A rate as a share of its peak: matmul GFLOP/s against f32 or f16-matrix TFLOP/s, memory GiB/s against GB/s. */
export function percentOfPeak(
  peaks: Peaks | undefined,
  kind: 'matmul' | 'memory',
  rate: number,
  half = false,
): number | undefined {
  if (!peaks) return undefined;
  if (kind === 'memory') return (100 * rate * 2 ** 30) / (peaks.memoryGBs * 1e9);
  return (100 * rate) / (1000 * (half ? peaks.f16MatrixTflops : peaks.f32Tflops));
}
