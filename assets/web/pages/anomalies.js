// 异常: what the hub noticed in what kiosks sent (chain breaks, gaps, double subsidies, skew).

import { h, table } from '../dom.js';
import { anomalyName, formatTime } from '../format.js';
import { alertBox, empty } from './common.js';

const SHOWN = 500; // newest first; older ones stay in the database
const SKEW_WARN_MINUTES = 2; // the hub raises clock_skew past ZC_SYNC_SKEW_WARN_MS (syncwire.h)
const QUARANTINED = '这条记录已隔离，不计入报表和结算。';

// The hub's detail is English for engineers; the people who must act read what the kind means,
// said with the anomaly's own fields. Each takes the anomaly and the canteen it concerns, by name.
const DESCRIBE = {
  double_subsidy: (a, where) => `${elder(a)}同一天同一餐次已在另一个食堂领过补贴，`
    + `${where}的${nth(a)}又给了补贴。请核实是否重复领取。`,
  unknown_elder: (a, where) => `${where}的${nth(a)}卖给了${elder(a)}，但名册里没有这位老人。请核实名册。`,
  bad_signature: (a) => `${nth(a)}记录的签名验证不通过，可能在传输中被改动。${QUARANTINED}`,
  broken_chain: (a) => `${nth(a)}记录与${device(a)}前后的记录接不上，可能有记录被改动或删除，`
    + `或自助机被重置过。${QUARANTINED}`,
  malformed: (a) => `${nth(a)}记录的内容格式不正确，无法读取。${QUARANTINED}`,
  wrong_device: (a) => `${device(a)}上传的${nth(a)}记录属于另一台自助机。${QUARANTINED}`,
  conflicting_duplicate: (a) => `${nth(a)}记录再次上传时内容与第一次不同，以第一次收到的为准。`
    + '请检查这台自助机。',
  clock_skew: (a) => `${device(a)}的时钟与中心相差超过 ${SKEW_WARN_MINUTES} 分钟。请校准它的时间。`,
  wrong_canteen: (a, where) => `${device(a)}登记在${where}，${nth(a)}却记在另一个食堂名下。`
    + '请检查这台自助机的食堂设置。',
};

function nth(a) {
  return Number.isInteger(a.seq) ? `第 ${a.seq} 笔` : '一笔';
}

function elder(a) {
  return Number.isInteger(a.elder_id) ? `编号 ${a.elder_id} 的老人` : '一位老人';
}

function device(a) {
  return a.device ? `自助机（${a.device}）` : '这台自助机';
}

// A kind this console does not know yet is shown by its name: still better than nothing.
function describe(a, canteenName) {
  const say = Object.prototype.hasOwnProperty.call(DESCRIBE, a.kind) ? DESCRIBE[a.kind] : null;
  const where = canteenName || (a.canteen ? `食堂（${a.canteen}）` : '该食堂');
  return say ? say(a, where) : String(a.kind ?? '');
}

// The canteens' names by code; a list that does not load leaves the codes on their own.
async function canteenNames(ctx) {
  try {
    return new Map((await ctx.canteens()).map((c) => [c.id, c.name]));
  } catch {
    return new Map();
  }
}

export async function render(main, ctx) {
  main.append(h('p', { class: 'lead' },
    '这里列出中心在收到的数据中发现的问题，最新的在前。每一条都需要有人核实。'));
  let res;
  let names;
  try {
    [res, names] = await Promise.all([ctx.api.get(`/anomalies?limit=${SHOWN}`), canteenNames(ctx)]);
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
    { title: '时间', class: 'nowrap', cell: (a) => formatTime(a.at_ms) },
    { title: '类型', cell: (a) => h('span', { class: 'badge warn kind', title: a.kind }, anomalyName(a.kind)) },
    { title: '详情', cell: (a) => [
      h('span', { class: 'anomaly-text' }, describe(a, names.get(a.canteen))),
      a.detail ? h('span', { class: 'anomaly-detail', lang: 'en' }, a.detail) : null] },
    { title: '设备', cell: (a) => (a.device ? h('code', { class: 'device' }, a.device) : '—') },
    { title: '序号', class: 'num', cell: (a) => (a.seq ?? '—') },
    { title: '食堂', class: 'nowrap', cell: (a) => a.canteen || '—' },
    { title: '食堂名称', cell: (a) => names.get(a.canteen) || '—' },
    { title: '老人编号', class: 'num', cell: (a) => (a.elder_id ?? '—') },
  ];
  const wrap = table(columns, list, { caption: `共 ${list.length} 条` });
  wrap.id = 'anomaly-list';
  main.append(wrap);
}
