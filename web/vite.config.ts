import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// Built by scripts/setup.sh into web/dist; the API process serves it at / (src/api/console.ts).
export default defineConfig({
  root: __dirname,
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 1500 },
  server: { proxy: { '/api': 'http://127.0.0.1:3000' } },
});
