// 名册: upload the elder roster CSV (preview what changes, then import), search the roster,
// issue QR tokens and open the printable page of QR cards.

import { clear, field, h, messageBox, readTextFile, say, table } from '../dom.js';
import { categoriesText, statusName } from '../format.js';
import { alertBox, errorText, section, tiles } from './common.js';

const PAGE_SIZE = 50;
const CHANGES = { added: '新增', updated: '更新', unchanged: '不变', removed: '删除' };

function importPanel(ctx, afterImport) {
  const file = h('input', { type: 'file', id: 'roster-file', accept: '.csv,text/csv' });
  const box = messageBox('roster-import-message');
  const result = h('div', { id: 'roster-preview-result' });
  let csv = null;

  const showPreview = (p, name) => {
    const samples = (p.samples ?? []).length
      ? table([
        { title: '行号', class: 'num', cell: (s) => s.line },
        { title: '姓名', cell: (s) => s.name },
        { title: '变化', cell: (s) => CHANGES[s.change] ?? s.change },
      ], p.samples, { caption: '将要改变的部分行（示例）', id: 'roster-samples' })
      : null;
    const confirm = h('button', { type: 'button', class: 'primary', id: 'roster-import' }, '确认导入');
    const cancel = h('button', { type: 'button', class: 'quiet' }, '取消');
    cancel.addEventListener('click', () => {
      csv = null;
      file.value = '';
      clear(result);
      say(box, '', '');
    });
    confirm.addEventListener('click', async () => {
      confirm.disabled = true;
      say(box, 'info', '正在导入…');
      try {
        const r = await ctx.api.post('/roster/import', { csv });
        clear(result);
        file.value = '';
        say(box, 'ok', `已导入 ${r.rows} 行：新增 ${r.added} 人，更新 ${r.updated} 人，不变 ${r.unchanged} 人。`
          + (r.version ? `名册现为第 ${r.version} 版，自助机下次同步时更新。` : ''));
        afterImport();
      } catch (err) {
        confirm.disabled = false;
        say(box, 'error', `导入失败，名册没有任何改动。${errorText(err)}`);
      }
    });
    clear(result).append(
      h('p', null, `文件 ${name} 共 ${p.rows} 行。导入后：`),
      tiles([
        ['新增', `${p.added} 人`, p.added ? 'ok' : ''],
        ['更新', `${p.updated} 人`],
        ['不变', `${p.unchanged} 人`],
        ['删除', `${p.removed ?? 0} 人`],
      ]),
      samples,
      h('div', { class: 'actions' }, confirm, cancel));
  };

  file.addEventListener('change', async () => {
    clear(result);
    csv = null;
    if (!file.files.length) return;
    const picked = file.files[0];
    say(box, 'info', '正在检查文件…');
    try {
      csv = await readTextFile(picked);
      const p = await ctx.api.post('/roster/preview', { csv });
      say(box, '', '');
      showPreview(p, picked.name);
    } catch (err) {
      csv = null;
      const what = err.status === 400 ? '文件有错误，没有导入' : '没有导入';
      say(box, 'error', `${what}：${errorText(err)}`);
    }
  });

  return section('导入名册',
    h('p', null, '选择名册 CSV 文件（UTF-8，含表头：身份证号、姓名、出生日期、地区、类别、状态、二维码、卡号）。'
      + '先预览变化，确认后才会导入；文件有错时什么都不会改。身份证号只以加密摘要保存。'
      + '二维码、卡号两列留空时，老人已有的二维码和卡号保持不变，每月重新导入不会作废已打印的卡片；'
      + '填写了则改为文件中的值。要作废某位老人的二维码卡，请在下方列表中选中该老人并点“为选中的老人发码”，旧码随即失效。'),
    field('名册文件', file), box, result);
}

export async function render(main, ctx) {
  const admin = ctx.can.editRoster;
  const listHolder = h('div', { id: 'roster-list-holder' });
  const q = h('input', { type: 'search', id: 'roster-q', placeholder: '姓名或编号' });
  const actionsBox = messageBox('roster-action-message');
  const state = { offset: 0, elders: [] };
  const selected = new Set();

  const load = async () => {
    clear(listHolder).append(h('p', { class: 'hint' }, '正在加载…'));
    let res;
    try {
      const query = `q=${encodeURIComponent(q.value.trim())}&offset=${state.offset}&limit=${PAGE_SIZE}`;
      res = await ctx.api.get(`/roster?${query}`);
    } catch (err) {
      clear(listHolder).append(alertBox(err));
      return;
    }
    if (!ctx.current()) return;
    state.elders = res.elders ?? [];
    draw(res.total ?? state.elders.length);
  };

  const draw = (total) => {
    clear(listHolder);
    if (!state.elders.length) {
      listHolder.append(h('p', { class: 'empty' }, q.value.trim() ? '没有找到符合条件的老人。' : '名册是空的。'));
      return;
    }
    const columns = [];
    if (admin) {
      columns.push({
        title: '选择',
        cell: (e) => h('input', {
          type: 'checkbox', checked: selected.has(e.id), 'aria-label': `选择 ${e.name}`,
          class: 'pick', onchange: (ev) => { if (ev.target.checked) selected.add(e.id); else selected.delete(e.id); },
        }),
      });
    }
    columns.push(
      { title: '编号', class: 'num', cell: (e) => e.id },
      { title: '姓名', cell: (e) => e.name },
      { title: '出生日期', cell: (e) => e.birth_date || '—' },
      { title: '地区', cell: (e) => e.region || '—' },
      { title: '类别', cell: (e) => categoriesText(e.categories) },
      { title: '状态', cell: (e) => h('span', { class: e.status === 'active' ? 'badge ok' : 'badge warn' }, statusName(e.status)) },
      { title: '二维码', cell: (e) => (e.has_qr ? '有' : '无') },
      { title: '卡', cell: (e) => (e.has_card ? '有' : '无') },
    );
    const last = Math.min(state.offset + state.elders.length, total);
    const prev = h('button', { type: 'button', class: 'quiet', disabled: state.offset === 0 }, '上一页');
    const next = h('button', { type: 'button', class: 'quiet', disabled: last >= total }, '下一页');
    prev.addEventListener('click', () => { state.offset = Math.max(0, state.offset - PAGE_SIZE); load(); });
    next.addEventListener('click', () => { state.offset += PAGE_SIZE; load(); });
    listHolder.append(
      table(columns, state.elders, { id: 'roster-list', caption: `共 ${total} 人，第 ${state.offset + 1}–${last} 人` }),
      h('div', { class: 'row pager' }, prev, next));
  };

  const search = h('form', { class: 'row', role: 'search', id: 'roster-search' },
    field('查找老人', q), h('button', { type: 'submit' }, '搜索'));
  search.addEventListener('submit', (ev) => {
    ev.preventDefault();
    state.offset = 0;
    load();
  });

  if (admin) main.append(importPanel(ctx, () => { state.offset = 0; load(); }));

  const tools = [];
  if (admin) {
    const issue = async (body, what) => {
      say(actionsBox, 'info', '正在发码…');
      try {
        const r = await ctx.api.post('/roster/qr', body);
        say(actionsBox, 'ok', `已为 ${r.issued} 位${what}发放二维码。旧的二维码（如有）已作废。`);
        load();
      } catch (err) {
        say(actionsBox, 'error', errorText(err));
      }
    };
    const issueSelected = h('button', { type: 'button', id: 'roster-qr-selected' }, '为选中的老人发码');
    issueSelected.addEventListener('click', () => {
      if (!selected.size) {
        say(actionsBox, 'error', '请先在名单中勾选老人');
        return;
      }
      issue({ ids: [...selected] }, '选中的老人');
    });
    const issueAll = h('button', { type: 'button', id: 'roster-qr-all' }, '为所有还没有二维码的老人发码');
    issueAll.addEventListener('click', () => issue({ all_without: true }, '老人'));
    const selectPage = h('button', { type: 'button', class: 'quiet', id: 'roster-select-page' }, '全选本页');
    selectPage.addEventListener('click', () => {
      for (const e of state.elders) selected.add(e.id);
      for (const box of listHolder.querySelectorAll('input.pick')) box.checked = true;
    });
    const print = h('button', { type: 'button', id: 'roster-print' }, '打印选中老人的二维码卡片');
    print.addEventListener('click', () => {
      if (!selected.size) {
        say(actionsBox, 'error', '请先在名单中勾选要打印的老人');
        return;
      }
      location.hash = `#/cards?ids=${[...selected].join(',')}`;
    });
    tools.push(h('div', { class: 'row actions' }, selectPage, issueSelected, issueAll, print), actionsBox);
  }

  main.append(section('老人名单', search, tools, listHolder));
  await load();
}
