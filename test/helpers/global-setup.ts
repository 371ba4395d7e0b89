import { execFileSync } from 'node:child_process';

/** CLI tests run the built `bin/vidmem.js`, so the build must match the sources under test; the web page's tests need the page. */
export default function setup(): void {
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
  execFileSync('npm', ['run', 'build:page', '--silent'], { stdio: 'inherit' });
}
