/**
 * Ask a question of a store made by `vidmem ingest` (or `vidmem demo`), streaming the built-in
 * grounded answer:
 *
 *   npm run build && node dist/examples/ask-a-store.js vidmem-demo/store "When is there red on the left?"
 */
import { lastValueFrom, tap } from 'rxjs';
import { answerQuestion, GroundedAnswerer, MemoryStore, openTextEncoder, resolveModel } from '../src/index.js';

const [storeDir = 'vidmem-demo/store', question = 'When is there red on the left?'] = process.argv.slice(2);
const store = MemoryStore.open(storeDir, { create: false, readonly: true });
try {
  const recorded = store.model();
  if (!recorded) throw new Error(`${storeDir} has no videos yet`);
  const model = await resolveModel(recorded.name);
  const text = await openTextEncoder(model.folder, { name: model.name });
  try {
    await lastValueFrom(
      answerQuestion(question, { store, text, decoder: new GroundedAnswerer() }).pipe(
        tap((event) => {
          if (event.type === 'selection') console.log(`${event.evidence.length} moments selected`);
          else process.stdout.write(event.text);
        }),
      ),
    );
    process.stdout.write('\n');
  } finally {
    await text.dispose();
  }
} finally {
  store.close();
}
