// Builds the dashboard into dashboard/dist, which the runtime's hub serves on its own port (next to
// `/ws`, `/api/*` and `/metrics`). `npm run dev:dashboard` serves it with hot reload and proxies the
// hub's paths to a running `flowc run` (FLOWC_HUB, http://127.0.0.1:8080 by default).
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));
const hub = process.env.FLOWC_HUB ?? 'http://127.0.0.1:8080';
const hubOrigin = new URL(hub).origin;

/**
 * The hub refuses `/ws` and `/api/*` to pages of another origin (runtime/src/hub/access.ts), and the
 * dev server's page is one (localhost:5173): the proxy presents the hub's own origin instead. The
 * dev server listens on localhost only.
 */
const asHub = {
  target: hub,
  changeOrigin: true,
  configure(proxy: { on(event: 'proxyReq' | 'proxyReqWs', listener: (req: { setHeader(name: string, value: string): void; getHeader(name: string): unknown }) => void): unknown }) {
    const rewrite = (req: { setHeader(name: string, value: string): void; getHeader(name: string): unknown }): void => {
      if (req.getHeader('origin') !== undefined) req.setHeader('origin', hubOrigin);
    };
    proxy.on('proxyReq', rewrite);
    proxy.on('proxyReqWs', rewrite);
  },
};

export default defineConfig({
  root,
  base: './',
  plugins: [svelte({ configFile: false })],
  clearScreen: false,
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    reportCompressedSize: false,
    chunkSizeWarningLimit: 800,
  },
  server: {
    proxy: {
      '/ws': { ...asHub, ws: true },
      '/api': asHub,
      '/metrics': asHub,
      '/healthz': asHub,
    },
  },
});
