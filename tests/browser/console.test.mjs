// The administrators' console in a real browser against a real hub.
//
//   node console.test.mjs ZHUCAN_HUB SOURCE_DIR ZHUCANCTL
//
// Makes a hub database in a temporary directory (a canteen, an admin and a viewer through
// `zhucan-hub admin`), serves the console from SOURCE_DIR/assets/web on a free loopback port,
// and drives Debian's Chromium (playwright-core, no browser download) through every page as an
// administrator and then as a viewer. Midway two kiosks, played by `zhucanctl` with enrolment
// codes read off the console, sell lunches on a fixed past day and sync them, so the dashboard,
// reports, settlement and anomalies are checked with real sales against the kiosk's own report.
// A screenshot of every page goes to $ZC_SCREENSHOT_DIR (default build/browser-shots). Exits
// non-zero on the first failure, naming the step.

import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--lang=zh-CN', // date pickers and file choosers as a Chinese administrator sees them
];
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };
const HUB_START_MS = 20000;
const HUB_STOP_MS = 5000;
const STEP_TIMEOUT_MS = 15000;
const POLL_MS = 100;
const CANTEEN = 'C0107';
const CANTEEN_NAME = '和平社区助餐点';
const ADMIN = { name: 'admin', password: 'correct-horse-1' };
const VIEWER = { name: 'viewer', password: 'viewer-pass-22' };
const UTF8_BOM = [0xef, 0xbb, 0xbf];
const SHOT_NAME = /^(\d\d-[\w-]+|FAILED)\.png$/; // what shot() writes

// The kiosks' day: a past Monday under the published rules (effective 2026-01-01), so the
// clock guard allows it and the report's figures never depend on when the test runs.
const SALE_DATE = '2026-03-02';
const SALE_MONTH = SALE_DATE.slice(0, 7);
const SALE_OFFSET = '+08:00'; // Asia/Shanghai, the canteens' zone
const SECOND_CANTEEN = { id: 'C0200', name: '幸福里老年食堂', region: '320203' };
// The first kiosk's lunch hour (ID numbers from assets/demo/roster.csv, items from menu.csv).
const SALES = [
  { id: '320202194211081012', item: 'L01', at: '11:30' }, // 李桂兰, dibao
  { id: '320202193803151008', item: 'L02', at: '11:35' }, // 王秀英, 87: voided below
  { id: '32020219400229103X', item: 'L03', at: '11:40' }, // 刘淑珍, tekun
];
const VOID = { seq: 2, at: '11:45', reason: '重复收费' };
// The same lunch period at the second canteen, which has no menu: the price is keyed in.
const SECOND_SALE = { id: SALES[0].id, price: 1500, at: '12:10' };
const ANOMALY_DOUBLE = '跨食堂重复补贴';
const SETTLEMENT_SUBSIDY = '补贴合计(元)';

const here = path.dirname(fileURLToPath(import.meta.url));
const [hubBin, srcArg, ctlBin] = process.argv.slice(2);
if (!hubBin || !srcArg || !ctlBin) {
  console.error('usage: node console.test.mjs ZHUCAN_HUB SOURCE_DIR ZHUCANCTL');
  process.exit(2);
}
const srcDir = path.resolve(srcArg);
const shotDir = path.resolve(process.env.ZC_SCREENSHOT_DIR
  || path.join(srcDir, 'build', 'browser-shots'));

if (!fs.existsSync(CHROMIUM)) {
  console.error(`${CHROMIUM} is missing: run packaging/install-deps.sh`);
  process.exit(1);
}
let chromium;
try {
  ({ chromium } = await import('playwright-core'));
} catch {
  console.error(`playwright-core is not installed in ${here}: run packaging/install-deps.sh`);
  process.exit(1);
}

// ---- the hub ----

function admin(db, args, input) {
  const r = spawnSync(hubBin, ['admin', '--db', db, ...args], { input: input ?? '', encoding: 'utf8' });
  if (r.status !== 0) {
    throw new Error(`zhucan-hub admin ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  }
  return r.stdout;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

// SIGTERM, then the exit code (null when it would not stop in time or died of a signal).
function stopHub(hub) {
  if (hub.exitCode !== null || hub.signalCode !== null) return Promise.resolve(hub.exitCode);
  return new Promise((resolve) => {
    hub.once('exit', (code) => resolve(code));
    hub.kill('SIGTERM');
    setTimeout(() => resolve(null), HUB_STOP_MS);
  });
}

async function waitForHub(base, hub) {
  const deadline = Date.now() + HUB_START_MS;
  while (Date.now() < deadline) {
    if (hub.exitCode !== null) throw new Error(`zhucan-hub exited with ${hub.exitCode}`);
    try {
      const res = await fetch(`${base}/`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  throw new Error(`zhucan-hub did not answer on ${base} within ${HUB_START_MS} ms`);
}

// ---- the kiosks (zhucanctl) ----

// Runs zhucanctl and returns its JSON answer; every command used here prints one.
function ctl(args) {
  const r = spawnSync(ctlBin, args, { encoding: 'utf8' });
  if (r.status !== 0) {
    throw new Error(`zhucanctl ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  }
  return JSON.parse(r.stdout);
}

function saleTime(hhmm) {
  return `${SALE_DATE}T${hhmm}:00${SALE_OFFSET}`;
}

// Fen as the console shows money (¥12.50) and as the settlement CSV writes yuan (12.50), by
// integer arithmetic: the test must not round the way the code under test might.
function yuanText(fen) {
  const abs = Math.abs(fen);
  return `${fen < 0 ? '-' : ''}${Math.trunc(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

function yuanShown(fen) {
  return fen < 0 ? `-¥${yuanText(-fen)}` : `¥${yuanText(fen)}`;
}

function fenOfYuan(text) {
  const m = /^(-?)(\d+)\.(\d{2})$/.exec(text);
  assert.ok(m, `an amount in yuan with two decimals: ${text}`);
  return (m[1] ? -1 : 1) * (Number(m[2]) * 100 + Number(m[3]));
}

// RFC 4180 rows: quoted fields may hold commas and doubled quotes.
function csvRows(text) {
  return text.split(/\r?\n/).filter((l) => l !== '').map((line) => {
    const out = [];
    let cur = '';
    let quoted = false;
    for (let i = 0; i < line.length; i++) {
      const c = line[i];
      if (quoted && c === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (c === '"') {
        quoted = !quoted;
      } else if (c === ',' && !quoted) {
        out.push(cur);
        cur = '';
      } else {
        cur += c;
      }
    }
    out.push(cur);
    return out;
  });
}

// ---- the browser ----

const problems = []; // uncaught page errors and CSP violations: each is a failure

function watch(page) {
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error' && /Content Security Policy|Refused to/i.test(msg.text())) {
      problems.push(`console: ${msg.text()}`);
    }
  });
  page.setDefaultTimeout(STEP_TIMEOUT_MS);
}

async function shot(page, name) {
  await page.screenshot({ path: path.join(shotDir, `${name}.png`), fullPage: true });
}

async function go(page, route) {
  await page.evaluate((r) => { location.hash = r; }, `#/${route}`);
  await page.locator(`#nav-${route}[aria-current="page"]`).waitFor();
}

async function login(page, base, who) {
  await page.goto(`${base}/`);
  await page.locator('#login-form').waitFor();
  await page.fill('#login-name', who.name);
  await page.fill('#login-password', who.password);
  await page.click('#login-submit');
  await expectShown(page, '#nav-dashboard', '#login-message.error');
}

// Waits for okSel; when errSel (the page's error message) shows first, fails with its text at
// once instead of waiting out the timeout.
async function expectShown(page, okSel, errSel) {
  const ok = page.locator(okSel).first();
  const bad = page.locator(errSel).first();
  await ok.or(bad).waitFor();
  if (!(await ok.isVisible())) throw new Error(`the page says: ${await bad.innerText()}`);
  return ok;
}

// A table's body rows as objects keyed by column title (each cell carries its data-label).
async function tableRows(page, sel) {
  return page.locator(`${sel} tbody tr`).evaluateAll((trs) => trs.map((tr) => Object.fromEntries(
    [...tr.cells].map((td) => [td.dataset.label, td.innerText.trim()]))));
}

// Summary tiles as {name: value}.
async function tileValues(page, sel) {
  return page.locator(`${sel} .tile`).evaluateAll((tiles) => Object.fromEntries(tiles.map((t) =>
    [t.querySelector('dt').innerText.trim(), t.querySelector('dd').innerText.trim()])));
}

function lineCount(file) {
  return fs.readFileSync(file, 'utf8').split(/\r?\n/).filter((l) => l.trim() !== '').length;
}

// ---- the steps ----

async function adminSession(page, base, tmp) {
  const rulesFile = path.join(srcDir, 'assets', 'rules', 'default.json');
  const rosterFile = path.join(srcDir, 'assets', 'demo', 'roster.csv');
  const menuFile = path.join(srcDir, 'assets', 'demo', 'menu.csv');

  await step('wrong password shows an error', async () => {
    await page.goto(`${base}/`);
    await page.locator('#login-form').waitFor();
    await shot(page, '01-login');
    await page.fill('#login-name', ADMIN.name);
    await page.fill('#login-password', 'not-the-password');
    await page.click('#login-submit');
    const msg = page.locator('#login-message.error');
    await msg.waitFor();
    assert.match(await msg.innerText(), /用户名或密码不正确/);
    assert.equal(await page.locator('#top').isVisible(), false, 'navigation hidden before login');
    await shot(page, '02-login-error');
  });

  await step('admin logs in and sees the dashboard', async () => {
    await page.fill('#login-password', ADMIN.password);
    await page.click('#login-submit');
    await page.locator('#nav-dashboard[aria-current="page"]').waitFor();
    assert.match(await page.locator('#who').innerText(), /admin · 管理员/);
    await page.locator('.tiles').waitFor();
    assert.match(await page.locator('main').innerText(), /自助机/);
    await shot(page, '03-dashboard');
  });

  await step('money: yuan parsed to fen by string arithmetic, fen shown as ¥', async () => {
    const got = await page.evaluate(async () => {
      const m = await import('/static/money.js');
      const parse = ['12.5', '0.29', '￥１２．３４', '1234567.89', '12.345', 'abc', '', '007']
        .map((t) => { const r = m.parseYuan(t); return r.ok ? r.fen : 'bad'; });
      const format = [1250, 5, 0, -300, 1.5].map((f) => m.formatFen(f));
      return { parse, format };
    });
    assert.deepEqual(got.parse, [1250, 29, 1234, 123456789, 'bad', 'bad', 'bad', 700]);
    assert.deepEqual(got.format, ['¥12.50', '¥0.05', '¥0.00', '-¥3.00', '—']);
  });

  await step('names are masked for printing', async () => {
    const got = await page.evaluate(async () => {
      const f = await import('/static/format.js');
      return ['张建华', '王英', '欧阳建华', '古丽娜尔·艾买提', '\u{20000}建华', '李'].map(f.maskName);
    });
    assert.deepEqual(got, ['张*华', '王*', '欧**华', '古***提', '\u{20000}*华', '李']);
  });

  await step('rules: a broken edit shows the hub\'s validation message', async () => {
    await go(page, 'rules');
    await page.locator('#rules-json').waitFor();
    assert.match(await page.locator('main').innerText(), /还没有发布过规则/);
    await page.setInputFiles('#rules-file', rulesFile);
    await page.waitForFunction(() => document.querySelector('#rules-json').value.includes('zhucan.rules/1'));
    const text = await page.inputValue('#rules-json');
    assert.match(text, /"version": 1,/);

    await page.fill('#rules-json', text.replace('{', '{,'));
    await page.click('#rules-check');
    await page.locator('#rules-message.error').waitFor();
    assert.match(await page.locator('#rules-message').innerText(), /JSON 格式错误/);

    // overlapping age tiers: valid JSON the hub must refuse
    await page.fill('#rules-json', text.replace('"min_age": 70', '"min_age": 65'));
    await page.click('#rules-check');
    await page.locator('#rules-message.error').filter({ hasText: '检查未通过' }).waitFor();
    const why = await page.locator('#rules-message').innerText();
    assert.ok(why.replace('检查未通过：', '').trim().length > 3, `a message from the hub: ${why}`);
    await shot(page, '04-rules-invalid');

    await page.fill('#rules-json', text.replace('"version": 1,', '"version": 2,'));
    await page.click('#rules-check');
    await expectShown(page, '#rules-message.ok', '#rules-message.error');
    assert.match(await page.locator('#rules-message').innerText(), /检查通过：第 2 版/);
  });

  await step('rules: preview what an elder pays', async () => {
    await page.fill('#pv-birth', '1940-01-01'); // 86 on the day: tier 80-89 gives 400
    await page.fill('#pv-region', '320202');
    await page.check('#pv-cat-dibao'); // dibao gives 500, the larger one applies
    await page.fill('#pv-price', '12.345');
    await page.click('#pv-submit');
    await page.locator('#preview-message.error').waitFor();
    assert.match(await page.locator('#preview-message').innerText(), /两位小数/);

    await page.fill('#pv-price', '15');
    await page.fill('#pv-at', '2026-03-02T12:00');
    await page.selectOption('#pv-canteen', CANTEEN);
    await page.click('#pv-submit');
    const result = await expectShown(page, '#preview-result', '#preview-message.error');
    const text = await result.innerText();
    assert.match(text, /补贴\s*¥5\.00/);
    assert.match(text, /老人自付\s*¥10\.00/);
    assert.match(text, /原价\s*¥15\.00/);
    assert.match(text, /午餐/);
    assert.ok(await page.locator('#preview-result tbody tr').count() > 0, 'explanation lines shown');
    await shot(page, '05-rules-preview');
  });

  await step('rules: publish with an effective date', async () => {
    await page.fill('#rules-effective', '2026-01-01');
    await page.click('#rules-publish');
    await page.click('#rules-publish-confirm');
    const msg = await expectShown(page, '#publish-message.ok', '#publish-message.error');
    assert.match(await msg.innerText(), /已发布第 2 版规则/);
    await page.locator('#rules-sets').filter({ hasText: '第 2 版' }).waitFor();
    await shot(page, '06-rules-published');
    // publishing the same version again is refused with the hub's message
    await page.click('#rules-publish');
    await page.click('#rules-publish-confirm');
    await page.locator('#publish-message.error').waitFor();
  });

  const elders = lineCount(rosterFile) - 1;
  await step('roster: upload the demo roster, preview, confirm', async () => {
    await go(page, 'roster');
    await page.locator('#roster-file').waitFor();
    await page.setInputFiles('#roster-file', rosterFile);
    await expectShown(page, '#roster-import', '#roster-import-message.error');
    const preview = page.locator('#roster-preview-result');
    const text = await preview.innerText();
    assert.match(text, new RegExp(`共 ${elders} 行`));
    assert.match(text, new RegExp(`新增\\s*${elders} 人`));
    await shot(page, '07-roster-preview');
    await page.click('#roster-import');
    const msg = await expectShown(page, '#roster-import-message.ok', '#roster-import-message.error');
    assert.match(await msg.innerText(), new RegExp(`新增 ${elders} 人`));
    await page.locator('#roster-list').waitFor();
    assert.equal(await page.locator('#roster-list tbody tr').count(), Math.min(elders, 50));
  });

  await step('roster: a broken file is refused and names the line', async () => {
    const bad = path.join(tmp, 'bad-roster.csv');
    const lines = fs.readFileSync(rosterFile, 'utf8').split('\n');
    lines[2] = lines[2].replace(/^\d{17}[\dX]/, '123456789012345678');
    fs.writeFileSync(bad, lines.join('\n'));
    await page.setInputFiles('#roster-file', bad);
    const msg = page.locator('#roster-import-message.error');
    await msg.waitFor();
    assert.match(await msg.innerText(), /没有导入/);
    assert.match(await msg.innerText(), /第 3 行|line 3/, 'the bad line is named');
  });

  await step('roster: search, issue QR tokens, print cards', async () => {
    await page.fill('#roster-q', '王秀英');
    await page.click('#roster-search button[type=submit]');
    await page.locator('#roster-list caption').filter({ hasText: '共 1 人' }).waitFor();
    await page.fill('#roster-q', '');
    await page.click('#roster-search button[type=submit]');
    await page.locator('#roster-list caption').filter({ hasText: `共 ${elders} 人` }).waitFor();
    await page.click('#roster-qr-all');
    await expectShown(page, '#roster-action-message.ok', '#roster-action-message.error');
    assert.match(await page.locator('#roster-action-message').innerText(), /已为 \d+ 位老人发放二维码/);
    await shot(page, '08-roster');
    await page.click('#roster-select-page');
    await page.click('#roster-print');
    await page.locator('#cards .elder-card').first().waitFor();
    const cards = await page.locator('#cards .elder-card').count();
    assert.equal(cards, Math.min(elders, 50));
    assert.equal(await page.locator('#cards svg.qr').count(), cards, 'every card has its QR');
    for (const name of await page.locator('.card-name').allInnerTexts()) {
      assert.match(name, /^\S\*+\S?$/u, `name masked: ${name}`);
    }
    assert.ok((await page.locator('.card-name').allInnerTexts()).includes('王*英'));
    await shot(page, '09-cards');
    await page.emulateMedia({ media: 'print' });
    assert.equal(await page.locator('#top').isVisible(), false, 'no navigation when printed');
    assert.equal(await page.locator('#cards-print').isVisible(), false, 'no buttons when printed');
    const width = await page.locator('.elder-card').first().evaluate((el) => el.getBoundingClientRect().width);
    assert.ok(Math.abs(width - 323.5) < 2, `card is 85.6 mm wide (${width}px)`);
    await shot(page, '10-cards-print');
    await page.emulateMedia({ media: 'screen' });
  });

  await step('canteens: add one, upload a menu', async () => {
    await go(page, 'canteens');
    await page.locator('#canteen-list').waitFor();
    await page.fill('#canteen-id', SECOND_CANTEEN.id);
    await page.fill('#canteen-name', SECOND_CANTEEN.name);
    await page.fill('#canteen-region', SECOND_CANTEEN.region);
    await page.click('#canteen-add');
    await expectShown(page, '#canteen-message.ok', '#canteen-message.error');
    await page.locator('#canteen-list').filter({ hasText: SECOND_CANTEEN.id }).waitFor();
    await page.selectOption('#menu-canteen', CANTEEN);
    await page.locator('#menu-holder .empty').waitFor();
    await page.setInputFiles('#menu-file', menuFile);
    await expectShown(page, '#menu-message.ok', '#menu-message.error');
    await page.locator('#menu-items').waitFor();
    assert.equal(await page.locator('#menu-items tbody tr').count(), lineCount(menuFile) - 1);
    const text = await page.locator('#menu-items').innerText();
    assert.match(text, /¥15\.00/);
    assert.match(text, /午餐、晚餐/);
    await shot(page, '11-canteens');
  });

  let firstCode = '';
  await step('enrolment code: shown as a QR with its text', async () => {
    await go(page, 'enrol');
    await page.selectOption('#enrol-canteen', CANTEEN);
    await page.click('#enrol-create');
    await expectShown(page, '#enrol-result svg.qr', '#enrol-message.error');
    const box = await page.locator('#enrol-result svg.qr').boundingBox();
    assert.ok(box.width >= 200, `the QR is large (${box.width}px)`);
    firstCode = (await page.locator('#enrol-code').innerText()).trim();
    assert.match(firstCode, /^[A-Z0-9]{4}(-[A-Z0-9]{4})+$/);
    await shot(page, '12-enrol');
  });

  const kiosk1 = path.join(tmp, 'kiosk1');
  const kiosk2 = path.join(tmp, 'kiosk2');
  let device1 = null;
  let device2 = null;
  await step('kiosk 1: enrols with the code from the page, syncs, sells, voids, syncs', async () => {
    device1 = ctl(['enrol', '--data', kiosk1, '--hub', base, '--code', firstCode]);
    assert.equal(device1.canteen, CANTEEN);
    const pulled = ctl(['sync', '--data', kiosk1]);
    assert.equal(pulled.rules_installed, 1, 'the rule set published in the console');
    assert.equal(pulled.roster_rows, lineCount(rosterFile) - 1, 'the roster imported in the console');
    assert.equal(pulled.menu_changed, true, 'the menu uploaded in the console');
    for (const sale of SALES) {
      const r = ctl(['sell', '--data', kiosk1, '--id-number', sale.id, '--item', sale.item,
        '--at', saleTime(sale.at)]);
      assert.equal(r.period, 'lunch', `${sale.id} at ${sale.at}`);
      assert.ok(r.subsidy > 0, `${sale.id} is subsidised: ${JSON.stringify(r)}`);
    }
    ctl(['void', '--data', kiosk1, '--seq', String(VOID.seq), '--reason', VOID.reason,
      '--at', saleTime(VOID.at)]);
    const pushed = ctl(['sync', '--data', kiosk1]);
    assert.equal(pushed.acked, SALES.length + 1, 'every sale and the void reached the hub');
    assert.equal(pushed.pending, 0);
    // A code works once: another kiosk quoting it is refused.
    const again = spawnSync(ctlBin, ['enrol', '--data', path.join(tmp, 'kiosk-again'), '--hub', base,
      '--code', firstCode], { encoding: 'utf8' });
    assert.notEqual(again.status, 0, 'a used enrolment code is refused');
  });

  await step('kiosk 2: another canteen subsidises the same elder\'s lunch', async () => {
    await page.selectOption('#enrol-canteen', SECOND_CANTEEN.id);
    await page.click('#enrol-create');
    await expectShown(page, '#enrol-result svg.qr', '#enrol-message.error');
    const code = (await page.locator('#enrol-code').filter({ hasNotText: firstCode }).innerText()).trim();
    assert.match(await page.locator('#enrol-result').innerText(), new RegExp(SECOND_CANTEEN.name));
    await shot(page, '13-enrol-second');
    device2 = ctl(['enrol', '--data', kiosk2, '--hub', base, '--code', code]);
    assert.equal(device2.canteen, SECOND_CANTEEN.id);
    ctl(['sync', '--data', kiosk2]);
    const r = ctl(['sell', '--data', kiosk2, '--id-number', SECOND_SALE.id,
      '--price', String(SECOND_SALE.price), '--at', saleTime(SECOND_SALE.at)]);
    assert.equal(r.period, 'lunch');
    assert.ok(r.subsidy > 0, 'the second kiosk cannot know of the first lunch: it subsidises');
    const pushed = ctl(['sync', '--data', kiosk2]);
    assert.equal(pushed.acked, 1);
    assert.equal(pushed.pending, 0);
  });

  await step('dashboard: both kiosks, just seen, nothing pending', async () => {
    await go(page, 'dashboard');
    await page.locator('#kiosk-list').waitFor();
    const tilesShown = await tileValues(page, 'main');
    assert.equal(tilesShown['自助机'], '2 台');
    assert.equal(tilesShown['需要关注'], '0 台');
    assert.equal(tilesShown['待上传的销售'], '0 笔');
    const rows = await tableRows(page, '#kiosk-list');
    assert.equal(rows.length, 2);
    const wanted = [[device1, CANTEEN_NAME, SALES.length + 1], [device2, SECOND_CANTEEN.name, 1]];
    for (const [device, canteenName, seq] of wanted) {
      const row = rows.find((r) => r['设备'] === device.device_id);
      assert.ok(row, `${device.device_id} listed: ${JSON.stringify(rows)}`);
      assert.equal(row['食堂'], canteenName);
      assert.match(row['最后联系'], /^(刚刚|\d+ 分钟前)$/, `last seen just now: ${row['最后联系']}`);
      assert.equal(row['待上传'], '0 笔');
      assert.equal(row['已收到序号'], String(seq));
      assert.equal(row['状态'], '正常');
      assert.equal(row['规则版本'], '第 2 版');
    }
    await shot(page, '14-dashboard-kiosks');
  });

  const want = ctl(['report', 'day', '--data', kiosk1, '--date', SALE_DATE, '--format', 'json']);
  await step('reports: today is empty, the sales day equals the kiosk\'s own report', async () => {
    await go(page, 'reports');
    await page.selectOption('#report-canteen', CANTEEN);
    await page.locator('#day-report .tiles').waitFor();
    const today = await tileValues(page, '#day-report');
    assert.equal(today['销售笔数'], '0 笔');
    assert.equal(today['补贴合计'], '¥0.00');
    await page.locator('#month-report .tiles').waitFor();
    await shot(page, '15-reports-empty');

    // The kiosk's report, the figures the console must show to the fen.
    assert.equal(want.voids, 1);
    assert.ok(want.sales > 0 && want.subsidy > 0, `the kiosk sold: ${JSON.stringify(want)}`);
    await page.fill('#report-date', SALE_DATE);
    await page.click('#report-day-show');
    await page.locator('#day-report h3').filter({ hasText: SALE_DATE }).waitFor();
    assert.deepEqual(await tileValues(page, '#day-report'), {
      '销售笔数': `${want.sales} 笔`,
      '作废': `${want.voids} 笔`,
      '原价合计': yuanShown(want.gross),
      '补贴合计': yuanShown(want.subsidy),
      '自付合计': yuanShown(want.self_pay),
    });
    const tiers = await tableRows(page, '#report-by-tier');
    assert.equal(tiers.length, Object.keys(want.by_tier).length, 'one row per tier or category');
    const lunch = (await tableRows(page, '#report-by-period')).find((r) => r['餐次'] === '午餐');
    assert.ok(lunch, 'a lunch row');
    assert.equal(lunch['补贴'], yuanShown(want.by_period.lunch.subsidy));

    await page.fill('#report-month', SALE_MONTH);
    await page.click('#report-month-show');
    await page.locator('#month-report h3').filter({ hasText: SALE_MONTH }).waitFor();
    const month = await tileValues(page, '#month-report');
    assert.equal(month['补贴合计'], yuanShown(want.subsidy), 'the month holds only that day');
    assert.equal(month['原价合计'], yuanShown(want.gross));
    const days = await tableRows(page, '#report-days');
    assert.deepEqual(days.map((d) => d['日期']), [SALE_DATE]);
    assert.equal(days[0]['补贴'], yuanShown(want.subsidy));
    await shot(page, '16-reports-sales');
  });

  await step('settlement: the CSV downloads with a BOM, its header and the canteen\'s subsidy', async () => {
    await go(page, 'settlement');
    await page.fill('#settlement-month', SALE_MONTH);
    const href = await page.getAttribute('#settlement-download', 'href');
    assert.equal(href, `/admin/api/settlement.csv?month=${SALE_MONTH}`);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#settlement-download')]);
    const file = path.join(tmp, 'settlement.csv');
    await download.saveAs(file);
    const bytes = fs.readFileSync(file);
    assert.deepEqual([...bytes.subarray(0, 3)], UTF8_BOM, 'starts with the UTF-8 BOM');
    const text = bytes.subarray(3).toString('utf8');
    assert.match(text, /^月份,食堂编号/);
    const [header, ...rows] = csvRows(text);
    const canteenCol = header.indexOf('食堂编号');
    const subsidyCol = header.indexOf(SETTLEMENT_SUBSIDY);
    assert.ok(subsidyCol > 0, `a ${SETTLEMENT_SUBSIDY} column: ${header.join(',')}`);
    const mine = rows.filter((r) => r[canteenCol] === CANTEEN);
    assert.ok(mine.length > 0, `a row for ${CANTEEN}:\n${text}`);
    for (const r of mine) assert.equal(r[0], SALE_MONTH);
    // One row per funder: together they are the canteen's subsidy.
    const subsidy = mine.reduce((sum, r) => sum + fenOfYuan(r[subsidyCol]), 0);
    assert.equal(subsidy, want.subsidy, `${CANTEEN}'s subsidy in yuan:\n${text}`);
    await shot(page, '17-settlement');
  });

  await step('anomalies: the double subsidy across canteens is listed', async () => {
    await go(page, 'anomalies');
    // An empty list is a <p> under the same id: wait for either, so a missing anomaly fails
    // with the list instead of a timeout.
    await page.locator('#anomaly-list').waitFor();
    const rows = await tableRows(page, '#anomaly-list');
    const double = rows.filter((r) => r['类型'] === ANOMALY_DOUBLE);
    assert.equal(double.length, 1, `one double subsidy: ${JSON.stringify(rows)}`);
    assert.equal(double[0]['设备'], device2.device_id, 'raised on the second kiosk\'s sale');
    assert.equal(double[0]['食堂'], SECOND_CANTEEN.id);
    assert.equal(double[0]['序号'], '1');
    assert.equal(rows.length, 1, `nothing else was wrong: ${JSON.stringify(rows)}`);
    await shot(page, '18-anomalies');
  });

  await step('logout', async () => {
    await page.click('#logout');
    await page.locator('#login-message.info').waitFor();
    assert.equal(await page.locator('#top').isVisible(), false);
  });
}

async function viewerSession(page, base) {
  await step('viewer: sees rules but cannot check or publish', async () => {
    await login(page, base, VIEWER);
    assert.equal(await page.locator('#nav-enrol').count(), 0, 'no enrolment codes for a viewer');
    await go(page, 'rules');
    await page.locator('#rules-sets').waitFor();
    assert.equal(await page.locator('#rules-json').getAttribute('readonly'), '');
    assert.match(await page.inputValue('#rules-json'), /"version": 2/);
    for (const id of ['#rules-publish', '#rules-check', '#preview-form', '#rules-file']) {
      assert.equal(await page.locator(id).count(), 0, `${id} not offered to a viewer`);
    }
    await shot(page, '19-viewer-rules');
    // and the hub refuses it anyway
    const status = await page.evaluate(async () => {
      const me = await (await fetch('/admin/api/me')).json();
      const r = await fetch('/admin/api/rules/publish', {
        method: 'POST', headers: { 'X-CSRF-Token': me.csrf }, body: '{"rules":{}}',
      });
      return r.status;
    });
    assert.equal(status, 403);
  });

  await step('viewer: roster without import or QR actions', async () => {
    await go(page, 'roster');
    await page.locator('#roster-list').waitFor();
    for (const id of ['#roster-file', '#roster-qr-all', '#roster-print']) {
      assert.equal(await page.locator(id).count(), 0, `${id} not offered to a viewer`);
    }
    await go(page, 'canteens');
    await page.locator('#menu-items').waitFor();
    assert.equal(await page.locator('#canteen-form').count(), 0);
    assert.equal(await page.locator('#menu-file').isVisible(), false);
    await shot(page, '20-viewer-canteens');
  });
}

async function phoneSession(page, base) {
  await step('phone width: every page fits without sideways scrolling', async () => {
    await login(page, base, ADMIN);
    for (const route of ['dashboard', 'rules', 'roster', 'canteens', 'reports']) {
      await go(page, route);
      await page.waitForLoadState('networkidle');
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 1, `${route} is ${overflow}px wider than the phone`);
      await shot(page, `21-phone-${route}`);
    }
  });
}

// ---- running it ----

let current = '';
async function step(name, fn) {
  current = name;
  const started = Date.now();
  await fn();
  if (problems.length) throw new Error(problems.join('\n'));
  console.log(`ok - ${name} (${Date.now() - started} ms)`);
}

async function main() {
  fs.mkdirSync(shotDir, { recursive: true });
  // Shots of an earlier run (renamed steps, an old FAILED) would pass for this run's.
  for (const f of fs.readdirSync(shotDir)) {
    if (SHOT_NAME.test(f)) fs.rmSync(path.join(shotDir, f));
  }
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'zc-browser-'));
  const db = `sqlite:${path.join(tmp, 'hub.db')}`;
  let hub = null;
  let browser = null;
  let hubLog = '';
  let page = null;
  try {
    admin(db, ['canteen', 'add', CANTEEN, CANTEEN_NAME]);
    admin(db, ['user', 'add', ADMIN.name, '--role', 'admin'], `${ADMIN.password}\n`);
    admin(db, ['user', 'add', VIEWER.name, '--role', 'viewer'], `${VIEWER.password}\n`);

    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    hub = spawn(hubBin, ['--db', db, '--listen', `127.0.0.1:${port}`, '--web', path.join(srcDir, 'assets', 'web')],
      { stdio: ['ignore', 'pipe', 'pipe'] });
    hub.stdout.on('data', (d) => { hubLog += d; });
    hub.stderr.on('data', (d) => { hubLog += d; });
    await waitForHub(base, hub);

    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    const desktop = await browser.newContext({ viewport: DESKTOP, locale: 'zh-CN', acceptDownloads: true });
    page = await desktop.newPage();
    watch(page);
    await adminSession(page, base, tmp);
    await viewerSession(page, base);
    await desktop.close();

    const phone = await browser.newContext({ viewport: PHONE, locale: 'zh-CN', isMobile: true, hasTouch: true });
    page = await phone.newPage();
    watch(page);
    await phoneSession(page, base);
    await phone.close();
    page = null;

    // Under the sanitizers a leak or a bad access in the hub only shows in how it exits.
    await step('the hub stops cleanly on SIGTERM', async () => {
      const code = await stopHub(hub);
      assert.equal(code, 0, `zhucan-hub exited with ${code}: see its output below`);
    });
    console.log(`screenshots in ${shotDir}`);
    console.log('browser.console: all steps passed');
    return 0;
  } catch (err) {
    console.error(`FAILED at "${current}": ${err.stack || err}`);
    if (page) await shot(page, 'FAILED').catch(() => {});
    if (hubLog) console.error(`--- zhucan-hub output ---\n${hubLog.slice(-4000)}`);
    return 1;
  } finally {
    if (browser) await browser.close().catch(() => {});
    if (hub) await stopHub(hub);
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

process.exit(await main());
