// 食堂: the canteens of the network, adding one, and each canteen's menu (view, upload CSV).

import { clear, field, h, messageBox, readTextFile, say, table } from '../dom.js';
import { periodsText } from '../format.js';
import { formatFen } from '../money.js';
import { alertBox, errorText, section } from './common.js';

const DEFAULT_ZONE = 'Asia/Shanghai';

function addForm(ctx, done) {
  const id = h('input', { id: 'canteen-id', required: true, pattern: '[A-Za-z0-9_\\-]{1,63}', autocomplete: 'off' });
  const name = h('input', { id: 'canteen-name', required: true });
  const region = h('input', { id: 'canteen-region', inputmode: 'numeric', pattern: '[0-9]*' });
  const zone = h('input', { id: 'canteen-zone', value: DEFAULT_ZONE, required: true });
  const box = messageBox('canteen-message');
  const form = h('form', { id: 'canteen-form', class: 'grid' },
    field('食堂编号', id, '字母、数字、- 或 _，如 C0107'), field('名称', name),
    field('地区代码', region, '如 320202，可不填'), field('时区', zone),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary', id: 'canteen-add' }, '添加食堂')),
    box);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    say(box, 'info', '正在添加…');
    try {
      const c = await ctx.api.post('/canteens', {
        id: id.value.trim(), name: name.value.trim(), region: region.value.trim(), timezone: zone.value.trim(),
      });
      say(box, 'ok', `已添加食堂：${c.name ?? name.value}（${c.id ?? id.value}）`);
      form.reset();
      ctx.forgetCanteens();
      done();
    } catch (err) {
      say(box, 'error', `添加失败：${errorText(err)}`);
    }
  });
  return section('添加食堂', form);
}

function menuPanel(ctx, list) {
  const select = h('select', { id: 'menu-canteen' },
    list.map((c) => h('option', { value: c.id }, `${c.name}（${c.id}）`)));
  if (ctx.user.role === 'canteen' && ctx.user.canteen) select.value = ctx.user.canteen;
  const holder = h('div', { id: 'menu-holder' });
  const box = messageBox('menu-message');
  const file = h('input', { type: 'file', id: 'menu-file', accept: '.csv,text/csv' });
  const upload = h('div', { class: 'upload' },
    h('p', { class: 'hint' }, '菜单 CSV（UTF-8，含表头）：code,name,price_fen,periods，价格单位为分，餐次用 | 分隔（breakfast|lunch|dinner，空为全天）。上传后整份替换该食堂的菜单。'),
    field('上传菜单文件', file));

  const show = async () => {
    clear(holder).append(h('p', { class: 'hint' }, '正在加载…'));
    upload.hidden = !ctx.can.editMenu(select.value);
    let menu;
    try {
      menu = await ctx.api.get(`/menus/${encodeURIComponent(select.value)}`);
    } catch (err) {
      clear(holder).append(alertBox(err));
      return;
    }
    clear(holder);
    const items = menu.items ?? [];
    if (!items.length) {
      holder.append(h('p', { class: 'empty' }, '这个食堂还没有菜单。'));
      return;
    }
    holder.append(table([
      { title: '编号', cell: (i) => h('code', null, i.code) },
      { title: '名称', cell: (i) => i.name },
      { title: '价格', class: 'num', cell: (i) => formatFen(i.price) },
      { title: '供应餐次', cell: (i) => periodsText(i.periods) },
    ], items, { id: 'menu-items', caption: `菜单第 ${menu.version} 版，共 ${items.length} 项` }));
  };

  file.addEventListener('change', async () => {
    if (!file.files.length) return;
    say(box, 'info', '正在上传…');
    try {
      const csv = await readTextFile(file.files[0]);
      const r = await ctx.api.post(`/menus/${encodeURIComponent(select.value)}`, { csv });
      say(box, 'ok', `菜单已更新：${r.rows} 项，第 ${r.version} 版。自助机下次同步时更新。`);
      await show();
    } catch (err) {
      say(box, 'error', `菜单没有更新：${errorText(err)}`);
    } finally {
      file.value = '';
    }
  });
  select.addEventListener('change', () => { say(box, '', ''); show(); });
  show();
  return section('菜单', field('食堂', select), upload, box, holder);
}

export async function render(main, ctx) {
  const body = h('div');
  const draw = async () => {
    let list;
    try {
      list = await ctx.canteens();
    } catch (err) {
      clear(body).append(alertBox(err));
      return;
    }
    if (!ctx.current()) return;
    clear(body);
    body.append(section('食堂列表', list.length
      ? table([
        { title: '编号', cell: (c) => h('code', null, c.id) },
        { title: '名称', cell: (c) => c.name },
        { title: '地区代码', cell: (c) => c.region || '—' },
        { title: '时区', cell: (c) => c.timezone || '—' },
        { title: '菜单版本', class: 'num', cell: (c) => (c.menu_version ? `第 ${c.menu_version} 版` : '无') },
      ], list, { id: 'canteen-list' })
      : h('p', { class: 'empty' }, '还没有食堂。')));
    if (list.length) body.append(menuPanel(ctx, list));
  };
  main.append(body);
  if (ctx.can.addCanteen) main.append(addForm(ctx, draw));
  await draw();
}
