// 总览: every kiosk at a glance, those that need someone's attention first and highlighted.

import { h, table } from '../dom.js';
import { formatAgo, formatSkew, formatTime } from '../format.js';
import { alertBox, empty, tiles } from './common.js';

const STALE_MS = 60 * 60 * 1000; // a kiosk unheard for an hour may be off or offline
const SKEW_WARN_MS = 2 * 60 * 1000; // DESIGN.md: staff warned on clock skew > 2 min

function problems(k, now) {
  const out = [];
  if (!k.last_seen_ms || now - k.last_seen_ms > STALE_MS) out.push('超过 1 小时未联系');
  if (Math.abs(k.clock_skew_ms ?? 0) > SKEW_WARN_MS) out.push('时钟偏差超过 2 分钟');
  if ((k.faults ?? []).length) out.push('设备故障');
  return out;
}

export async function render(main, ctx) {
  let res;
  let names;
  try {
    [res, names] = await Promise.all([ctx.api.get('/kiosks'), ctx.canteens()]);
  } catch (err) {
    main.append(alertBox(err));
    return;
  }
  if (!ctx.current()) return;
  const now = Date.now();
  const canteenName = new Map(names.map((c) => [c.id, c.name]));
  const kiosks = (res.kiosks ?? []).map((k) => ({ ...k, problems: problems(k, now) }));
  kiosks.sort((a, b) => b.problems.length - a.problems.length
    || String(a.canteen).localeCompare(String(b.canteen)));
  const attention = kiosks.filter((k) => k.problems.length).length;
  const pending = kiosks.reduce((sum, k) => sum + (k.pending ?? 0), 0);
  main.append(tiles([
    ['自助机', `${kiosks.length} 台`],
    ['需要关注', `${attention} 台`, attention ? 'warn' : 'ok'],
    ['待上传的销售', `${pending} 笔`],
  ]));
  if (!kiosks.length) {
    main.append(empty('还没有注册的自助机。请到「注册码」页生成注册码，在自助机上扫码注册。'));
    return;
  }
  const columns = [
    { title: '状态', cell: (k) => (k.problems.length
      ? h('span', { class: 'badge warn' }, k.problems.join('；'))
      : h('span', { class: 'badge ok' }, '正常')) },
    { title: '设备', cell: (k) => h('code', null, k.device_id) },
    { title: '食堂', cell: (k) => canteenName.get(k.canteen) ?? k.canteen },
    { title: '最后联系', cell: (k) => h('span', { title: formatTime(k.last_seen_ms) }, formatAgo(k.last_seen_ms, now)) },
    { title: '待上传', class: 'num', cell: (k) => `${k.pending ?? 0} 笔` },
    { title: '已收到序号', class: 'num', cell: (k) => String(k.acked_seq ?? 0) },
    { title: '时钟', cell: (k) => formatSkew(k.clock_skew_ms) },
    { title: '设备故障', cell: (k) => ((k.faults ?? []).length ? k.faults.join('；') : '无') },
    { title: '规则版本', class: 'num', cell: (k) => (k.rules_version ? `第 ${k.rules_version} 版` : '—') },
    { title: '软件版本', cell: (k) => k.app_version || '—' },
  ];
  main.append(table(columns, kiosks, {
    id: 'kiosk-list',
    caption: '自助机状态（需要关注的排在前面）',
    rowClass: (k) => (k.problems.length ? 'attention' : null),
  }));
}
