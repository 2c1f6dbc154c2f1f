// 规则: the published subsidy rule sets, an editor that starts from the newest, the hub's check,
// a "what does this elder pay" preview under the edited rules, and publishing with a date.

import { clear, field, h, messageBox, readTextFile, say, table } from '../dom.js';
import {
  categoryName, formatTime, isoDate, periodName, zoneOffset,
} from '../format.js';
import { formatFen, parseYuan } from '../money.js';
import { alertBox, canteenSelect, errorText, section, tiles } from './common.js';

const DEFAULT_ZONE = 'Asia/Shanghai';
const DEFAULT_REGION = '320202';
const DEFAULT_BIRTH = '1946-05-01';
const DEFAULT_PRICE = '15.00';
const DEFAULT_MEAL_TIME = 'T12:00'; // a lunch, the meal most elders come for
const JSON_INDENT = 2;

function effectiveText(set) {
  if (typeof set.effective_from === 'string') return set.effective_from.replace('T', ' ');
  return formatTime(set.effective_from_ms);
}

// The editor's JSON, or null with the reason shown in box.
function parseEditor(textarea, box) {
  let rules;
  try {
    rules = JSON.parse(textarea.value);
  } catch (err) {
    say(box, 'error', `JSON 格式错误：${err.message}`);
    return null;
  }
  if (!rules || typeof rules !== 'object' || Array.isArray(rules)) {
    say(box, 'error', '规则必须是一个 JSON 对象（以 { 开头）');
    return null;
  }
  return rules;
}

function setsTable(sets, load) {
  const columns = [
    { title: '版本', class: 'num', cell: (s) => `第 ${s.version} 版` },
    { title: '生效时间', cell: effectiveText },
    { title: '发布时间', cell: (s) => formatTime(s.published_ms) },
    { title: '发布人', cell: (s) => s.published_by || '—' },
    { title: '', cell: (s) => h('button', { type: 'button', class: 'quiet', onclick: () => load(s) }, '载入编辑器') },
  ];
  return table(columns, sets, { id: 'rules-sets' });
}

function previewResult(q) {
  const reason = q.reason ? h('p', { class: 'message warn' }, `没有补贴的原因：${q.reason}`) : null;
  const lines = table([
    { title: '规则', cell: (l) => h('code', null, l.rule) },
    { title: '金额', class: 'num', cell: (l) => formatFen(l.amount) },
    { title: '说明', cell: (l) => l.note || '' },
  ], q.lines ?? [], { caption: '计算过程' });
  return h('div', { id: 'preview-result' },
    tiles([
      ['补贴', formatFen(q.subsidy), 'ok'],
      ['老人自付', formatFen(q.self_pay), 'big'],
      ['原价', formatFen(q.price)],
      ['折扣', formatFen(q.discount ?? 0)],
      ['餐次', periodName(q.period)],
    ]), reason, lines);
}

function previewForm(ctx, textarea, editorBox, canteens) {
  const birth = h('input', { type: 'date', id: 'pv-birth', value: DEFAULT_BIRTH, required: true });
  const region = h('input', { id: 'pv-region', value: DEFAULT_REGION, inputmode: 'numeric', required: true });
  const status = h('select', { id: 'pv-status' },
    h('option', { value: 'active' }, '正常'), h('option', { value: 'suspended' }, '暂停'));
  const registered = h('select', { id: 'pv-registered' },
    h('option', { value: 'yes' }, '在名册中'), h('option', { value: 'no' }, '不在名册中'));
  const price = h('input', { id: 'pv-price', value: DEFAULT_PRICE, inputmode: 'decimal', required: true });
  const at = h('input', { type: 'datetime-local', id: 'pv-at', value: isoDate(new Date()) + DEFAULT_MEAL_TIME, required: true });
  const cats = h('fieldset', { class: 'checks', id: 'pv-categories' }, h('legend', null, '类别'));
  const box = messageBox('preview-message');
  const out = h('div', { class: 'preview-out' });

  // The categories to tick are those the edited rules know.
  const refresh = () => {
    const ticked = new Set([...cats.querySelectorAll('input:checked')].map((i) => i.value));
    let ids = [];
    try {
      ids = Object.keys(JSON.parse(textarea.value).categories ?? {});
    } catch {
      ids = [...ticked];
    }
    clear(cats).append(h('legend', null, '类别（可多选）'));
    if (!ids.length) cats.append(h('span', { class: 'hint' }, '规则中没有类别'));
    for (const id of ids) {
      const input = h('input', { type: 'checkbox', value: id, id: `pv-cat-${id}`, checked: ticked.has(id) });
      cats.append(h('label', { class: 'check', for: input.id }, input, ` ${categoryName(id)}`));
    }
  };
  textarea.addEventListener('change', refresh);
  refresh();

  const form = h('form', { id: 'preview-form', class: 'grid' },
    field('出生日期', birth), field('户籍地区代码', region, '如 320202'),
    field('名册状态', status),
    field('是否登记', registered),
    cats, field('价格（元）', price, '如 15 或 12.50'), field('用餐时间', at),
    field('食堂', canteens),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary', id: 'pv-submit' }, '计算')),
    box);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clear(out);
    const rules = parseEditor(textarea, editorBox);
    if (!rules) {
      say(box, 'error', '编辑器中的规则有错误，请先修正');
      return;
    }
    const fen = parseYuan(price.value);
    if (!fen.ok) {
      say(box, 'error', `价格：${fen.message}`);
      price.focus();
      return;
    }
    if (!at.value || !birth.value) {
      say(box, 'error', '请填写出生日期和用餐时间');
      return;
    }
    const wall = at.value.length === '2026-01-01T12:00'.length ? `${at.value}:00` : at.value;
    const body = {
      rules,
      elder: {
        registered: registered.value === 'yes',
        birth_date: birth.value,
        region: region.value.trim(),
        categories: [...cats.querySelectorAll('input:checked')].map((i) => i.value),
        status: status.value,
      },
      price: fen.fen,
      at: wall + zoneOffset(rules.timezone || DEFAULT_ZONE, wall),
      canteen: canteens.value,
    };
    say(box, 'info', '正在计算…');
    try {
      const q = await ctx.api.post('/rules/preview', body);
      say(box, '', '');
      out.append(previewResult(q));
    } catch (err) {
      say(box, 'error', errorText(err));
    }
  });
  return h('div', null, h('p', { class: 'lead' }, '用编辑器中的规则算一算：这位老人在这顿饭付多少钱。不会保存任何东西。'), form, out);
}

function publishPanel(ctx, textarea, editorBox, reload) {
  const date = h('input', { type: 'date', id: 'rules-effective' });
  const box = messageBox('publish-message');
  const confirmArea = h('div', { class: 'confirm', id: 'publish-confirm-area', hidden: true });
  const publish = h('button', { type: 'button', class: 'primary', id: 'rules-publish' }, '发布…');

  publish.addEventListener('click', () => {
    const rules = parseEditor(textarea, editorBox);
    if (!rules) return;
    const when = date.value ? `${date.value} 零点` : `规则中写的 ${rules.effective_from ?? '（未写）'}`;
    clear(confirmArea).append(
      h('p', null, `确认发布第 ${rules.version ?? '?'} 版规则？生效时间：${when}。发布后所有自助机都会收到，无法撤回，只能再发布新版本。`),
      h('button', { type: 'button', class: 'primary', id: 'rules-publish-confirm', onclick: () => doPublish(rules) }, '确认发布'),
      h('button', { type: 'button', class: 'quiet', onclick: () => { confirmArea.hidden = true; } }, '取消'));
    confirmArea.hidden = false;
    say(box, '', '');
  });

  async function doPublish(rules) {
    confirmArea.hidden = true;
    const body = { rules };
    if (date.value) {
      const wall = `${date.value}T00:00:00`;
      body.effective_from = wall + zoneOffset(rules.timezone || DEFAULT_ZONE, wall);
    }
    say(box, 'info', '正在发布…');
    try {
      const res = await ctx.api.post('/rules/publish', body);
      const eff = typeof res.effective_from === 'string' ? res.effective_from : formatTime(res.effective_from_ms ?? res.effective_from);
      say(box, 'ok', `已发布第 ${res.version} 版规则，${eff} 起生效。`);
      reload();
    } catch (err) {
      say(box, 'error', `发布失败：${errorText(err)}`);
    }
  }

  return h('div', null,
    h('div', { class: 'row' }, field('生效日期（不填则按规则中的 effective_from）', date), publish),
    confirmArea, box);
}

export async function render(main, ctx) {
  let sets;
  try {
    sets = (await ctx.api.get('/rules')).sets ?? [];
  } catch (err) {
    main.append(alertBox(err));
    return;
  }
  if (!ctx.current()) return;
  const editable = ctx.can.editRules;
  const textarea = h('textarea', {
    id: 'rules-json', spellcheck: 'false', rows: 24, readOnly: !editable,
    'aria-describedby': 'rules-message',
  });
  const editorBox = messageBox('rules-message');
  const current = h('p', { class: 'hint', id: 'rules-source' });
  const load = (set) => {
    textarea.value = JSON.stringify(set.rules, null, JSON_INDENT);
    current.textContent = `编辑器中是第 ${set.version} 版（${effectiveText(set)} 起生效）。`
      + (editable ? '修改后请把 version 改大再发布。' : '');
    textarea.dispatchEvent(new Event('change'));
    say(editorBox, '', '');
  };

  const setsHolder = h('div', { id: 'rules-sets-holder' });
  const drawSets = () => clear(setsHolder).append(
    sets.length ? setsTable(sets, load) : h('p', { class: 'empty' }, '还没有发布过规则。'));
  drawSets();
  main.append(section('已发布的规则', setsHolder));

  const editorTools = [];
  if (editable) {
    const file = h('input', { type: 'file', id: 'rules-file', accept: '.json,application/json' });
    file.addEventListener('change', async () => {
      if (!file.files.length) return;
      try {
        textarea.value = await readTextFile(file.files[0]);
        current.textContent = `编辑器中是文件 ${file.files[0].name} 的内容。`;
        textarea.dispatchEvent(new Event('change'));
        say(editorBox, '', '');
      } catch (err) {
        say(editorBox, 'error', err.message);
      }
    });
    const check = h('button', { type: 'button', id: 'rules-check' }, '检查');
    check.addEventListener('click', async () => {
      const rules = parseEditor(textarea, editorBox);
      if (!rules) return;
      say(editorBox, 'info', '正在检查…');
      try {
        await ctx.api.post('/rules/check', { rules });
        say(editorBox, 'ok', `检查通过：第 ${rules.version} 版规则可以发布。`);
      } catch (err) {
        say(editorBox, 'error', `检查未通过：${errorText(err)}`);
      }
    });
    editorTools.push(h('div', { class: 'row' }, check, field('从文件载入', file)));
  }

  main.append(section(editable ? '编辑规则' : '规则内容',
    current,
    h('div', { class: 'editor' },
      h('div', { class: 'field grow' }, h('label', { for: textarea.id }, '规则（JSON）'), textarea),
      h('aside', { class: 'editor-side' }, editorTools, editorBox,
        h('p', { class: 'hint' }, '金额单位为分：200 即 2 元。年龄段不能重叠，版本号只能增大。')))));
  if (sets.length) load(sets[0]);
  else if (editable) current.textContent = '还没有已发布的规则：可以从文件载入一套规则（例如随软件提供的默认规则）。';

  if (editable) {
    const canteens = await canteenSelect(ctx, 'pv-canteen');
    if (!ctx.current()) return;
    main.append(section('这位老人付多少', previewForm(ctx, textarea, editorBox, canteens)));
    const reload = async () => {
      try {
        sets = (await ctx.api.get('/rules')).sets ?? [];
        if (ctx.current()) drawSets();
      } catch {
        // the list stays as it was; the publish message already said what happened
      }
    };
    main.append(section('发布', publishPanel(ctx, textarea, editorBox, reload)));
  }
}
