// 异常: what the hub noticed in what kiosks sent (chain breaks, gaps, double subsidies, skew).

import { h, table } from '../dom.js';
import { anomalyName, formatTime } from '../format.js';
import { alertBox, empty } from './common.js';

const SHOWN = 500; // newest first; older ones stay in the database

export async function render(main, ctx) {
  main.append(h('p', { class: 'lead' },
    '这里列出中心在收到的数据中发现的问题，最新的在前。每一条都需要有人核实。'));
  let res;
  try {
    res = await ctx.api.get(`/anomalies?limit=${SHOWN}`);
  } catch (err) {
    main.append(alertBox(err));
    return;
  }
  if (!ctx.current()) return;
  const list = res.anomalies ?? [];
  if (!list.length) {
    main.append(h('div', { id: 'anomaly-list' }, empty('没有异常记录。')));
    return;
  }
  const columns = [
    { title: '时间', cell: (a) => formatTime(a.at_ms) },
    { title: '类型', cell: (a) => h('span', { class: 'badge warn', title: a.kind }, anomalyName(a.kind)) },
    { title: '设备', cell: (a) => (a.device ? h('code', null, a.device) : '—') },
    { title: '序号', class: 'num', cell: (a) => (a.seq ?? '—') },
    { title: '食堂', cell: (a) => a.canteen || '—' },
    { title: '老人编号', class: 'num', cell: (a) => (a.elder_id ?? '—') },
    { title: '详情', cell: (a) => a.detail || '' },
  ];
  const wrap = table(columns, list, { caption: `共 ${list.length} 条` });
  wrap.id = 'anomaly-list';
  main.append(wrap);
}
