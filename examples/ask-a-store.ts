/**
 * Ask a question of a store made by `vidmem ingest` (or `vidmem demo`), streaming the answer
 * (the built-in grounded answerer, or the LLM VIDMEM_LLM_URL names):
 *
 *   npm run build && node dist/examples/ask-a-store.js vidmem-demo/store "When is there red on the left?"
 */
import { openVidmem } from '../src/index.js';

const [storeDir = 'vidmem-demo/store', question = 'When is there red on the left?'] = process.argv.slice(2);
const app = openVidmem(storeDir, { access: 'read' });
try {
  await new Promise<void>((resolve, reject) =>
    app.ask(question).subscribe({
      next: (event) => {
        if (event.type === 'selection') console.log(`${event.evidence.length} moments selected`);
        else process.stdout.write(event.text);
      },
      error: reject,
      complete: resolve,
    }),
  );
  process.stdout.write('\n');
} finally {
  await app.close();
}
