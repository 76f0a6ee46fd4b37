import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

// In production the gateway serves dist/ on the API's origin. In development the dev and preview
// servers forward the API paths to a running gateway so the client can keep using relative URLs.
const api = process.env.HATONGSU_API ?? 'http://127.0.0.1:4000'; // make run's gateway
const proxy = Object.fromEntries(
  ['/auth', '/user', '/album', '/file', '/files', '/health'].map((path) => [
    `^${path}(/|\\?|$)`,
    { target: api, changeOrigin: false },
  ]),
);

export default defineConfig({
  plugins: [svelte()],
  server: { proxy },
  preview: { proxy },
  build: { outDir: 'dist', assetsDir: 'assets' },
});
