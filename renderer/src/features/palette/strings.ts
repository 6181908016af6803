import { defineStrings } from '../../i18n';

export const usePaletteStrings = defineStrings(
  'palette',
  {
    title: '查找工单、用户、订单',
    placeholder: '输入工单号、标题、用户名、昵称、手机号或订单号（支持中文）',
    cases: '工单',
    users: '用户',
    orders: '订单',
    none: '本地缓存中没有匹配的结果',
    hint: '↑↓ 选择 · Enter 打开 · Esc 关闭',
    open: '打开查找（Ctrl+K）',
    userId: '用户 #{id}',
    userWithLogin: '{nickname}（{username}）',
    statusUnknown: '状态待同步',
    noQueue: '没有可打开它的队列',
  },
  {
    title: 'Find a case, user or order',
    placeholder: 'Type a case number, a title, a username, a nickname, a phone number or an order number',
    cases: 'Cases',
    users: 'Users',
    orders: 'Orders',
    none: 'Nothing in the local cache matches',
    hint: '↑↓ to choose · Enter to open · Esc to close',
    open: 'Find (Ctrl+K)',
    userId: 'User #{id}',
    userWithLogin: '{nickname} ({username})',
    statusUnknown: 'Status not synced yet',
    noQueue: 'No queue of yours opens it',
  },
);

export type PaletteStrings = ReturnType<typeof usePaletteStrings>;
