// 注册码: a one-time code that enrols a new kiosk into a canteen, shown large as a QR for the
// kiosk's scanner, with the text for typing it in.

import { clear, field, h, messageBox, safeSvg, say } from '../dom.js';
import { formatTime } from '../format.js';
import { canteenSelect, errorText, section } from './common.js';

export async function render(main, ctx) {
  const select = await canteenSelect(ctx, 'enrol-canteen', (c) => ctx.can.enrol(c.id));
  if (!ctx.current()) return;
  if (!select.options.length) {
    main.append(h('p', { class: 'empty' }, '没有可以生成注册码的食堂。'));
    return;
  }
  const box = messageBox('enrol-message');
  const result = h('div', { id: 'enrol-result', class: 'enrol-result' });
  const create = h('button', { type: 'submit', class: 'primary', id: 'enrol-create' }, '生成注册码');
  const form = h('form', { class: 'row' }, field('食堂', select), create);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clear(result);
    say(box, 'info', '正在生成…');
    try {
      const r = await ctx.api.post('/enrol-codes', { canteen: select.value });
      say(box, '', '');
      const name = select.selectedOptions[0]?.textContent ?? select.value;
      result.append(
        safeSvg(r.qr_svg, `注册码 ${r.code} 的二维码`) ?? h('p', null, '（二维码无法显示，请手动输入注册码）'),
        h('p', { class: 'enrol-code', id: 'enrol-code' }, r.code),
        h('p', null, `用于：${name}。只能使用一次，${formatTime(r.expires_ms)} 前有效。`),
        h('p', { class: 'hint' }, '在自助机上进入“注册”，扫描此二维码或输入上面的注册码。'));
    } catch (err) {
      say(box, 'error', `没有生成注册码：${errorText(err)}`);
    }
  });
  main.append(section('为新的自助机生成注册码', form, box, result));
}
