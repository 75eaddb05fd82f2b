import { defineConfig } from 'vitest/config';

// The SDK is one IIFE (global OpenIDV) plus one stylesheet, with fixed file
// names so the Go binary can embed and serve them at /sdk/v1/.
export default defineConfig({
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2019',
    minify: true,
    sourcemap: false,
    reportCompressedSize: false,
    lib: {
      entry: 'src/index.ts',
      name: 'OpenIDV',
      formats: ['iife'],
      fileName: () => 'openidv.js',
      cssFileName: 'openidv',
    },
  },
  test: {
    environment: 'happy-dom',
    include: ['test/**/*.test.ts'],
  },
});
