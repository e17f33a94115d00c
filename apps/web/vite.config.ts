// The agent app is built once into dist/ and served by the Guichet server (no dev server needed).
// JSX goes through Vite's own esbuild transform, so no Babel-based React plugin is installed.
import { defineConfig } from 'vite';

export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  esbuild: { jsx: 'automatic' },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    chunkSizeWarningLimit: 600,
  },
  logLevel: 'warn',
});
