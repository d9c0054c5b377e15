// Writes a gzip copy (name.gz) next to every compressible file in dist/, so the C++ server can
// send precompressed assets without compressing on each request.
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync, constants } from 'node:zlib';

const root = new URL('../dist/', import.meta.url).pathname;
const compressible = /\.(js|css|html|svg|json|txt|map)$/;
let total = 0;

function walk(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      walk(path);
    } else if (compressible.test(name)) {
      const gz = gzipSync(readFileSync(path), { level: constants.Z_BEST_COMPRESSION });
      writeFileSync(`${path}.gz`, gz);
      total += gz.length;
    }
  }
}

walk(root);
console.log(`compressed assets: ${(total / 1024).toFixed(1)} KB gzipped in total`);
