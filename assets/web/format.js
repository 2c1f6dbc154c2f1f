// How the console shows things to people: names masked, times, and the Chinese words for the
// identifiers the rules and the API use (periods, categories, roles, anomaly kinds).

const MINUTE_MS = 60 * 1000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

const MASK_STARS_MAX = 3; // 古丽娜尔·艾买提 -> 古***提: a long name stays short on a card

// 张建华 -> 张*华, 王英 -> 王*; by code point, so rare characters outside the BMP count as one.
export function maskName(name) {
  const chars = Array.from(String(name ?? ''));
  if (chars.length <= 1) return chars.join('');
  if (chars.length === 2) return `${chars[0]}*`;
  const stars = Math.min(chars.length - 2, MASK_STARS_MAX);
  return chars[0] + '*'.repeat(stars) + chars[chars.length - 1];
}

function pad2(n) {
  return String(n).padStart(2, '0');
}

// A local date as the API wants it: YYYY-MM-DD.
export function isoDate(d) {
  return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())}`;
}

export function isoMonth(d) {
  return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}`;
}

// Epoch ms -> "2026-01-05 12:30" in the browser's time zone; missing -> "—".
export function formatTime(ms) {
  if (typeof ms !== 'number' || ms <= 0) return '—';
  const d = new Date(ms);
  return `${isoDate(d)} ${pad2(d.getHours())}:${pad2(d.getMinutes())}`;
}

export function formatAgo(ms, now) {
  if (typeof ms !== 'number' || ms <= 0) return '从未联系';
  const diff = now - ms;
  if (diff < MINUTE_MS) return '刚刚';
  if (diff < HOUR_MS) return `${Math.floor(diff / MINUTE_MS)} 分钟前`;
  if (diff < DAY_MS) return `${Math.floor(diff / HOUR_MS)} 小时前`;
  return `${Math.floor(diff / DAY_MS)} 天前`;
}

// Clock skew as people say it: "快 3 分 5 秒" / "慢 40 秒".
export function formatSkew(ms) {
  if (typeof ms !== 'number') return '—';
  const secs = Math.round(Math.abs(ms) / 1000);
  const dir = ms >= 0 ? '快' : '慢';
  if (secs === 0) return '准确';
  const m = Math.floor(secs / 60);
  const s = secs % 60;
  return m > 0 ? `${dir} ${m} 分 ${s} 秒` : `${dir} ${s} 秒`;
}

// The offset ("+08:00") of an IANA time zone at a local wall time "YYYY-MM-DDTHH:MM".
export function zoneOffset(timeZone, wall) {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(wall);
  if (!m) return '+08:00';
  const asUtc = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5]);
  let fmt;
  try {
    fmt = new Intl.DateTimeFormat('en-US', {
      timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit',
      hour: '2-digit', minute: '2-digit',
    });
  } catch {
    return '+08:00';
  }
  // The zone's wall clock at the instant asUtc, compared with asUtc itself, gives the offset.
  const p = Object.fromEntries(fmt.formatToParts(new Date(asUtc)).map((x) => [x.type, x.value]));
  const seen = Date.UTC(+p.year, +p.month - 1, +p.day, +p.hour, +p.minute);
  const minutes = Math.round((seen - asUtc) / MINUTE_MS);
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `${sign}${pad2(Math.floor(abs / 60))}:${pad2(abs % 60)}`;
}

const PERIODS = { breakfast: '早餐', lunch: '午餐', dinner: '晚餐' };
const CATEGORIES = {
  tekun: '特困', dibao: '低保', dibao_edge: '低保边缘', shineng: '失能', banshineng: '半失能',
};
const PAYMENTS = { cash: '现金', other: '其他' };
const ROLES = { admin: '管理员', viewer: '查看员', canteen: '食堂负责人' };
const STATUSES = { active: '正常', suspended: '暂停' };
// The kinds the hub raises (hub_sales.c); pages/anomalies.js says what each one means.
const ANOMALIES = {
  double_subsidy: '跨食堂重复补贴',
  unknown_elder: '名册中没有的老人',
  bad_signature: '签名错误',
  broken_chain: '记录链断开',
  malformed: '记录无法读取',
  wrong_device: '设备不符',
  conflicting_duplicate: '重复上传内容不同',
  clock_skew: '时钟偏差',
  wrong_canteen: '食堂不符',
};

function lookup(table, id) {
  return Object.prototype.hasOwnProperty.call(table, id) ? table[id] : id;
}

export function periodName(id) {
  if (id === null || id === undefined || id === '') return '非供餐时段';
  return lookup(PERIODS, id);
}

export function periodsText(list) {
  const ids = String(list ?? '').split('|').filter(Boolean);
  return ids.length ? ids.map(periodName).join('、') : '全天';
}

export function categoryName(id) {
  return lookup(CATEGORIES, id);
}

export function categoriesText(list) {
  const ids = (Array.isArray(list) ? list : String(list ?? '').split('|')).filter(Boolean);
  return ids.length ? ids.map(categoryName).join('、') : '—';
}

export function paymentName(id) {
  return lookup(PAYMENTS, id);
}

export function roleName(id) {
  return lookup(ROLES, id);
}

export function statusName(id) {
  return lookup(STATUSES, id);
}

export function anomalyName(id) {
  return lookup(ANOMALIES, id);
}

// A report's by_tier key: an age tier id ("80-89"), a category id, or "" for no subsidy.
export function tierName(id) {
  if (id === '' || id === 'none') return '无补贴';
  if (Object.prototype.hasOwnProperty.call(CATEGORIES, id)) return CATEGORIES[id];
  return /^\d/.test(id) ? `${id} 岁` : id;
}
