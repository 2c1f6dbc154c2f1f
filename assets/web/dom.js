// Building the page without innerHTML: text is always text, so nothing a client or the roster
// holds can become markup. The one exception, the QR SVG the hub draws, goes through safeSvg.

let idCounter = 0; // unique ids for label/input pairs; only ever grows

export function uid(prefix) {
  idCounter += 1;
  return `${prefix}-${idCounter}`;
}

// h('button', {class: 'primary', onclick: fn}, '发布') -> <button class="primary">发布</button>
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') {
      el.addEventListener(key.slice(2), value);
    } else if (key === 'class') {
      el.className = value;
    } else if (key === 'dataset') {
      Object.assign(el.dataset, value);
    } else if (key in el && typeof value !== 'string') {
      el[key] = value; // properties such as checked, disabled, value
    } else {
      el.setAttribute(key, value === true ? '' : String(value));
    }
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

export function clear(el) {
  while (el.firstChild) el.firstChild.remove();
  return el;
}

// A labelled input: the label names it for screen readers and a tap on it focuses it.
export function field(label, input, hint) {
  if (!input.id) input.id = uid('f');
  const hintEl = hint ? h('span', { class: 'hint', id: `${input.id}-hint` }, hint) : null;
  if (hintEl) input.setAttribute('aria-describedby', hintEl.id);
  return h('div', { class: 'field' }, h('label', { for: input.id }, label), input, hintEl);
}

// A message region: screen readers announce what is put in it.
export function messageBox(id) {
  return h('div', { class: 'message', id, role: 'status', 'aria-live': 'polite' });
}

export function say(box, kind, text) {
  clear(box);
  box.className = `message ${kind}`;
  if (text) box.append(text);
}

// columns: [{title, cell: (row) => Node|string, class}]
export function table(columns, rows, attrs) {
  const head = h('tr', null, columns.map((c) => h('th', { scope: 'col', class: c.class }, c.title)));
  const body = rows.map((row) =>
    h('tr', { class: attrs?.rowClass ? attrs.rowClass(row) : null },
      columns.map((c) => h('td', { class: c.class, 'data-label': c.title }, c.cell(row)))));
  return h('div', { class: 'table-wrap' },
    h('table', { class: attrs?.class ?? 'data', id: attrs?.id },
      attrs?.caption ? h('caption', null, attrs.caption) : null,
      h('thead', null, head), h('tbody', null, body)));
}

const SVG_NS = 'http://www.w3.org/2000/svg';
const SVG_ALLOWED = new Set(['svg', 'g', 'path', 'rect', 'title', 'desc']);
const ATTR_ALLOWED = new Set([
  'viewBox', 'width', 'height', 'x', 'y', 'd', 'fill', 'stroke', 'stroke-width', 'transform',
  'shape-rendering', 'xmlns', 'version', 'preserveAspectRatio', 'class',
]);

function copySvg(node) {
  const name = node.localName;
  if (!SVG_ALLOWED.has(name)) return null;
  const out = document.createElementNS(SVG_NS, name);
  for (const attr of node.attributes) {
    if (ATTR_ALLOWED.has(attr.name)) out.setAttribute(attr.name, attr.value);
  }
  for (const child of node.childNodes) {
    if (child.nodeType === Node.TEXT_NODE && (name === 'title' || name === 'desc')) {
      out.append(child.textContent);
    } else if (child.nodeType === Node.ELEMENT_NODE) {
      const copy = copySvg(child);
      if (copy) out.append(copy);
    }
  }
  return out;
}

// The hub's QR SVG, rebuilt from an allow-list of shapes (no scripts, links or styles), sized by
// CSS. Something that does not parse gives null.
export function safeSvg(text, label) {
  if (typeof text !== 'string' || text === '') return null;
  const doc = new DOMParser().parseFromString(text, 'image/svg+xml');
  const root = doc.documentElement;
  if (!root || root.localName !== 'svg' || doc.getElementsByTagName('parsererror').length) return null;
  const svg = copySvg(root);
  if (!svg.getAttribute('viewBox')) {
    const w = parseFloat(root.getAttribute('width'));
    const hgt = parseFloat(root.getAttribute('height'));
    if (w > 0 && hgt > 0) svg.setAttribute('viewBox', `0 0 ${w} ${hgt}`);
  }
  svg.removeAttribute('width');
  svg.removeAttribute('height');
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', label);
  svg.classList.add('qr');
  return svg;
}

// Reads a file the person picked (UTF-8 text); rejects with a message in Chinese.
export function readTextFile(file) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).replace(/^\uFEFF/, ''));
    reader.onerror = () => reject(new Error(`无法读取文件 ${file.name}`));
    reader.readAsText(file, 'utf-8');
  });
}
