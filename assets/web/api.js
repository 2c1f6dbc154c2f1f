// The hub's console API (/admin/api, app/hub/PROTOCOL.md): JSON in and out, the session cookie
// sent by the browser, the CSRF token from the login answer on every POST.

const BASE = '/admin/api';

// A failed request: status 0 when the hub could not be reached. message is for people.
export class ApiError extends Error {
  constructor(status, code, message, body) {
    super(message);
    this.status = status;
    this.code = code;
    this.body = body ?? {};
  }
}

// What to say when the hub gave no message of its own.
const FALLBACK = {
  400: '请求的内容有误',
  401: '请先登录',
  403: '您没有这项操作的权限',
  404: '找不到要查看的内容',
  405: '不支持这项操作',
  409: '与已有的数据冲突',
  413: '文件太大，请分批上传或使用命令行导入',
  500: '服务器内部错误，没有保存任何改动',
};

export class Api {
  constructor() {
    this.csrf = '';
    this.onUnauthorized = null; // set by the app: back to the login page
  }

  url(path) {
    return BASE + path;
  }

  async request(method, path, body) {
    const headers = { Accept: 'application/json' };
    const init = { method, headers, credentials: 'same-origin', cache: 'no-store' };
    if (method === 'POST') {
      headers['Content-Type'] = 'application/json';
      headers['X-CSRF-Token'] = this.csrf;
      init.body = JSON.stringify(body ?? {});
    }
    let res;
    try {
      res = await fetch(this.url(path), init);
    } catch {
      throw new ApiError(0, 'network', '无法连接服务器，请检查网络后重试');
    }
    let data = null;
    const text = await res.text();
    try {
      data = text ? JSON.parse(text) : {};
    } catch {
      data = null;
    }
    if (!res.ok) {
      const message = (data && typeof data.message === 'string' && data.message)
        || FALLBACK[res.status] || `服务器返回错误 ${res.status}`;
      const err = new ApiError(res.status, data?.error ?? 'http', message, data);
      if (res.status === 401 && path !== '/login' && this.onUnauthorized) this.onUnauthorized(err);
      throw err;
    }
    if (data === null) throw new ApiError(res.status, 'bad_response', '服务器的回答无法解析');
    return data;
  }

  get(path) {
    return this.request('GET', path);
  }

  post(path, body) {
    return this.request('POST', path, body);
  }
}
