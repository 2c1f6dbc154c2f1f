// 结算: the monthly subsidy settlement for the civil-affairs bureau, as the hub's CSV.

import { field, h } from '../dom.js';
import { isoMonth } from '../format.js';
import { section } from './common.js';

function lastMonth() {
  const d = new Date();
  d.setDate(1);
  d.setMonth(d.getMonth() - 1);
  return isoMonth(d);
}

export function render(main, ctx) {
  const month = h('input', { type: 'month', id: 'settlement-month', value: lastMonth(), required: true });
  const link = h('a', { class: 'button primary', id: 'settlement-download' }, '下载结算表（CSV）');
  const update = () => {
    const m = /^\d{4}-\d{2}$/.test(month.value) ? month.value : lastMonth();
    link.href = ctx.api.url(`/settlement.csv?month=${encodeURIComponent(m)}`);
    link.setAttribute('download', `settlement-${m}.csv`);
  };
  month.addEventListener('input', update);
  update();
  main.append(section('月度补贴结算',
    h('p', null, '按食堂和出资方汇总一个月的原价、补贴和自付金额（元），最后一行为合计。'
      + '作废的销售计入作废当月。文件为 UTF-8 编码，可直接用 Excel 打开。'),
    h('div', { class: 'row' }, field('结算月份', month), link)));
}
