// Money on the console: the API speaks integer fen; people read and type yuan.
// Parsing is string arithmetic on the digits, so "0.29" is 29 fen and never 28.999...

const FEN_PER_YUAN = 100;
const MAX_YUAN_DIGITS = 9; // ¥999,999,999.99 is far above any meal or monthly settlement
const FULLWIDTH_OFFSET = 0xfee0; // '０' - '0'

// 1250 -> "¥12.50", -300 -> "-¥3.00"; anything but a safe integer -> "—".
export function formatFen(fen) {
  if (typeof fen !== 'number' || !Number.isSafeInteger(fen)) return '—';
  const sign = fen < 0 ? '-' : '';
  const abs = Math.abs(fen);
  const yuan = Math.floor(abs / FEN_PER_YUAN);
  const cents = String(abs % FEN_PER_YUAN).padStart(2, '0');
  return `${sign}¥${yuan}.${cents}`;
}

// Chinese input methods often type full-width digits and point: accept them.
function toHalfWidth(text) {
  return text.replace(/[\uff10-\uff19\uff0e]/g, (c) =>
    String.fromCharCode(c.charCodeAt(0) - FULLWIDTH_OFFSET));
}

// "12.5" -> {ok: true, fen: 1250}; "12.345" -> {ok: false, message: "..."}.
export function parseYuan(input) {
  const text = toHalfWidth(String(input ?? '')).replace(/\s+/g, '')
    .replace(/^[¥￥]/, '').replace(/元$/, '');
  if (text === '') return { ok: false, message: '请输入金额' };
  const m = /^(\d+)(?:\.(\d*))?$/.exec(text);
  if (!m) return { ok: false, message: '金额只能是数字，例如 12.50' };
  const whole = m[1].replace(/^0+(?=\d)/, '');
  const frac = m[2] ?? '';
  if (frac.length > 2) return { ok: false, message: '金额最多两位小数（到分）' };
  if (whole.length > MAX_YUAN_DIGITS) return { ok: false, message: '金额太大' };
  const fen = Number(whole) * FEN_PER_YUAN + Number(frac.padEnd(2, '0'));
  return { ok: true, fen };
}
