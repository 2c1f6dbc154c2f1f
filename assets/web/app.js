// The console's shell: who is logged in, what they may do, the navigation and which page shows.
// Pages live in pages/*.js, one per navigation entry, each a render(main, ctx, params).

import { Api } from './api.js';
import { clear, field, h, messageBox, say } from './dom.js';
import { roleName } from './format.js';
import * as anomalies from './pages/anomalies.js';
import * as canteens from './pages/canteens.js';
import * as cards from './pages/cards.js';
import * as dashboard from './pages/dashboard.js';
import * as enrol from './pages/enrol.js';
import * as reports from './pages/reports.js';
import * as roster from './pages/roster.js';
import * as rules from './pages/rules.js';
import * as settlement from './pages/settlement.js';

const APP_TITLE = '助餐管理后台';

// nav: shown in the navigation; show(user): whether this user may use the page at all (else the
// hub answers 403, PROTOCOL.md roles). Canteen managers get neither the roster nor the settlement
// (every canteen's); only administrators make enrolment codes (a code gives the region key) and
// print elder QR cards (their QR text is a credential).
const ROUTES = {
  dashboard: { title: '总览', page: dashboard, nav: true },
  rules: { title: '规则', page: rules, nav: true },
  roster: { title: '名册', page: roster, nav: true, show: (u) => u.role !== 'canteen' },
  canteens: { title: '食堂', page: canteens, nav: true },
  enrol: { title: '注册码', page: enrol, nav: true, show: (u) => u.role === 'admin' },
  reports: { title: '报表', page: reports, nav: true },
  settlement: { title: '结算', page: settlement, nav: true, show: (u) => u.role !== 'canteen' },
  anomalies: { title: '异常', page: anomalies, nav: true },
  cards: { title: '打印二维码卡片', page: cards, nav: false, show: (u) => u.role === 'admin' },
};
const HOME = 'dashboard';

// What a role may change; the hub enforces the same rules (403), the console only hides buttons.
function permissions(user) {
  const admin = user.role === 'admin';
  const own = (canteen) => admin || (user.role === 'canteen' && canteen === user.canteen);
  return {
    editRules: admin,
    editRoster: admin,
    addCanteen: admin,
    editMenu: own,
    enrol: () => admin,
  };
}

class Console {
  constructor() {
    this.api = new Api();
    this.api.onUnauthorized = () => this.showLogin('登录已过期，请重新登录');
    this.main = document.getElementById('main');
    this.user = null;
    this.generation = 0; // bumps on every navigation so a slow page does not draw over the next
    this.canteenCache = null;
    window.addEventListener('hashchange', () => this.route());
    document.getElementById('logout').addEventListener('click', () => this.logout());
  }

  async start() {
    const keep = this.api.onUnauthorized;
    this.api.onUnauthorized = null; // not logged in yet is not "expired"
    try {
      this.loggedIn(await this.api.get('/me'));
    } catch {
      this.showLogin('');
    } finally {
      this.api.onUnauthorized = keep;
    }
  }

  loggedIn(user) {
    this.user = user;
    this.api.csrf = user.csrf;
    this.canteenCache = null;
    this.can = permissions(user);
    const top = document.getElementById('top');
    top.hidden = false;
    const who = document.getElementById('who');
    const where = user.role === 'canteen' && user.canteen ? `（${user.canteen}）` : '';
    who.textContent = `${user.name} · ${roleName(user.role)}${where}`;
    this.drawNav();
    this.route();
  }

  drawNav() {
    const nav = clear(document.getElementById('nav'));
    const list = h('ul');
    for (const [name, r] of Object.entries(ROUTES)) {
      if (!r.nav || (r.show && !r.show(this.user))) continue;
      list.append(h('li', null, h('a', { href: `#/${name}`, id: `nav-${name}` }, r.title)));
    }
    nav.append(list);
  }

  // "#/cards?ids=1,2" -> {name: "cards", params: URLSearchParams("ids=1,2")}
  parseHash() {
    const hash = location.hash.replace(/^#\/?/, '');
    const [name, query] = hash.split('?');
    return { name: name || HOME, params: new URLSearchParams(query ?? '') };
  }

  route() {
    if (!this.user) return;
    let { name, params } = this.parseHash();
    let r = ROUTES[name];
    if (!r || (r.show && !r.show(this.user))) {
      name = HOME;
      r = ROUTES[HOME];
    }
    for (const a of document.querySelectorAll('#nav a')) {
      if (a.id === `nav-${name}`) a.setAttribute('aria-current', 'page');
      else a.removeAttribute('aria-current');
    }
    document.body.dataset.page = name;
    document.title = `${r.title} - ${APP_TITLE}`;
    this.generation += 1;
    const generation = this.generation;
    const main = clear(this.main);
    main.append(h('h1', null, r.title));
    const ctx = this.context(generation);
    Promise.resolve(r.page.render(main, ctx, params)).catch((err) => {
      if (ctx.current()) main.append(h('p', { class: 'message error', role: 'alert' }, err.message));
    });
  }

  context(generation) {
    return {
      api: this.api,
      user: this.user,
      can: this.can,
      current: () => generation === this.generation,
      canteens: () => this.canteens(),
      forgetCanteens: () => { this.canteenCache = null; },
    };
  }

  async canteens() {
    if (!this.canteenCache) {
      const res = await this.api.get('/canteens');
      this.canteenCache = res.canteens ?? [];
    }
    return this.canteenCache;
  }

  showLogin(message, kind = 'error') {
    this.user = null;
    this.generation += 1;
    document.getElementById('top').hidden = true;
    document.body.dataset.page = 'login';
    document.title = `登录 - ${APP_TITLE}`;
    const name = h('input', { name: 'name', autocomplete: 'username', required: true, id: 'login-name' });
    const password = h('input', {
      name: 'password', type: 'password', autocomplete: 'current-password', required: true,
      id: 'login-password',
    });
    const box = messageBox('login-message');
    const button = h('button', { type: 'submit', class: 'primary', id: 'login-submit' }, '登录');
    const form = h('form', { class: 'login card', id: 'login-form' },
      h('h1', null, APP_TITLE), h('p', { class: 'lead' }, '请使用管理员分配的账号登录。'),
      field('用户名', name), field('密码', password), button, box);
    if (message) say(box, kind, message);
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      button.disabled = true;
      say(box, 'info', '正在登录…');
      try {
        const user = await this.api.post('/login', { name: name.value.trim(), password: password.value });
        say(box, '', '');
        this.loggedIn(user);
      } catch (err) {
        const text = err.status === 401 ? '用户名或密码不正确' : err.message;
        say(box, 'error', text);
        password.select();
      } finally {
        button.disabled = false;
      }
    });
    const main = clear(this.main);
    main.append(form);
    name.focus();
  }

  async logout() {
    try {
      await this.api.post('/logout', {});
    } catch {
      // the session is gone either way once we forget it
    }
    this.api.csrf = '';
    this.showLogin('已退出登录', 'info');
  }
}

new Console().start();
