// Typed errors of the runtime, so callers can tell a missing adapter from a lost device from a bad kernel.

/** What to do without an adapter in Node (Dawn): a software Vulkan driver. */
export const NODE_ADAPTER_HINT =
  'On a machine without a GPU, install a software Vulkan driver. On Debian bookworm:\n' +
  '  echo "deb http://deb.debian.org/debian bookworm-backports main" | sudo tee /etc/apt/sources.list.d/backports.list\n' +
  '  sudo apt-get update && sudo apt-get install -y -t bookworm-backports mesa-vulkan-drivers libvulkan1\n' +
  "(bookworm's own Mesa 22.3 is too old for Dawn). On Debian trixie / Ubuntu 24.04+: sudo apt-get install mesa-vulkan-drivers libvulkan1.";

/** What to do without an adapter in a browser. */
export const BROWSER_ADAPTER_HINT =
  'Use a browser with WebGPU enabled: Chrome or Edge 113 or later (on Linux, enable chrome://flags/#enable-unsafe-webgpu), ' +
  'Safari 26, or Firefox 141 or later on Windows; the page must come from https:// or localhost.';

export class NoAdapterError extends Error {
  /** detail: what failed; hint: what the user can do about it (the entry point's, Node's by default). */
  constructor(
    readonly detail: string,
    hint = NODE_ADAPTER_HINT,
  ) {
    super(`webtune: no WebGPU adapter could be had (${detail}).\n${hint}`);
    this.name = 'NoAdapterError';
  }
}

export class DeviceLostError extends Error {
  constructor(
    readonly reason: string,
    message: string,
  ) {
    super(`webtune: the WebGPU device was lost (${reason}): ${message}`);
    this.name = 'DeviceLostError';
  }
}

export class KernelError extends Error {
  constructor(
    readonly kernel: string,
    message: string,
  ) {
    super(`webtune: WebGPU error in kernel "${kernel}": ${message}`);
    this.name = 'KernelError';
  }
}

export class BindingLimitError extends Error {
  constructor(what: string, bytes: number, limit: number) {
    super(
      `webtune: ${what} needs a ${bytes}-byte storage binding, over this adapter's maxStorageBufferBindingSize of ${limit} bytes; ` +
        'use a smaller batch or sequence length',
    );
    this.name = 'BindingLimitError';
  }
}
