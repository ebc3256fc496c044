// Exits 0 and prints the adapter when Dawn (the `webgpu` package) finds a WebGPU adapter here, 1 otherwise.
process.env.XDG_RUNTIME_DIR ??= '/tmp';
try {
  const { create, globals } = await import('webgpu');
  Object.assign(globalThis, globals);
  const gpu = create([]);
  const adapter = await gpu.requestAdapter();
  if (!adapter) {
    console.log('no WebGPU adapter');
    process.exit(1);
  }
  const i = adapter.info;
  console.log(`WebGPU adapter: ${[i.vendor, i.architecture, i.description].filter(Boolean).join(' ')}`);
  process.exit(0);
} catch (e) {
  console.log(`WebGPU unavailable: ${e.message}`);
  process.exit(1);
}
