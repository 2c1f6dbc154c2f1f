// What several pages share: choosing a canteen, showing a failed request, summary tiles.

import { h } from '../dom.js';

// A <select> of the canteens; only(c) keeps some (a canteen manager sees their own).
export async function canteenSelect(ctx, id, only) {
  const list = (await ctx.canteens()).filter((c) => !only || only(c));
  const select = h('select', { id, name: 'canteen' },
    list.map((c) => h('option', { value: c.id }, `${c.name}（${c.id}）`)));
  if (ctx.user.role === 'canteen' && ctx.user.canteen) select.value = ctx.user.canteen;
  return select;
}

export function errorText(err) {
  const line = err.body && Number.isInteger(err.body.line) ? `第 ${err.body.line} 行：` : '';
  return line + err.message;
}

export function alertBox(err) {
  return h('p', { class: 'message error', role: 'alert' }, errorText(err));
}

// A row of big numbers with their names: totals of a report, counts of an import. notes: small
// lines under the number that say what it holds.
export function tiles(items) {
  return h('dl', { class: 'tiles' },
    items.map(([name, value, cls, notes]) => h('div', { class: `tile ${cls ?? ''}` },
      h('dt', null, name), h('dd', null, value),
      (notes ?? []).map((note) => h('dd', { class: 'note' }, note)))));
}

export function section(title, ...children) {
  return h('section', { class: 'card' }, h('h2', null, title), children);
}

export function empty(text) {
  return h('p', { class: 'empty' }, text);
}
