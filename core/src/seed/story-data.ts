/** What the people in the demo say to each other: order requirements, deliveries, reviews, chats. */

/** Order requirements by top-level category slug. `{company}`, `{industry}`, `{city}` are filled in. */
export const REQUIREMENTS: Record<string, readonly string[]> = {
  'web-development': [
    '我们是{city}一家{industry}公司（{company}），需要做一个公司官网，包含首页、关于我们、产品中心、新闻动态、联系我们。风格简洁大气，参考苹果官网。需要后台可以自己更新新闻和产品。',
    '现有网站是五年前做的，打开很慢，手机上排版是乱的。希望重新设计并迁移原有内容，域名和服务器我们自己有。',
    '需要一个外贸英文站，主营{industry}产品，要能被谷歌收录，带询盘表单，询盘发到企业邮箱。',
  ],
  'mini-programs': [
    '做一个门店预约小程序：用户选门店、选技师、选时间，微信支付定金，后台能看预约和核销。我们有3家门店，在{city}。',
    '社区团购小程序，团长管理、商品上架、下单支付、自提点核销，要有销售统计。原型图已经画好了，下单后发你。',
    '需要一个会员积分小程序，扫码积分、积分兑换、会员等级，对接我们现有的收银系统（有API文档）。',
  ],
  'app-development': [
    '需要开发一款健身打卡App，iOS和Android都要，功能：课程列表、打卡、排行榜、会员购买。设计稿我们提供。',
    '现有App在部分安卓机型上闪退，需要排查修复并做一次性能优化，代码仓库可以给权限。',
  ],
  'graphic-design': [
    '{company}需要设计LOGO，主营{industry}。希望体现专业、可信赖，颜色偏蓝绿，要有中文和英文两个版本。',
    '双11活动海报3张，尺寸：朋友圈1080×1920、公众号首图900×383、门店易拉宝80×200cm。文案我们提供。',
    '新品茶叶礼盒包装设计，国风，礼盒尺寸30×20×8cm，需要刀版图和效果图，下个月要打样。',
    '淘宝店新品上架，需要5张主图+详情页，产品是{industry}类，有实拍图，需要精修。',
  ],
  'ui-design': [
    'SaaS后台的UI改版，大约15个页面，现在的界面太老旧，希望现代一些，交付Figma文件和组件库。',
    '一个记账小程序的UI设计，目标用户是年轻女性，风格可爱清新，8个页面左右。',
  ],
  'short-video': [
    '每周剪5条抖音口播视频，每条1分钟左右，需要加字幕、音效和封面，素材每周一发给你。',
    '公司年会视频剪辑，素材约2小时，成片5分钟，要有开场片头和年度回顾部分。',
    '产品宣传片，素材已拍好，需要剪成90秒和15秒两个版本，调色偏暖。',
  ],
  copywriting: [
    '我们是做{industry}的，需要写10篇小红书种草笔记，每篇300字左右，语气真实，不要硬广。',
    '新品发布，需要提炼产品卖点并写详情页文案，另外出3条广告语备选。',
    '融资用的商业计划书，已有初稿和财务数据，需要重新梳理逻辑并做成20页左右的PPT。',
  ],
  translation: [
    '一份8000字的产品说明书中译英，专业术语较多（{industry}），需要保持格式。',
    '论文英文润色，约6000词，准备投SCI期刊，需要修改语法并提升表达。',
    '公司网站内容翻译成日语，约5000字，之后可能还有持续合作。',
  ],
  'data-entry': [
    '有约3000张纸质问卷的扫描件，需要录入到Excel，字段共20个，要求准确率高。',
    '整理一份{city}地区{industry}企业名录，包括公司名、地址、联系人职务、官网，约1000条。',
    '几个Excel表格需要合并去重，并做一个按月份汇总的透视表，最好能写个宏以后每月自动跑。',
  ],
  marketing: [
    '官网上线半年，百度几乎搜不到，需要做一次SEO诊断并给出整改方案，主要关键词是{industry}相关。',
    '小红书企业号代运营一个月，产品是{industry}类，每周3篇笔记，需要提供选题表。',
  ],
  audio: [
    '企业宣传片配音，约800字，需要沉稳大气的男声，交付WAV格式。',
    '抖音账号需要一段15秒的片头配乐，轻快活泼，需要可商用授权。',
  ],
};

export const DELIVERY_MESSAGES = [
  '您好，作品已完成，源文件和说明文档都在附件里，请查收。有任何问题随时沟通～',
  '已按照需求完成交付，测试环境地址和后台账号已在消息里发给您，请验收。',
  '初稿已交付，包含3个方向，请您看看更倾向哪一个，我再细化。',
  '全部内容已完成并自查两遍，格式与原文一致，请查收。',
  '已修改完毕，按您的意见调整了配色和字体，请再看一下。',
];

export const REVISION_MESSAGES = [
  '整体不错，LOGO的字体能再粗一点吗？另外蓝色偏暗，想要更亮一些的。',
  '首页轮播图的尺寸在手机上显示不全，麻烦调整一下。',
  '第二段的翻译有几个术语不太准确，我标注在文档里了，麻烦修改。',
  '视频节奏有点慢，前3秒需要更抓人，字幕颜色也换成黄色。',
  '后台新增商品时图片上传失败，麻烦排查一下。',
];

export const CANCELLATION_REASONS_CLIENT = [
  '公司项目预算调整，这个需求暂时不做了，抱歉。',
  '需求变更比较大，和原来的套餐不太匹配，想先取消再重新下单。',
  '内部已经找到人做了，协商取消吧，谢谢理解。',
];

export const CANCELLATION_REASONS_FREELANCER = [
  '最近排期太满，担心无法按时交付，协商取消以免耽误您。',
  '需求超出了我擅长的范围，建议您找更合适的服务商。',
];

export const DECLINE_REASONS = [
  '抱歉，档期已满，近两周无法接新单。',
  '需求涉及的技术栈我不熟悉，为保证质量不接此单。',
];

/** A client's complaint about the work (the client opens the dispute). */
export const DISPUTE_REASONS_CLIENT = [
  '交付的作品与需求描述严重不符，多次沟通后服务商仍不修改。',
  '已经超过约定交付时间一周，服务商不回复消息。',
  '交付的代码无法运行，关键功能缺失。',
];

/** A freelancer's complaint about the client (the freelancer opens the dispute). */
export const DISPUTE_REASONS_FREELANCER = [
  '客户在验收后又提出大量套餐外的新需求，不修改就拒绝确认，申请平台介入。',
  '已按需求文档全部交付，客户不验收也不说明问题，申请平台判断。',
];

/** Every complaint, for callers that do not say who opens the dispute (the engine bench). */
export const DISPUTE_REASONS: readonly string[] = [...DISPUTE_REASONS_CLIENT, ...DISPUTE_REASONS_FREELANCER];

/** Client → freelancer review comments by star rating. */
export const REVIEWS_OF_FREELANCERS: Record<number, readonly string[]> = {
  5: [
    '非常专业！沟通顺畅，交付比预期还快，下次还找你。',
    '设计感很强，改了两次就定稿了，老板很满意。',
    '代码规范，文档齐全，后续还主动帮忙部署，强烈推荐。',
    '翻译质量很高，术语准确，排版也保持了原样。',
    '响应特别及时，半夜提的修改第二天一早就改好了。',
  ],
  4: [
    '整体满意，个别细节改了几次，最终效果不错。',
    '质量可以，就是交付比约定晚了一天，提前沟通了，可以理解。',
    '性价比高，有需要还会再来。',
  ],
  3: ['效果一般，和案例展示的水平有差距，不过态度还可以。', '完成了基本需求，沟通需要多催几次。'],
  2: ['交付质量不太理想，修改意见理解有偏差。'],
  1: ['严重拖延，最后交付的东西基本不能用。'],
};

/** Freelancer → client review comments by star rating. */
export const REVIEWS_OF_CLIENTS: Record<number, readonly string[]> = {
  5: [
    '需求清晰，付款爽快，合作非常愉快！',
    '很尊重专业意见的客户，期待再次合作。',
    '资料准备得很充分，沟通效率很高。',
  ],
  4: ['沟通顺畅，中途需求有些调整，整体愉快。', '人很好，就是反馈稍慢。'],
  3: ['需求变动比较多，希望下次提前想清楚。'],
  2: ['验收标准反复变化，沟通成本较高。'],
  1: ['多次提出套餐外的要求，不太愉快。'],
};

/** A pre-sale chat: the client asks, the freelancer answers. Alternates starting with the client. */
export const PRESALE_CHATS: readonly (readonly string[])[] = [
  [
    '你好，请问这个套餐包含源文件吗？',
    '您好，标准版和高级版都包含源文件，基础版只有JPG/PNG。',
    '好的，那我先看看，谢谢。',
  ],
  [
    '在吗？想问下加急的话最快几天能交付？',
    '在的，加急最快2天，需要看具体需求，方便描述一下吗？',
    '大概就是一个单页的活动页。',
    '单页的话2天没问题，您直接拍标准版就行。',
  ],
  ['请问能开发票吗？', '可以的，平台支持开具电子发票，下单后在订单详情里申请就好。'],
  [
    '你好，我们有个类似的项目，预算3000左右，可以做吗？',
    '您好，可以先把需求文档发我看看，我评估一下工作量。',
    '好的，我整理一下晚点发你。',
  ],
  ['看了你的作品集，风格很喜欢！', '谢谢认可～有需求随时找我。'],
];

/** Messages exchanged on an order, after payment. Alternates starting with the freelancer. */
export const ORDER_CHATS: readonly (readonly string[])[] = [
  [
    '您好，已经收到订单，我先整理一下需求，有问题会随时问您。',
    '好的，辛苦了！',
    '素材方便的话今天发我一下哦。',
    '已经发到邮箱了，请查收。',
  ],
  ['初稿预计明天下午给到您。', '好的，期待！'],
  ['请问LOGO需要体现公司名称的首字母吗？', '需要的，最好能看出是“Y”。', '明白，我按这个方向做。'],
  [
    '交付文件已上传，麻烦验收一下～',
    '收到，我今晚看一下。',
    '看过了，挺好的，我去确认收货。',
    '感谢支持！有需要随时找我。',
  ],
];
