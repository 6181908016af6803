import type { Dice } from './random';

/**
 * Chinese demo content for the simulator: listings, order requirements, chat lines, dispute reasons,
 * support questions, reports, names and ID numbers. A configurable share of listings and messages
 * deliberately carries a contact leak or a prohibited word so the moderation queues get work.
 */

/** Contact leaks the scanner should catch (WeChat id, phone number, QQ), as freelancers really write them. */
export const CONTACT_LEAKS = [
  '加我微信 jx_8866，价格好商量',
  '有问题直接打电话 138 0013 8000',
  'QQ 12345678 详聊，平台外交易更便宜',
  '微信同号：13800138000，加好友备注“匠心”',
  '私聊 V:jiangxin_design 可优惠',
] as const;

/** Prohibited offers moderators must reject. */
export const PROHIBITED_PHRASES = [
  '另承接刷单、刷好评业务，量大从优',
  '代写论文，包过查重',
  '提供刷单刷销量服务，安全不封号',
  '毕业论文代写代发，加急可做',
] as const;

interface ListingTemplate {
  /** Words to look for in a category's Chinese name to place the listing sensibly. */
  categoryHints: string[];
  title: string;
  titleZh: string;
  description: string;
  /** Basic package price in yuan; standard and premium scale from it. */
  baseYuan: number;
  days: number;
}

const LISTINGS: ListingTemplate[] = [
  {
    categoryHints: ['LOGO', '平面'],
    title: 'Original logo design with source files',
    titleZh: '原创LOGO设计 含源文件',
    description:
      '资深品牌设计师，为初创公司和小店设计原创标志。交付AI/PSD源文件、标准色与组合规范，支持商标注册使用。',
    baseYuan: 300,
    days: 5,
  },
  {
    categoryHints: ['企业官网', '网站'],
    title: 'Responsive company website',
    titleZh: '企业官网定制开发 响应式',
    description:
      '为企业搭建响应式官网，电脑和手机自适应，包含后台内容管理、SEO基础优化和一年技术支持，可协助备案。',
    baseYuan: 2800,
    days: 14,
  },
  {
    categoryHints: ['微信小程序', '小程序'],
    title: 'WeChat mini program development',
    titleZh: '微信小程序开发 商城预约',
    description:
      '承接商城、预约、点餐类微信小程序开发，含前端页面、后台管理和微信支付对接，源码交付，可上线指导。',
    baseYuan: 5000,
    days: 20,
  },
  {
    categoryHints: ['海报', '平面'],
    title: 'Event poster and banner design',
    titleZh: '活动海报 电商banner设计',
    description: '节日促销、开业活动、公众号头图均可设计，三天内出初稿，满意为止，可提供多种尺寸适配。',
    baseYuan: 150,
    days: 3,
  },
  {
    categoryHints: ['短视频', '抖音', '剪辑'],
    title: 'Short video editing for Douyin',
    titleZh: '抖音短视频剪辑 包装字幕',
    description: '专业剪辑抖音、快手短视频，包含字幕、转场、配乐和封面制作，帮助账号提升完播率和互动。',
    baseYuan: 200,
    days: 3,
  },
  {
    categoryHints: ['文案', '品牌'],
    title: 'Brand copywriting and slogans',
    titleZh: '品牌文案 广告语撰写',
    description: '十年广告公司文案经验，撰写品牌故事、产品卖点和广告语，提供三个方向供选择，可修改至满意。',
    baseYuan: 400,
    days: 4,
  },
  {
    categoryHints: ['英语翻译', '翻译'],
    title: 'Chinese-English translation by native speakers',
    titleZh: '中英互译 商务合同 母语润色',
    description:
      '专业八级译者，承接商务合同、产品说明书和网站本地化翻译，外籍母语审校，保证术语准确、行文地道。',
    baseYuan: 260,
    days: 3,
  },
  {
    categoryHints: ['Excel', '数据'],
    title: 'Excel data cleaning and reports',
    titleZh: 'Excel数据整理 报表自动化',
    description: '帮您整理杂乱数据、制作透视表和自动化报表模板，VBA和公式都可以做，附带使用说明文档。',
    baseYuan: 180,
    days: 2,
  },
  {
    categoryHints: ['App界面', 'UI'],
    title: 'App UI design in Figma',
    titleZh: 'App界面UI设计 Figma交付',
    description: '移动端App界面设计，包含交互原型、视觉稿与标注切图，使用Figma交付，可对接开发团队走查还原。',
    baseYuan: 1200,
    days: 10,
  },
  {
    categoryHints: ['配音', '音频'],
    title: 'Mandarin voice-over for ads',
    titleZh: '普通话配音 广告宣传片',
    description: '国家一级甲等普通话，男女声均可，承接广告、宣传片、有声书配音，专业录音棚，24小时内交付。',
    baseYuan: 120,
    days: 1,
  },
  {
    categoryHints: ['SEO', '营销'],
    title: 'SEO audit and optimisation plan',
    titleZh: '网站SEO诊断与优化方案',
    description: '对网站做全面SEO诊断，输出关键词规划、站内优化清单和外链建议，帮助提升百度自然排名。',
    baseYuan: 800,
    days: 7,
  },
  {
    categoryHints: ['商业计划书'],
    title: 'Business plan for fundraising',
    titleZh: '融资商业计划书撰写',
    description:
      '投行背景团队撰写融资BP，含市场分析、商业模式、财务预测和路演PPT，已助力多家企业获得天使轮融资。',
    baseYuan: 3000,
    days: 10,
  },
];

export interface ListingContent {
  title: string;
  titleZh: string;
  description: string;
  categoryHints: string[];
  packages: {
    tier: 'basic' | 'standard' | 'premium';
    title: string;
    description: string;
    priceFen: number;
    deliveryDays: number;
    revisions: number;
  }[];
  /** What was planted for the moderators, if anything. */
  planted: 'contact_leak' | 'prohibited' | null;
}

const STYLE_PREFIX = ['', '【包满意】', '【急速交付】', '【源文件】', '【专业团队】'] as const;

/** A listing with three packages; `plant` adds a contact leak or a prohibited offer to the description. */
export function listingContent(dice: Dice, plant: ListingContent['planted']): ListingContent {
  const t = dice.pick(LISTINGS);
  const prefix = dice.pick(STYLE_PREFIX);
  const base = Math.max(50, Math.round((t.baseYuan * dice.int(80, 130)) / 100)) * 100;
  let description = t.description;
  if (plant === 'contact_leak') description += ` ${dice.pick(CONTACT_LEAKS)}`;
  if (plant === 'prohibited') description += ` ${dice.pick(PROHIBITED_PHRASES)}`;
  return {
    title: t.title,
    titleZh: `${prefix}${t.titleZh}`.slice(0, 60),
    description,
    categoryHints: t.categoryHints,
    planted: plant,
    packages: [
      {
        tier: 'basic',
        title: '基础版',
        description: '满足基本需求，1个方案',
        priceFen: base,
        deliveryDays: t.days,
        revisions: 1,
      },
      {
        tier: 'standard',
        title: '标准版',
        description: '3个方案，含源文件',
        priceFen: base * 2,
        deliveryDays: t.days + 2,
        revisions: 3,
      },
      {
        tier: 'premium',
        title: '高级版',
        description: '不限方案，优先排期，一对一沟通',
        priceFen: base * 4,
        deliveryDays: t.days + 5,
        revisions: 5,
      },
    ],
  };
}

export const SEARCH_TERMS = [
  'LOGO',
  '设计',
  '小程序',
  '官网',
  '海报',
  '剪辑',
  '翻译',
  '文案',
  'Excel',
  '配音',
  'SEO',
  'UI',
] as const;

const REQUIREMENTS = [
  '我们是一家做手工茶叶的小店，想要一个有中国风感觉的标志，主色调偏绿色。',
  '公司官网需要中英文两个版本，参考苹果官网的简洁风格，下月初要上线。',
  '需要一个社区团购小程序，包含商品展示、下单和微信支付，后台能导出订单。',
  '双十一活动海报，尺寸750×1334，突出“满300减50”，风格喜庆一些。',
  '有十段探店素材，每段剪成30秒左右的竖版视频，配热门音乐和字幕。',
  '产品说明书约三千字，中译英，需要符合欧美用户阅读习惯。',
  '每周销售数据汇总成一张报表，希望能一键刷新，不用每次手工复制。',
  '请在收到订单后先和我确认需求细节，谢谢！',
];

export const requirementText = (dice: Dice) => dice.pick(REQUIREMENTS);

const DELIVERY = [
  '您好，初稿已完成，源文件已打包，请查收并提出修改意见。',
  '已按需求完成全部内容，附件包含最终版和使用说明，有问题随时联系。',
  '作品已交付，请在电脑端查看效果，如需调整颜色或字体请告诉我。',
  '修改后的版本已上传，这次把您提到的细节都调整了，请验收。',
];
export const deliveryText = (dice: Dice) => dice.pick(DELIVERY);

const REVISION = [
  '整体不错，但颜色有点暗，能否调亮一些？字体也换成更现代的。',
  '第二页的内容和我们的需求不太一致，麻烦按照需求文档再改一下。',
  '视频节奏有点慢，开头三秒需要更抓人，字幕请换成白底黑字。',
  '译文有几处术语不准确，我已在文档中标注，请修改后重新提交。',
];
export const revisionText = (dice: Dice) => dice.pick(REVISION);

const DECLINE = ['档期已满，抱歉无法接单', '需求超出服务范围，建议选择其他服务商', '近期身体不适，暂停接单'];
export const declineReason = (dice: Dice) => dice.pick(DECLINE);

const DISPUTE = [
  '服务商交付的作品与需求严重不符，多次沟通后仍不修改，要求退款。',
  '已超过约定交付时间一周，服务商不回复消息，交付内容明显是网上模板。',
  '交付的源文件打不开，服务商拒绝重新提供，要求平台介入处理。',
  '服务商中途要求加价才肯继续做，否则不交付，希望平台主持公道。',
];
export const disputeReason = (dice: Dice) => dice.pick(DISPUTE);

const EVIDENCE = [
  '附上双方聊天记录截图，可以看到需求在下单时已经说明清楚。',
  '这是我们最初提供的需求文档和服务商交付文件的对比，差异很明显。',
  '补充说明：交付后我在24小时内就提出了修改意见，对方一直未处理。',
  '服务商补充：已按需求完成全部工作，并额外提供了两次免费修改。',
];
export const evidenceNote = (dice: Dice) => dice.pick(EVIDENCE);

const PRESALE = [
  '您好，请问这个服务可以加急吗？我们下周三之前需要。',
  '你好，想了解一下标准版和高级版的区别，源文件包含在内吗？',
  '请问可以先看一下类似的案例作品吗？',
  '在吗？我们有长期合作的需求，价格能否优惠一些？',
  '您好，我们是一家餐饮连锁品牌，想咨询一下整体视觉升级的报价。',
];
const REPLIES = [
  '您好，可以加急的，下单时备注一下就行。',
  '标准版包含源文件和三次修改，高级版不限方案数。',
  '案例已经发到作品集里了，您可以在主页查看。',
  '长期合作可以给到九折，欢迎下单详谈。',
];
export const presaleText = (dice: Dice) => dice.pick(PRESALE);
export const replyText = (dice: Dice) => dice.pick(REPLIES);

interface SupportTopic {
  subject: string;
  message: string;
  followUps: string[];
  aboutOrder: boolean;
}
const SUPPORT: SupportTopic[] = [
  {
    subject: '订单付款后状态没有更新',
    message: '我已经用支付宝付款成功了，但是订单还显示待付款，请帮忙查一下。',
    followUps: ['已经过去十分钟了，还是没有变化。', '付款截图我可以提供，请问发到哪里？'],
    aboutOrder: true,
  },
  {
    subject: '提现多久到账',
    message: '我昨天申请了提现到支付宝，想问一下一般多久能到账？',
    followUps: ['今天还没有收到，麻烦帮我催一下。', '好的，谢谢客服。'],
    aboutOrder: false,
  },
  {
    subject: '服务商不回复消息',
    message: '下单三天了服务商一直不回复，也没有接单，我该怎么办？',
    followUps: ['可以帮我联系一下服务商吗？', '如果一直不接单，钱会自动退回吗？'],
    aboutOrder: true,
  },
  {
    subject: '实名认证一直在审核中',
    message: '我提交实名认证已经两天了，状态一直是审核中，影响我提现。',
    followUps: ['请问需要补充什么材料吗？', '麻烦尽快处理，谢谢！'],
    aboutOrder: false,
  },
  {
    subject: '如何申请开具发票',
    message: '公司采购需要发票，请问平台可以开增值税专用发票吗？',
    followUps: ['我们的开票信息已经准备好了。', '大概多久可以开出来？'],
    aboutOrder: true,
  },
  {
    subject: '账号被限制登录',
    message: '我的账号今天突然提示操作过于频繁，是被封号了吗？',
    followUps: ['现在可以正常登录了，谢谢。', '请问是什么原因导致的？'],
    aboutOrder: false,
  },
];
export const supportTopic = (dice: Dice) => dice.pick(SUPPORT);
const GENERIC_FOLLOW_UPS = ['请问有进展了吗？', '还在吗？麻烦回复一下。', '谢谢，问题已经解决了。'];
export const supportFollowUp = (dice: Dice, topic?: { followUps: string[] }) =>
  dice.pick(topic ? [...topic.followUps, ...GENERIC_FOLLOW_UPS] : GENERIC_FOLLOW_UPS);

const REPORT_DETAIL = {
  contact_info: '描述里留了微信号，引导站外交易。',
  prohibited_content: '服务内容涉嫌违规，平台不应允许发布。',
  fraud: '对方要求先转账到私人账户，疑似诈骗。',
  harassment: '对方在聊天中言语辱骂，态度恶劣。',
  spam: '同样的广告内容反复发送。',
  other: '感觉这个服务有问题，请平台核实。',
} as const;
export type ReportReasonKey = keyof typeof REPORT_DETAIL;
export const reportDetail = (reason: ReportReasonKey) => REPORT_DETAIL[reason];

const SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '赵', '黄', '周', '吴', '欧阳', '司马'];
const GIVEN = ['伟', '芳', '娜', '敏', '静', '磊', '洋', '婷', '强', '军', '晓明', '雨萱', '子涵', '浩然'];
export const realName = (dice: Dice) => dice.pick(SURNAMES) + dice.pick(GIVEN);

const NICK_A = ['小', '阿', '老', '大'];
const NICK_B = ['鱼', '熊', '猫', '鹿', '橙', '木', '云', '石'];
const NICK_C = ['设计', '工作室', '同学', '老师', '先生', '女士'];
export const nickname = (dice: Dice) => dice.pick(NICK_A) + dice.pick(NICK_B) + dice.pick(NICK_C);

/** A mainland resident ID number with a valid GB 11643 check digit (fictional region + birth date). */
export function idNumber(dice: Dice): string {
  const region = dice.pick(['110101', '310104', '440305', '330106', '510107']);
  const birth = `${dice.int(1970, 2002)}${String(dice.int(1, 12)).padStart(2, '0')}${String(dice.int(1, 28)).padStart(2, '0')}`;
  const body = `${region}${birth}${String(dice.int(0, 999)).padStart(3, '0')}`;
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = weights.reduce((acc, w, i) => acc + w * Number(body[i]), 0);
  return body + '10X98765432'[sum % 11];
}

const BANKS = ['招商银行', '中国工商银行', '中国建设银行', '中国银行', '交通银行'];
/** A withdrawal account in the user's real name: Alipay login, WeChat id or bank card. */
export function withdrawalAccount(
  dice: Dice,
  name: string,
): { channel: 'alipay' | 'wechat' | 'bank'; account: { name: string; number: string; bankName?: string } } {
  const channel = dice.pick(['alipay', 'wechat', 'bank'] as const);
  if (channel === 'bank') {
    const card = `6222${Array.from({ length: 15 }, () => dice.int(0, 9)).join('')}`;
    return { channel, account: { name, number: card, bankName: dice.pick(BANKS) } };
  }
  if (channel === 'wechat') return { channel, account: { name, number: `wxid_${dice.token(10)}` } };
  return {
    channel,
    account: { name, number: `1${dice.pick(['38', '39', '58', '86'])}${dice.int(10000000, 99999999)}` },
  };
}
