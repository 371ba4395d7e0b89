/** Elements built from data: text is always set as text, never parsed as HTML. */

type Child = Node | string | null | undefined | false;

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Partial<Record<string, string | number | boolean>> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (value === undefined || value === false) continue;
    node.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children) if (child) node.append(child);
  return node;
}

export function byId<T extends HTMLElement>(id: string): T {
  const node = document.getElementById(id);
  if (!node) throw new Error(`the page has no #${id}`);
  return node as T;
}

/** Says what went wrong where the person is looking, and in the one status line. */
export function showError(err: unknown, where?: HTMLElement): void {
  const message = err instanceof Error ? err.message : String(err);
  byId('status').textContent = message;
  where?.replaceChildren(el('p', { class: 'error', role: 'alert' }, message));
}
