// Headless Chromium for the browser tests, through playwright-core. `bash scripts/setup.sh` installs it from
// the distribution where it is missing; CHROMIUM_PATH (read by setup too) points at another build.
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

// WebGPU on Chromium's SwiftShader, asked for by name. Not `--enable-features=Vulkan --use-angle=swiftshader`: with
// those, Chromium 156.0.8078.108's GPU process crashed (SIGSEGV) after its first adapter on a Zen 5 host, and every
// later requestAdapter() returned null.
export const WEBGPU_ARGS = ['--enable-unsafe-webgpu', '--use-webgpu-adapter=swiftshader'];
const COMMON_ARGS = [
  '--no-sandbox',
  '--headless=new',
  '--disable-gpu-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
export const CHROMIUM_ARGS = [...WEBGPU_ARGS, ...COMMON_ARGS];

/**
 * Headless Chromium with WebGPU on SwiftShader, or (webgpu false) with WebGPU switched off; a missing browser is an
 * error that says how to install it.
 */
export async function launchChromium(webgpu = true): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`no Chromium at ${CHROMIUM_PATH}: run \`bash scripts/setup.sh\` (or set CHROMIUM_PATH)`);
  }
  const args = webgpu ? CHROMIUM_ARGS : [...COMMON_ARGS, '--disable-features=WebGPU'];
  return chromium.launch({ executablePath: CHROMIUM_PATH, args });
}
