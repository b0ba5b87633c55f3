// Parse each file named on the command line as ES5 (what TV engines run);
// print "file:line:column message" for each one that is not, and exit 1.
'use strict';
const fs = require('fs');
const acorn = require('acorn');

let failed = 0;
for (const file of process.argv.slice(2)) {
  try {
    acorn.parse(fs.readFileSync(file, 'utf8'), { ecmaVersion: 5, sourceType: 'script' });
  } catch (error) {
    failed += 1;
    const where = error.loc ? `${error.loc.line}:${error.loc.column}` : '?';
    console.log(`${file}:${where} ${error.message}`);
  }
}
process.exit(failed ? 1 : 0);
