// Prints every violation of the import rules in src/ (see scripts/architecture-rules.ts) and exits 1 when there is one.
// Run: node_modules/.bin/bun scripts/check-architecture.ts
import { join } from 'node:path';
import { checkArchitecture } from './architecture-rules';

const violations = checkArchitecture(join(import.meta.dir, '..', 'src'));
for (const violation of violations) console.error(`${violation.rule}: src/${violation.file}: ${violation.message}`);
console.log(
  violations.length === 0
    ? 'architecture: imports follow the rules, no cycles'
    : `architecture: ${violations.length} violation(s)`,
);
process.exit(violations.length === 0 ? 0 : 1);
