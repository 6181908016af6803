import { describe, expect, it } from 'vitest';
import { hitSignals, parseDictionary, scanFields, scanText } from './scanner';

/** Every hit's range must slice to its own `match` in the original text. */
function scan(text: string) {
  const hits = scanText(text);
  for (const h of hits) expect(text.slice(h.start, h.end)).toBe(h.match);
  return hits;
}
const kinds = (text: string) => scan(text).map((h) => h.kind);
const only = (text: string, kind: string) => scan(text).filter((h) => h.kind === kind);

describe('scanner: phone numbers', () => {
  it.each([
    ['电话 13800138000', '13800138000'],
    ['电话 138 0013 8000', '138 0013 8000'],
    ['call 138-0013-8000 now', '138-0013-8000'],
    ['手机：138.0013.8000', '138.0013.8000'],
    ['+86 139 1234 5678', '+86 139 1234 5678'],
    ['联系 １３８００１３８０００', '１３８００１３８０００'],
    ['拨打一三八零零一三八零零零', '一三八零零一三八零零零'],
    ['号码 ①③⑧⓪⓪①③⑧⓪⓪⓪ 谢谢', '①③⑧⓪⓪①③⑧⓪⓪⓪'],
    ['号码 ❶❸❽0013 8000', '❶❸❽0013 8000'],
    ['手机1📞3😀8 0013 8000', '1📞3😀8 0013 8000'],
    ['壹叁捌零零壹叁捌零零零', '壹叁捌零零壹叁捌零零零'],
    ['186*1234*5678', '186*1234*5678'],
    ['幺三八 零零幺三 八零零零', '幺三八 零零幺三 八零零零'],
  ])('%s', (text, match) => {
    const phones = only(text, 'phone');
    expect(phones).toHaveLength(1);
    expect(phones[0]!.match).toBe(match);
  });

  it.each([
    '基础版 500元，标准版 1200元，高级版 3000元',
    '交付时间 2024-11-27 13:00，修改 3 次',
    '2024年11月27日前交付',
    '订单号 JX202411270001',
    '价格 ¥1380.00',
    '已完成 13 单，好评率 98%',
    '项目预算 13,800,138,000 元的大型工程',
    '版本 1.3.8 与 2.0.0 都支持',
    '我们团队有一二三四个人',
    '12345678901234',
    '电话号码请在平台内沟通',
    '第1 2 3 4 5 6 7 8 9 10 11 条',
  ])('not a phone: %s', (text) => {
    expect(only(text, 'phone')).toEqual([]);
  });

  it('a landline-looking or too short number is not a mobile', () => {
    expect(only('座机 010-1234567', 'phone')).toEqual([]);
    expect(only('1380013800', 'phone')).toEqual([]);
    expect(only('12800138000', 'phone')).toEqual([]);
  });
});

describe('scanner: WeChat, QQ, email, URL', () => {
  it('finds a WeChat id after the keyword and its variants', () => {
    for (const [text, match] of [
      ['加我微信 abc_12345', '微信 abc_12345'],
      ['VX：zhangsan888', 'VX：zhangsan888'],
      ['wx: design-studio', 'wx: design-studio'],
      ['威信 lily_2024 详聊', '威信 lily_2024'],
      ['薇信号是 meimei', '薇信号是 meimei'],
      ['加Ｖ信ａｂｃ１２３４', 'Ｖ信ａｂｃ１２３４'],
      ['微信号：zhangsan', '微信号：zhangsan'],
    ] as const) {
      const hits = only(text, 'wechat');
      expect(hits, text).toHaveLength(1);
      expect(hits[0]!.match).toBe(match);
    }
  });

  it('does not take prose or payment words for a WeChat id', () => {
    for (const text of [
      '支持微信支付和支付宝',
      '微信 please 联系客服',
      '可以用微信付款',
      'twxyz123456',
      'wx',
      '微信群聊天记录整理',
    ])
      expect(only(text, 'wechat'), text).toEqual([]);
  });

  it('finds QQ numbers after QQ, 扣扣 or 企鹅, with separators and other digit styles', () => {
    for (const [text, match] of [
      ['QQ 12345678', 'QQ 12345678'],
      ['扣扣：9 8 7 6 5 4 3', '扣扣：9 8 7 6 5 4 3'],
      ['企鹅号 一二三四五六七', '企鹅号 一二三四五六七'],
      ['ＱＱ群：５５５６６６７７', 'ＱＱ群：５５５６６６７７'],
    ] as const) {
      const hits = only(text, 'qq');
      expect(hits, text).toHaveLength(1);
      expect(hits[0]!.match).toBe(match);
    }
    expect(only('QQ音乐会员', 'qq')).toEqual([]);
    expect(only('qq 123', 'qq')).toEqual([]);
    expect(only('faqq 12345678', 'qq')).toEqual([]);
  });

  it('finds emails and web addresses, not technology names', () => {
    expect(only('邮箱 design.studio@163.com 联系', 'email').map((h) => h.match)).toEqual([
      'design.studio@163.com',
    ]);
    expect(only('发到 １２３４５６＠ｑｑ．ｃｏｍ', 'email').map((h) => h.match)).toEqual([
      '１２３４５６＠ｑｑ．ｃｏｍ',
    ]);
    // The domain of an email is not a second (URL) hit.
    expect(kinds('abc@qq.com')).toEqual(['email']);
    expect(only('作品集 https://example.com/works?id=1 欢迎查看', 'url').map((h) => h.match)).toEqual([
      'https://example.com/works?id=1',
    ]);
    expect(only('访问 www.myshop.cn。', 'url').map((h) => h.match)).toEqual(['www.myshop.cn']);
    expect(only('官网 mystudio.top 上有案例', 'url').map((h) => h.match)).toEqual(['mystudio.top']);
    for (const text of ['精通 ASP.NET 与 Vue.js', '使用 Node.js 开发', '版本 v1.2', '价格 1.5万'])
      expect(only(text, 'url'), text).toEqual([]);
  });
});

describe('scanner: prohibited words', () => {
  it('finds dictionary words with their category, also spaced out or in full width', () => {
    const hits = only('本店承接代写论文、刷单业务', 'prohibited_word');
    expect(hits.map((h) => [h.match, h.category])).toEqual([
      ['代写论文', 'academic_fraud'],
      ['刷单', 'fake_transaction'],
    ]);
    expect(only('提供 代 写 论 文 服务', 'prohibited_word').map((h) => h.match)).toEqual(['代 写 论 文']);
    expect(only('代*考 包过', 'prohibited_word').map((h) => h.match)).toEqual(['代*考']);
    expect(only('专业办证刻章', 'prohibited_word').map((h) => h.match)).toEqual(['办证', '刻章']);
    expect(only('线上赌博平台推广', 'prohibited_word').map((h) => h.category)).toEqual(['gambling']);
  });

  it('leaves ordinary listings alone', () => {
    for (const text of [
      '专业LOGO设计，包含源文件与多种配色方案。',
      '论文润色与英文翻译，不代写，只做语言修改建议',
      '网站开发 React + Node.js，三天交付',
      '基础版 500元 1 个方案，2 次修改',
    ])
      expect(scan(text), text).toEqual([]);
  });

  it('a custom dictionary can be given; bad dictionary lines are refused', () => {
    const dict = parseDictionary('# 注释\n\n外挂\tcheating\n');
    expect(scanText('出售游戏外挂', dict).map((h) => h.category)).toEqual(['cheating']);
    expect(() => parseDictionary('no-category-here')).toThrow(/bad dictionary line/);
  });
});

describe('scanner: positions and signals', () => {
  it('positions are UTF-16 offsets into the original text, also after emoji and surrogate pairs', () => {
    const text = '😀😀你好👍 微信 abc_12345，电话 138 0013 8000，另接代考';
    const hits = scan(text);
    expect(hits.map((h) => h.kind)).toEqual(['wechat', 'phone', 'prohibited_word']);
    expect(hits[0]).toMatchObject({ start: text.indexOf('微信'), match: '微信 abc_12345' });
    expect(hits[1]).toMatchObject({ start: text.indexOf('138'), match: '138 0013 8000' });
  });

  it('scanFields names the field; signals raise priority and set flags', () => {
    const hits = scanFields({ title: '海报设计', description: '加我VX: poster_2024 详聊' });
    expect(hits).toEqual([expect.objectContaining({ field: 'description', kind: 'wechat' })]);
    expect(hitSignals(hits)).toEqual({ flags: ['contact_leak'], priority: 2 });
    expect(hitSignals([{ kind: 'prohibited_word' }, { kind: 'qq' }])).toEqual({
      flags: ['contact_leak', 'prohibited_word'],
      priority: 3,
    });
    expect(hitSignals([])).toEqual({ flags: [], priority: 1 });
  });

  it('empty and huge texts', () => {
    expect(scanText('')).toEqual([]);
    const big = `${'设计'.repeat(5000)}13800138000`;
    expect(scanText(big).map((h) => h.kind)).toEqual(['phone']);
  });
});
