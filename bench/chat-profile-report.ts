// Rewrites the per-phase reports of a profiled chat bench run from its saved profiles and windows (after changing the areas or pieces of work).
// Run: node_modules/.bin/bun bench/chat-profile-report.ts bench/out/profiles/<time>/run-1 [more folders]
import { readdirSync } from 'node:fs';
import { writeWindowReport } from './chat/profile-window';

const folders = process.argv.slice(2);
if (folders.length === 0) {
  console.error('usage: bun bench/chat-profile-report.ts <folder with *.cpuprofile and *.windows.json> ...');
  process.exit(2);
}
for (const folder of folders) {
  for (const file of readdirSync(folder).filter((name) => name.endsWith('.windows.json'))) {
    const name = file.slice(0, -'.windows.json'.length);
    writeWindowReport(folder, name);
    console.log(`${folder}/${name}.window.md`);
  }
}
