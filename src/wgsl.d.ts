// .wgsl files are inlined as strings at build time (esbuild `text` loader; the vitest plugin in vitest.config.ts).
declare module '*.wgsl' {
  const source: string;
  export default source;
}
