import { Command } from 'commander';

async function doctor(flags: { json: boolean }): Promise<void> {
  const [{ doctorReport }, { cliConfig }] = await Promise.all([import('../../../pipelines/doctor.js'), import('../app.js')]);
  const r = await doctorReport(cliConfig());
  if (flags.json) {
    process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
    return;
  }
  const providers = r.executionProviders
    .map((p) => `${p.name.padEnd(9)} ${p.works ? 'works' : `unavailable: ${p.reason}${p.hint ? ` (${p.hint})` : ''}`}`)
    .join('\n              ');
  const lines = [
    `vidmem        ${r.vidmem} on Node ${r.node}`,
    `ffmpeg        ${r.ffmpeg.version}`,
    `              ${r.ffmpeg.path} (${r.ffmpeg.origin === 'env' ? 'from VIDMEM_FFMPEG' : 'npm package @ffmpeg-installer/ffmpeg'})`,
    `onnxruntime   onnxruntime-node ${r.onnxruntime}`,
    `providers     ${providers}`,
    `sqlite        ${r.sqlite} (better-sqlite3 ${r.betterSqlite3})`,
    `hnswlib       hnswlib-node ${r.hnswlib}`,
    `model cache   ${r.modelCache}`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

export function doctorCommand(): Command {
  return new Command('doctor')
    .option('--json', 'print the report as JSON', false)
    .action(doctor);
}
