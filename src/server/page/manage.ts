/**
 * Changing what the store holds from the page, where the server can write it: a file ingested as
 * a job whose progress is shown as it runs, a camera watched by the server, a video removed, a
 * source's watching stopped.
 */
import { getEvents, sendJson } from './api.js';
import { el, showError } from './dom.js';
import { fileName } from './time.js';
import type { Job } from './types.js';

/** What the page does after a change: show the library as it now is. */
export type Refresh = () => Promise<void>;

function jobLine(job: Job): { line: HTMLElement; show: (job: Job) => void } {
  const bar = el('progress', { max: 1, value: 0, 'aria-label': `ingest of ${fileName(job.path)}` });
  const state = el('span', { class: 'muted' });
  const line = el('li', { class: 'job' }, el('span', { title: job.path }, fileName(job.path)), bar, state);
  const show = (j: Job) => {
    bar.value = j.progress;
    state.textContent = j.status === 'failed' ? '' : `${j.status} · ${j.clips} clips`;
    if (j.error) line.append(el('p', { class: 'error', role: 'alert' }, j.error));
  };
  show(job);
  return { line, show };
}

async function ingest(path: string, jobs: HTMLElement, refresh: Refresh): Promise<void> {
  const job = await sendJson<Job>('POST', '/api/ingest', { path });
  const { line, show } = jobLine(job);
  jobs.prepend(line);
  for await (const event of getEvents(`/api/jobs/${job.id}`)) show(event.data as Job);
  await refresh();
}

export function setUpManage(ingestForm: HTMLFormElement, watchForm: HTMLFormElement, jobs: HTMLElement, refresh: Refresh): void {
  ingestForm.addEventListener('submit', (event) => {
    event.preventDefault();
    const input = ingestForm.elements.namedItem('path') as HTMLInputElement;
    const path = input.value.trim();
    input.value = '';
    ingest(path, jobs, refresh).catch((err: unknown) => showError(err));
  });
  watchForm.addEventListener('submit', (event) => {
    event.preventDefault();
    const field = (name: string) => watchForm.elements.namedItem(name) as HTMLInputElement;
    const body = { name: field('name').value.trim(), url: field('url').value.trim(), realtime: field('realtime').checked };
    sendJson('POST', '/api/sources', body)
      .then(() => {
        watchForm.reset();
        return refresh();
      })
      .catch((err: unknown) => showError(err));
  });
}

/** A button that removes a stored video, once the person has said yes. */
export function removeButton(id: number, name: string, refresh: Refresh): HTMLElement {
  const button = el('button', { type: 'button', class: 'secondary small', 'aria-label': `remove ${name}` }, 'Remove');
  button.addEventListener('click', () => {
    if (!confirm(`Remove ${name} from the store, with its memories and keyframes? The file itself stays.`)) return;
    sendJson('DELETE', `/api/videos/${id}`).then(refresh, (err: unknown) => showError(err));
  });
  return button;
}

/** A button that stops the server watching a source; its open clips are stored first. */
export function stopButton(name: string, refresh: Refresh): HTMLElement {
  const button = el('button', { type: 'button', class: 'secondary small', 'aria-label': `stop watching ${name}` }, 'Stop');
  button.addEventListener('click', () => {
    button.setAttribute('disabled', '');
    sendJson('DELETE', `/api/sources/${encodeURIComponent(name)}/watch`).then(refresh, (err: unknown) => showError(err));
  });
  return button;
}
