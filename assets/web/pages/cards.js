// The printable page of elder QR cards: masked name and QR, sized like a bank card (85.6 x 54 mm)
// so ten fit on an A4 sheet; the navigation and buttons are not printed (console.css @media print).

import { h, safeSvg } from '../dom.js';
import { maskName } from '../format.js';
import { alertBox, empty } from './common.js';

const LONG_NAME = 4; // characters; longer names (e.g. 古丽米热·艾买提) get a smaller size to fit

export async function render(main, ctx, params) {
  const ids = (params.get('ids') ?? '').split(',').filter((s) => /^\d+$/.test(s));
  const back = h('a', { href: '#/roster', class: 'button quiet' }, '返回名册');
  if (!ids.length) {
    main.append(empty('没有选择老人。请在名册中勾选后再打印。'), back);
    return;
  }
  let res;
  try {
    res = await ctx.api.get(`/roster/cards?ids=${ids.join(',')}`);
  } catch (err) {
    main.append(alertBox(err), back);
    return;
  }
  if (!ctx.current()) return;
  const list = res.cards ?? [];
  const print = h('button', { type: 'button', class: 'primary', id: 'cards-print', onclick: () => window.print() }, '打印');
  const missing = ids.length - list.length;
  main.append(h('div', { class: 'row no-print' }, print, back,
    h('span', { class: 'hint' }, `共 ${list.length} 张卡片。`
      + (missing > 0 ? `另有 ${missing} 位老人还没有二维码，请先发码。` : '')
      + '请用 A4 纸、100% 比例打印。')));
  if (!list.length) return;
  main.append(h('div', { class: 'cards', id: 'cards' }, list.map((c) => {
    const masked = maskName(c.name);
    const qr = safeQr(c, masked);
    return h('article', { class: 'elder-card' },
      h('div', { class: 'elder-card-text' },
        h('p', { class: 'card-title' }, '助餐卡'),
        h('p', { class: Array.from(masked).length > LONG_NAME ? 'card-name long' : 'card-name' }, masked),
        h('p', { class: 'card-note' }, '用餐时请出示此码')),
      qr);
  })));
}

function safeQr(card, masked) {
  return safeSvg(card.qr_svg, `${masked}的助餐二维码`)
    ?? h('p', { class: 'card-note' }, '（二维码无法显示）');
}
