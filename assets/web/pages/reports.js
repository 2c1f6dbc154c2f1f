// 报表: a canteen's day (totals, by meal period, by tier or category, by payment) and month.

import { clear, field, h, table } from '../dom.js';
import { isoDate, isoMonth, paymentName, periodName, tierName } from '../format.js';
import { formatFen } from '../money.js';
import { alertBox, canteenSelect, section, tiles } from './common.js';

// Sales count every sale entry, the voided ones too, while the money is net of voids: the count
// says so, and what is left once voids are taken off.
const COUNT_HINT = '销售笔数含已作废的销售，有效笔数 = 销售笔数 − 作废；金额都已扣除作废。'
  + '作废计在作废的那一天，作废前几天的销售也从当天扣除。';

function totalsTiles(t) {
  const sales = t.sales ?? 0;
  const voids = t.voids ?? 0;
  const notes = voids ? [`含已作废 ${voids} 笔`, `有效笔数 ${sales - voids} 笔`] : null;
  return tiles([
    ['销售笔数', `${sales} 笔`, '', notes],
    ['作废', `${voids} 笔`, '', voids ? ['金额已扣除'] : null],
    ['原价合计', formatFen(t.gross ?? 0)],
    ['补贴合计', formatFen(t.subsidy ?? 0), 'ok'],
    ['自付合计', formatFen(t.self_pay ?? 0)],
  ]);
}

const MONEY_COLUMNS = [
  { title: '销售笔数', class: 'num', cell: (r) => r.sales ?? 0 },
  { title: '其中作废', class: 'num', cell: (r) => r.voids ?? 0 },
  { title: '有效笔数', class: 'num', cell: (r) => (r.sales ?? 0) - (r.voids ?? 0) },
  { title: '原价', class: 'num', cell: (r) => formatFen(r.gross ?? 0) },
  { title: '补贴', class: 'num', cell: (r) => formatFen(r.subsidy ?? 0) },
  { title: '自付', class: 'num', cell: (r) => formatFen(r.self_pay ?? 0) },
];

function breakdown(title, keyTitle, obj, name, id) {
  const rows = Object.entries(obj ?? {}).map(([key, t]) => ({ key, ...t }));
  if (!rows.length) return h('p', { class: 'empty' }, `${title}：没有数据`);
  return table([{ title: keyTitle, cell: (r) => name(r.key) }, ...MONEY_COLUMNS], rows, { caption: title, id });
}

export async function render(main, ctx) {
  const canteen = await canteenSelect(ctx, 'report-canteen');
  if (!ctx.current()) return;
  if (!canteen.options.length) {
    main.append(h('p', { class: 'empty' }, '还没有食堂。'));
    return;
  }
  const date = h('input', { type: 'date', id: 'report-date', value: isoDate(new Date()), required: true });
  const month = h('input', { type: 'month', id: 'report-month', value: isoMonth(new Date()), required: true });
  const dayOut = h('div', { id: 'day-report' });
  const monthOut = h('div', { id: 'month-report' });

  const showDay = async () => {
    clear(dayOut).append(h('p', { class: 'hint' }, '正在加载…'));
    let r;
    try {
      r = await ctx.api.get(`/reports/day?canteen=${encodeURIComponent(canteen.value)}&date=${encodeURIComponent(date.value)}`);
    } catch (err) {
      clear(dayOut).append(alertBox(err));
      return;
    }
    clear(dayOut).append(
      h('h3', null, `${canteen.selectedOptions[0]?.textContent ?? ''} ${r.date ?? date.value}`),
      totalsTiles(r),
      h('div', { class: 'split' },
        breakdown('按餐次', '餐次', r.by_period, periodName, 'report-by-period'),
        breakdown('按补贴档次或类别', '档次', r.by_tier, tierName, 'report-by-tier'),
        breakdown('按支付方式', '支付方式', r.by_payment, paymentName, 'report-by-payment')),
      h('p', { class: 'hint' }, '按中心已收到的销售记录统计；自助机未上传的销售不在其中。'),
      h('p', { class: 'hint' }, COUNT_HINT));
  };

  const showMonth = async () => {
    clear(monthOut).append(h('p', { class: 'hint' }, '正在加载…'));
    let r;
    try {
      r = await ctx.api.get(`/reports/month?canteen=${encodeURIComponent(canteen.value)}&month=${encodeURIComponent(month.value)}`);
    } catch (err) {
      clear(monthOut).append(alertBox(err));
      return;
    }
    const days = r.days ?? [];
    clear(monthOut).append(
      h('h3', null, `${canteen.selectedOptions[0]?.textContent ?? ''} ${r.month ?? month.value}`),
      totalsTiles(r.totals ?? {}),
      days.length
        ? table([{ title: '日期', cell: (d) => d.date }, ...MONEY_COLUMNS], days, { caption: '每日合计', id: 'report-days' })
        : h('p', { class: 'empty' }, '这个月没有销售记录。'),
      h('p', { class: 'hint' }, COUNT_HINT));
  };

  const dayForm = h('form', { class: 'row' }, field('日期', date), h('button', { type: 'submit', id: 'report-day-show' }, '查看日报'));
  dayForm.addEventListener('submit', (ev) => { ev.preventDefault(); showDay(); });
  const monthForm = h('form', { class: 'row' }, field('月份', month), h('button', { type: 'submit', id: 'report-month-show' }, '查看月报'));
  monthForm.addEventListener('submit', (ev) => { ev.preventDefault(); showMonth(); });
  canteen.addEventListener('change', () => { showDay(); showMonth(); });

  main.append(h('div', { class: 'row' }, field('食堂', canteen)),
    section('日报', dayForm, dayOut), section('月报', monthForm, monthOut));
  await Promise.all([showDay(), showMonth()]);
}
