import i18next from 'i18next';
import { createContext, useContext } from 'react';

/**
 * The console's own words, zh-CN first (the default) and English. Messages that come from the engine or
 * the core (problems, outbox labels, case kinds) already carry both languages and go through `pick`.
 */
export type Locale = 'zh-CN' | 'en';

const zh = {
  appTitle: '匠心运营控制台',
  navLabel: '工作区',
  switchLocale: 'English',
  workspaceLaterTitle: '{name}即将上线',
  workspaceLaterBody: '这个工作区在下一个版本中提供；队列、同步和离线操作已经可用。',
  noWorkspace: '你的角色没有可用的工作区，请联系管理员分配角色。',
  loading: '正在加载…',
  noKeyTitle: '缺少访问密钥',
  noKeyBody: '请打开 web host 在终端中打印的完整地址（带 #key=…）。',
  linkConnecting: '正在连接控制台服务…',
  linkReconnecting: '与控制台服务的连接已断开，正在重连…',
  linkStopped:
    '控制台服务已停止（或已重启到新的地址）。请打开它在终端中打印的新地址（带 #key=…），可以直接粘贴到此标签页的地址栏。',
  linkRefused:
    '此页面的访问密钥已失效（控制台服务已重启）。请打开终端中打印的新地址（带 #key=…），可以直接粘贴到此标签页的地址栏。',
  startFailed: '无法读取控制台状态',
  retry: '重试',
  loginTitle: '登录',
  coreUrl: '核心服务地址',
  coreUrlInvalid: '核心服务地址无效',
  login: '账号',
  password: '密码',
  loginSubmit: '登录',
  loggingIn: '正在登录…',
  logout: '退出登录',
  syncOnline: '在线',
  syncOffline: '离线',
  syncUnavailable: '服务暂不可用',
  syncConnecting: '连接中',
  syncSyncing: '同步中',
  syncBehind: '落后 {n} 条',
  lastSynced: '上次同步 {time}',
  neverSynced: '尚未同步',
  casesTitle: '待处理工单',
  casesSearch: '搜索工单（标题、内容）',
  casesTotal: '共 {n} 条',
  casesEmpty: '没有符合条件的工单',
  colId: '编号',
  colKind: '类型',
  colStatus: '状态',
  colTitle: '标题',
  colPriority: '优先级',
  colAssignee: '处理人',
  colAmount: '金额',
  colSla: 'SLA 截止',
  colActions: '操作',
  slaBreached: '已超时',
  claim: '认领',
  claimCase: '认领工单 #{id}',
  outboxTitle: '待发送操作',
  shortcutsTitle: '键盘快捷键',
  themeLabel: '外观',
  themeSystem: '跟随系统',
  themeLight: '浅色',
  themeDark: '深色',
  assignedBadge: '我的待办 {n}',
  outboxBadge: '待发送 {n}',
  unreadBadge: '{n} 条未读消息',
  shortcutsHelp: '显示快捷键列表',
  outboxEmpty: '没有待发送的操作',
  outboxPending: '待发送',
  outboxSending: '发送中',
  outboxFailed: '失败',
  outboxAttempts: '已尝试 {n} 次',
  outboxRetry: '重试',
  outboxDismiss: '忽略',
};

export type StringKey = keyof typeof zh;

const en: Record<StringKey, string> = {
  appTitle: 'Jiangxin operations console',
  navLabel: 'Workspaces',
  switchLocale: '中文',
  workspaceLaterTitle: '{name} is coming',
  workspaceLaterBody:
    'This workspace arrives in the next version; the queues, sync and offline actions work now.',
  noWorkspace: 'Your role has no workspace yet; ask an administrator to assign a role.',
  loading: 'Loading…',
  noKeyTitle: 'Access key missing',
  noKeyBody: 'Open the full address the web host printed in its terminal (with #key=…).',
  linkConnecting: 'Connecting to the console service…',
  linkReconnecting: 'Lost the connection to the console service; reconnecting…',
  linkStopped:
    'The console service has stopped (or restarted at a new address). Open the new address it printed in its terminal (with #key=…); you can paste it into this tab’s address bar.',
  linkRefused:
    'This page’s access key is no longer valid (the console service restarted). Open the new address printed in the terminal (with #key=…); you can paste it into this tab’s address bar.',
  startFailed: 'Could not read the console state',
  retry: 'Retry',
  loginTitle: 'Sign in',
  coreUrl: 'Core service address',
  coreUrlInvalid: 'The core service address is not valid',
  login: 'Account',
  password: 'Password',
  loginSubmit: 'Sign in',
  loggingIn: 'Signing in…',
  logout: 'Sign out',
  syncOnline: 'Online',
  syncOffline: 'Offline',
  syncUnavailable: 'Service unavailable',
  syncConnecting: 'Connecting',
  syncSyncing: 'Syncing',
  syncBehind: '{n} behind',
  lastSynced: 'Last synced {time}',
  neverSynced: 'Not synced yet',
  casesTitle: 'Open cases',
  casesSearch: 'Search cases (title, content)',
  casesTotal: '{n} in total',
  casesEmpty: 'No matching cases',
  colId: 'No.',
  colKind: 'Kind',
  colStatus: 'Status',
  colTitle: 'Title',
  colPriority: 'Priority',
  colAssignee: 'Assignee',
  colAmount: 'Amount',
  colSla: 'SLA due',
  colActions: 'Actions',
  slaBreached: 'Overdue',
  claim: 'Claim',
  claimCase: 'Claim case #{id}',
  outboxTitle: 'Pending actions',
  shortcutsTitle: 'Keyboard shortcuts',
  themeLabel: 'Appearance',
  themeSystem: 'System',
  themeLight: 'Light',
  themeDark: 'Dark',
  assignedBadge: 'My work {n}',
  outboxBadge: '{n} to send',
  unreadBadge: '{n} unread messages',
  shortcutsHelp: 'Show this list of shortcuts',
  outboxEmpty: 'Nothing waiting to be sent',
  outboxPending: 'Pending',
  outboxSending: 'Sending',
  outboxFailed: 'Failed',
  outboxAttempts: '{n} attempts',
  outboxRetry: 'Retry',
  outboxDismiss: 'Dismiss',
};

export const LocaleContext = createContext<Locale>('zh-CN');

/** The colon after a label: full-width in Chinese ("金额：¥6.00"), "Amount: ¥6.00" in English. */
export const colon = (locale: Locale): string => (locale === 'en' ? ': ' : '：');
/** Brackets around an aside: "青柠（客户）" in Chinese, "Qingning (client)" in English. */
export const paren = (locale: Locale, inner: string): string =>
  locale === 'en' ? ` (${inner})` : `（${inner}）`;

export interface Translator {
  locale: Locale;
  /** A console string, with `{name}` placeholders filled in. */
  t(key: StringKey, vars?: Record<string, string | number>): string;
  /** The current language's side of a `{zh, en}` message from the engine or the core. */
  pick(message: { zh: string; en: string }): string;
}

/**
 * i18next holds both tables; placeholders keep the single-brace `{name}` form of the tables above.
 * Initialised synchronously: the resources are bundled, so the first render already has its words.
 */
const i18n = i18next.createInstance();
void i18n.init({
  initAsync: false,
  resources: { 'zh-CN': { translation: zh }, en: { translation: en } },
  lng: 'zh-CN',
  fallbackLng: 'zh-CN',
  interpolation: { prefix: '{', suffix: '}', escapeValue: false },
  returnNull: false,
});

function translator(locale: Locale): Translator {
  const fixed = i18n.getFixedT(locale);
  return {
    locale,
    t: (key, vars = {}) => fixed(key, vars),
    pick: (message) => (locale === 'en' ? message.en : message.zh),
  };
}

/** One translator per locale, so effects may depend on it without re-running on every render. */
export const TRANSLATORS: Record<Locale, Translator> = { 'zh-CN': translator('zh-CN'), en: translator('en') };

export function useT(): Translator {
  return TRANSLATORS[useContext(LocaleContext)];
}

/**
 * A feature's own words, kept in its folder: `defineStrings('payouts', zh, en)` registers an i18next
 * namespace and returns the feature's hook. `en` must have exactly the keys of `zh` (the type says so),
 * and placeholders use the same `{name}` form as above.
 *
 *   const useStrings = defineStrings('payouts', { approve: '通过' }, { approve: 'Approve' });
 *   const s = useStrings();  s('approve')
 */
export function defineStrings<K extends string>(
  namespace: string,
  zhTable: Record<K, string>,
  enTable: NoInfer<Record<K, string>>,
): (() => FeatureStrings<K>) & { forLocale(locale: Locale): FeatureStrings<K> } {
  i18n.addResourceBundle('zh-CN', namespace, zhTable);
  i18n.addResourceBundle('en', namespace, enTable);
  const fixed = (locale: Locale) => {
    const t = i18n.getFixedT(locale, namespace);
    return (key: K, vars: Record<string, string | number> = {}) => t(key, vars);
  };
  const tables: Record<Locale, (key: K, vars?: Record<string, string | number>) => string> = {
    'zh-CN': fixed('zh-CN'),
    en: fixed('en'),
  };
  const hook = () => tables[useContext(LocaleContext)];
  /** Outside React (exports, tests): the table of one language. */
  hook.forLocale = (locale: Locale) => tables[locale];
  return hook;
}

export type FeatureStrings<K extends string> = (key: K, vars?: Record<string, string | number>) => string;
