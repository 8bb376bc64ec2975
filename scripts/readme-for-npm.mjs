// Copies the README for the npm package: links relative to the repository (examples/, scripts/, …)
// become absolute GitHub URLs, since the tarball holds none of those files. Anchors (#…) and
// absolute URLs stay as they are. Usage: node scripts/readme-for-npm.mjs README.md pkg/README.md
import fs from 'node:fs';

const [from, to] = process.argv.slice(2);
const pkg = JSON.parse(fs.readFileSync(new URL('../pkg/package.json', import.meta.url), 'utf8'));
const repository = pkg.repository.url.replace(/^git\+/, '').replace(/\.git$/, '');

const text = fs.readFileSync(from, 'utf8').replace(/\]\((?![a-z][a-z0-9+.-]*:|#|\/)([^)\s]+)\)/gi, (_, target) => {
  const file = target.replace(/^\.\//, '');
  return `](${repository}/${file.endsWith('/') ? 'tree' : 'blob'}/HEAD/${file})`;
});
fs.writeFileSync(to, text);
