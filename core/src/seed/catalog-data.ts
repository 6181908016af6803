/**
 * The demo catalog: the category tree (zh/en, slugs), skills per category and the listing templates the
 * seeder composes titles, packages and prices from. Prices are yuan here; the seeder stores fen.
 */

export interface TitleTemplate {
  zh: string;
  en: string;
}

export interface LeafCategory {
  slug: string;
  name: string;
  nameZh: string;
  skills: readonly (readonly [en: string, zh: string])[];
  titles: readonly TitleTemplate[];
  /** Basic-package price range in yuan. */
  basicYuan: readonly [number, number];
  /** Basic-package delivery range in days. */
  days: readonly [number, number];
  /** What each tier contains, in zh. */
  packages: readonly [basic: string, standard: string, premium: string];
}

export interface TopCategory {
  slug: string;
  name: string;
  nameZh: string;
  children: readonly LeafCategory[];
}

/** Top-level categories in display order, each with its leaf categories. */
export const CATEGORIES: readonly TopCategory[] = [
  {
    slug: 'web-development',
    name: 'Website Development',
    nameZh: '网站开发',
    children: [
      {
        slug: 'corporate-website',
        name: 'Corporate Websites',
        nameZh: '企业官网',
        skills: [
          ['HTML/CSS', 'HTML/CSS'],
          ['Responsive Design', '响应式布局'],
          ['PHP', 'PHP'],
          ['CMS', '内容管理系统'],
        ],
        titles: [
          {
            zh: '企业官网定制开发 响应式 含后台',
            en: 'Custom corporate website, responsive, with admin panel',
          },
          {
            zh: '高端品牌官网设计与开发 PC+移动端',
            en: 'Premium brand website design and build for desktop and mobile',
          },
          { zh: '外贸英文官网搭建 SEO友好', en: 'SEO-friendly English website for export businesses' },
          { zh: '公司官网改版升级 老站迁移', en: 'Company website redesign and migration' },
        ],
        basicYuan: [1500, 6000],
        days: [7, 15],
        packages: [
          '5个页面，模板化设计，基础后台',
          '10个页面，定制设计，新闻/产品管理后台',
          '不限页面，全定制设计，多语言+SEO优化+一年维护',
        ],
      },
      {
        slug: 'ecommerce-website',
        name: 'E-commerce Websites',
        nameZh: '电商网站',
        skills: [
          ['Shopify', 'Shopify'],
          ['WooCommerce', 'WooCommerce'],
          ['Payment Integration', '支付接入'],
        ],
        titles: [
          {
            zh: 'Shopify 独立站搭建 主题定制+支付配置',
            en: 'Shopify store setup with theme customisation and payments',
          },
          { zh: '跨境电商独立站建设 一站式上线', en: 'Cross-border e-commerce site, launched end to end' },
          {
            zh: '商城网站开发 支持微信/支付宝支付',
            en: 'Online shop development with WeChat Pay and Alipay',
          },
        ],
        basicYuan: [2000, 8000],
        days: [10, 20],
        packages: [
          '主题安装配置，20个商品上架',
          '主题深度定制，支付物流配置，100个商品上架',
          '全定制开发，会员/优惠券/分销系统，运营培训',
        ],
      },
      {
        slug: 'frontend-development',
        name: 'Front-end Development',
        nameZh: '前端开发',
        skills: [
          ['React', 'React'],
          ['Vue', 'Vue'],
          ['TypeScript', 'TypeScript'],
          ['Tailwind CSS', 'Tailwind CSS'],
        ],
        titles: [
          {
            zh: 'Vue3 + TypeScript 前端页面开发 还原设计稿',
            en: 'Vue 3 + TypeScript front-end, pixel-perfect from your designs',
          },
          { zh: 'React 管理后台开发 Ant Design', en: 'React admin dashboard with Ant Design' },
          { zh: 'H5活动页开发 兼容微信内置浏览器', en: 'Mobile campaign pages that work in WeChat' },
          { zh: '数据可视化大屏开发 ECharts', en: 'Data visualisation dashboards with ECharts' },
        ],
        basicYuan: [500, 3000],
        days: [3, 10],
        packages: ['单页面开发，适配移动端', '5个页面，接口联调', '完整前端项目，组件化+单元测试+部署'],
      },
      {
        slug: 'backend-development',
        name: 'Back-end & APIs',
        nameZh: '后端开发',
        skills: [
          ['Node.js', 'Node.js'],
          ['Java Spring Boot', 'Java Spring Boot'],
          ['Python', 'Python'],
          ['MySQL', 'MySQL'],
          ['PostgreSQL', 'PostgreSQL'],
        ],
        titles: [
          { zh: 'Java Spring Boot 后端接口开发', en: 'Java Spring Boot API development' },
          { zh: 'Node.js 后端服务开发 RESTful API', en: 'Node.js back-end services and REST APIs' },
          { zh: 'Python 爬虫与数据接口开发', en: 'Python scrapers and data APIs' },
          {
            zh: '数据库设计与性能优化 MySQL/PostgreSQL',
            en: 'Database design and tuning for MySQL and PostgreSQL',
          },
        ],
        basicYuan: [800, 5000],
        days: [5, 14],
        packages: ['10个以内接口', '30个以内接口，含权限与文档', '完整后端系统，含部署、监控与交接文档'],
      },
      {
        slug: 'wordpress',
        name: 'WordPress Sites',
        nameZh: 'WordPress建站',
        skills: [
          ['WordPress', 'WordPress'],
          ['Elementor', 'Elementor'],
        ],
        titles: [
          { zh: 'WordPress 建站 主题安装+插件配置', en: 'WordPress site with theme and plugins set up' },
          { zh: 'WordPress 网站修复提速 安全加固', en: 'WordPress repair, speed-up and hardening' },
        ],
        basicYuan: [300, 1500],
        days: [2, 7],
        packages: ['主题安装，基础配置', '主题定制，10个页面', '全站定制，速度优化，安全加固'],
      },
    ],
  },
  {
    slug: 'mini-programs',
    name: 'Mini Program Development',
    nameZh: '小程序开发',
    children: [
      {
        slug: 'wechat-mini-program',
        name: 'WeChat Mini Programs',
        nameZh: '微信小程序',
        skills: [
          ['WeChat Mini Program', '微信小程序'],
          ['Cloud Development', '云开发'],
          ['WeChat Pay', '微信支付'],
        ],
        titles: [
          {
            zh: '微信小程序定制开发 商城/预约/点餐',
            en: 'Custom WeChat mini program: shop, booking or ordering',
          },
          { zh: '社区团购小程序开发 含后台管理', en: 'Community group-buying mini program with admin' },
          {
            zh: '小程序云开发 快速上线 源码交付',
            en: 'Mini program on WeChat Cloud, fast launch, source included',
          },
          {
            zh: '门店预约小程序 美容/健身/教培',
            en: 'Appointment mini program for salons, gyms and schools',
          },
        ],
        basicYuan: [1500, 6000],
        days: [7, 20],
        packages: [
          '标准模板功能，5个页面',
          '定制功能，支付+会员，15个页面',
          '全定制，含后台、数据统计与上架审核协助',
        ],
      },
      {
        slug: 'alipay-mini-program',
        name: 'Alipay Mini Programs',
        nameZh: '支付宝小程序',
        skills: [
          ['Alipay Mini Program', '支付宝小程序'],
          ['Alipay Payments', '支付宝支付'],
        ],
        titles: [
          { zh: '支付宝小程序开发 生活号对接', en: 'Alipay mini program development' },
          {
            zh: '支付宝小程序 租赁/信用免押方案',
            en: 'Alipay mini program for rentals with credit-based deposits',
          },
        ],
        basicYuan: [1500, 5000],
        days: [7, 15],
        packages: ['基础功能，5个页面', '定制功能，支付接入', '全定制，含后台与上架协助'],
      },
      {
        slug: 'douyin-mini-program',
        name: 'Douyin Mini Programs',
        nameZh: '抖音小程序',
        skills: [
          ['Douyin Mini Program', '抖音小程序'],
          ['Live Commerce', '直播带货'],
        ],
        titles: [
          {
            zh: '抖音小程序开发 团购核销/直播挂载',
            en: 'Douyin mini program with deal redemption and live-stream links',
          },
          { zh: '抖音小游戏/小程序 快速开发上线', en: 'Douyin mini games and programs, built fast' },
        ],
        basicYuan: [2000, 6000],
        days: [7, 15],
        packages: ['基础功能，5个页面', '团购核销+支付', '全定制，含数据后台'],
      },
      {
        slug: 'uniapp',
        name: 'Cross-platform (uni-app)',
        nameZh: 'uni-app跨端',
        skills: [
          ['uni-app', 'uni-app'],
          ['Vue', 'Vue'],
        ],
        titles: [
          {
            zh: 'uni-app 一套代码多端发布 小程序+App+H5',
            en: 'uni-app: one codebase for mini programs, apps and H5',
          },
          { zh: 'uni-app 项目维护与Bug修复', en: 'uni-app maintenance and bug fixing' },
        ],
        basicYuan: [1000, 5000],
        days: [5, 15],
        packages: ['单端发布', '小程序+H5双端', '小程序+App+H5三端，含上架'],
      },
    ],
  },
  {
    slug: 'app-development',
    name: 'App Development',
    nameZh: 'App开发',
    children: [
      {
        slug: 'ios-development',
        name: 'iOS Apps',
        nameZh: 'iOS开发',
        skills: [
          ['Swift', 'Swift'],
          ['SwiftUI', 'SwiftUI'],
        ],
        titles: [
          {
            zh: 'iOS App 原生开发 Swift 上架App Store',
            en: 'Native iOS app in Swift, published to the App Store',
          },
          { zh: 'iOS 应用Bug修复与性能优化', en: 'iOS bug fixing and performance tuning' },
        ],
        basicYuan: [3000, 12000],
        days: [10, 30],
        packages: ['5个页面，基础功能', '15个页面，接口对接', '完整App，含后台与上架'],
      },
      {
        slug: 'android-development',
        name: 'Android Apps',
        nameZh: 'Android开发',
        skills: [
          ['Kotlin', 'Kotlin'],
          ['Jetpack Compose', 'Jetpack Compose'],
        ],
        titles: [
          {
            zh: 'Android App 开发 Kotlin 各大应用商店上架',
            en: 'Android app in Kotlin, published to the major stores',
          },
          { zh: '安卓App定制开发 物联网/蓝牙设备对接', en: 'Android apps for IoT and Bluetooth devices' },
        ],
        basicYuan: [3000, 12000],
        days: [10, 30],
        packages: ['5个页面，基础功能', '15个页面，接口对接', '完整App，含后台与多商店上架'],
      },
      {
        slug: 'flutter',
        name: 'Flutter Apps',
        nameZh: 'Flutter跨平台',
        skills: [
          ['Flutter', 'Flutter'],
          ['Dart', 'Dart'],
        ],
        titles: [
          { zh: 'Flutter 跨平台App开发 iOS+Android', en: 'Flutter app for iOS and Android' },
          { zh: 'Flutter 项目二次开发与维护', en: 'Flutter app extension and maintenance' },
        ],
        basicYuan: [4000, 15000],
        days: [14, 30],
        packages: ['MVP版本，8个页面', '完整功能，20个页面', '完整功能+后台+双端上架'],
      },
    ],
  },
  {
    slug: 'graphic-design',
    name: 'Graphic Design',
    nameZh: '平面设计',
    children: [
      {
        slug: 'logo-design',
        name: 'Logo Design',
        nameZh: 'LOGO设计',
        skills: [
          ['Logo Design', 'LOGO设计'],
          ['Adobe Illustrator', 'Adobe Illustrator'],
          ['Brand Identity', '品牌VI'],
        ],
        titles: [
          { zh: '原创LOGO设计 不满意免费修改', en: 'Original logo design, revisions until you are happy' },
          { zh: '企业标志设计 中英文字体LOGO', en: 'Company logo with Chinese and English lettering' },
          { zh: '餐饮品牌LOGO设计 门头招牌一体化', en: 'Restaurant brand logo, shopfront sign included' },
          {
            zh: '品牌VI全案设计 LOGO+名片+信纸',
            en: 'Full brand identity: logo, business cards and letterhead',
          },
        ],
        basicYuan: [200, 1500],
        days: [2, 5],
        packages: ['2个初稿方案，JPG/PNG', '4个初稿方案，AI源文件+标准色', '6个方案，源文件+VI基础手册+名片'],
      },
      {
        slug: 'poster-design',
        name: 'Posters & Flyers',
        nameZh: '海报设计',
        skills: [
          ['Photoshop', 'Photoshop'],
          ['Poster Design', '海报设计'],
        ],
        titles: [
          { zh: '活动海报设计 朋友圈/公众号配图', en: 'Event posters and social media graphics' },
          { zh: '电商促销海报 双11/618主图设计', en: 'Sale banners and hero images for Double 11 and 618' },
          { zh: '招聘海报/宣传单页设计 当天出稿', en: 'Hiring posters and flyers, first draft the same day' },
        ],
        basicYuan: [80, 500],
        days: [1, 3],
        packages: ['1张海报，JPG', '3张海报，PSD源文件', '系列海报8张，多尺寸适配'],
      },
      {
        slug: 'packaging-design',
        name: 'Packaging Design',
        nameZh: '包装设计',
        skills: [
          ['Packaging Design', '包装设计'],
          ['Print Production', '印刷工艺'],
        ],
        titles: [
          { zh: '产品包装设计 茶叶/食品/化妆品', en: 'Product packaging for tea, food and cosmetics' },
          { zh: '礼盒包装设计 含刀版图', en: 'Gift box design with die-cut templates' },
        ],
        basicYuan: [500, 3000],
        days: [3, 7],
        packages: ['1款包装平面展开图', '1款包装+刀版+效果图', '系列包装3款+印刷跟进'],
      },
      {
        slug: 'brochure-design',
        name: 'Brochures',
        nameZh: '画册设计',
        skills: [
          ['InDesign', 'InDesign'],
          ['Layout Design', '排版设计'],
        ],
        titles: [
          { zh: '企业宣传画册设计 排版精美', en: 'Company brochure with polished layout' },
          { zh: '产品手册/折页设计 可直接印刷', en: 'Product catalogues and leaflets, print-ready' },
        ],
        basicYuan: [300, 2000],
        days: [3, 10],
        packages: ['8P画册', '16P画册+源文件', '32P画册+印刷对接'],
      },
      {
        slug: 'ecommerce-design',
        name: 'E-commerce Product Pages',
        nameZh: '电商详情页',
        skills: [
          ['Product Photography Retouching', '产品精修'],
          ['Detail Page Design', '详情页设计'],
        ],
        titles: [
          { zh: '淘宝天猫详情页设计 高转化', en: 'High-converting Taobao and Tmall product pages' },
          { zh: '拼多多/京东主图+详情页套餐', en: 'Pinduoduo and JD hero images plus product pages' },
          { zh: '产品精修白底图 批量处理', en: 'Product photo retouching on white, in bulk' },
        ],
        basicYuan: [150, 1500],
        days: [2, 6],
        packages: ['5张主图', '5张主图+1屏详情页', '主图+完整详情页+店铺首页'],
      },
    ],
  },
  {
    slug: 'ui-design',
    name: 'UI/UX Design',
    nameZh: 'UI设计',
    children: [
      {
        slug: 'app-ui',
        name: 'App UI',
        nameZh: 'App界面设计',
        skills: [
          ['Figma', 'Figma'],
          ['Sketch', 'Sketch'],
          ['Interaction Design', '交互设计'],
        ],
        titles: [
          { zh: 'App UI界面设计 Figma交付 含切图标注', en: 'App UI design in Figma with assets and specs' },
          { zh: '小程序UI设计 简约清新风格', en: 'Clean, minimal mini program UI' },
        ],
        basicYuan: [800, 4000],
        days: [4, 12],
        packages: ['5个页面', '15个页面+设计规范', '完整产品UI+交互原型+设计系统'],
      },
      {
        slug: 'web-ui',
        name: 'Web UI',
        nameZh: '网页UI设计',
        skills: [
          ['Figma', 'Figma'],
          ['Web Design', '网页设计'],
        ],
        titles: [
          { zh: '网页UI设计 官网/后台系统界面', en: 'Web UI for websites and admin systems' },
          { zh: 'SaaS 后台界面设计 B端体验优化', en: 'SaaS dashboard design for business users' },
        ],
        basicYuan: [600, 3500],
        days: [3, 10],
        packages: ['首页设计', '首页+5个内页', '全站设计+组件库'],
      },
      {
        slug: 'icon-design',
        name: 'Icons & Illustration',
        nameZh: '图标插画',
        skills: [
          ['Icon Design', '图标设计'],
          ['Illustration', '插画'],
        ],
        titles: [
          { zh: '原创图标设计 线性/面性 一套起', en: 'Original icon sets, line or filled' },
          { zh: '扁平插画定制 公众号/官网配图', en: 'Custom flat illustrations for articles and websites' },
          { zh: 'IP形象/吉祥物设计 Q版卡通', en: 'Mascot and character design, cute cartoon style' },
        ],
        basicYuan: [200, 2000],
        days: [3, 8],
        packages: ['10个图标或1张插画', '30个图标或3张插画', '全套图标或IP形象三视图+表情包'],
      },
    ],
  },
  {
    slug: 'short-video',
    name: 'Short Video Editing',
    nameZh: '短视频剪辑',
    children: [
      {
        slug: 'douyin-editing',
        name: 'Douyin & Kuaishou Editing',
        nameZh: '抖音快手剪辑',
        skills: [
          ['Premiere Pro', 'Premiere Pro'],
          ['CapCut', '剪映'],
          ['Subtitles', '字幕制作'],
        ],
        titles: [
          {
            zh: '抖音短视频剪辑 爆款节奏 加字幕配乐',
            en: 'Douyin short video editing with captions and music',
          },
          { zh: '口播视频剪辑 包装字幕 日更代剪', en: 'Talking-head video editing, daily turnaround' },
          { zh: '带货短视频剪辑 商品展示', en: 'Product showcase videos for live commerce' },
        ],
        basicYuan: [50, 400],
        days: [1, 3],
        packages: ['1条60秒内视频', '5条视频+封面', '月度代剪30条+账号包装'],
      },
      {
        slug: 'promo-video',
        name: 'Promotional Videos',
        nameZh: '宣传片剪辑',
        skills: [
          ['After Effects', 'After Effects'],
          ['Color Grading', '调色'],
        ],
        titles: [
          { zh: '企业宣传片剪辑 调色+配乐+片头', en: 'Corporate promo video: grading, music and intro' },
          { zh: '活动现场视频剪辑 年会/发布会', en: 'Event highlight videos for galas and launches' },
        ],
        basicYuan: [500, 3000],
        days: [3, 10],
        packages: ['3分钟内成片', '5分钟成片+片头片尾', '10分钟成片+特效包装+多版本'],
      },
      {
        slug: 'motion-graphics',
        name: 'Motion Graphics',
        nameZh: 'MG动画',
        skills: [
          ['After Effects', 'After Effects'],
          ['Motion Design', '动态设计'],
        ],
        titles: [
          { zh: 'MG动画制作 产品讲解/知识科普', en: 'Motion graphics explainers for products and education' },
          { zh: 'LOGO动画演绎 片头定制', en: 'Logo animations and custom intros' },
        ],
        basicYuan: [300, 3000],
        days: [3, 10],
        packages: ['15秒动画', '60秒动画+配音', '3分钟动画+配音+字幕'],
      },
    ],
  },
  {
    slug: 'copywriting',
    name: 'Copywriting',
    nameZh: '文案写作',
    children: [
      {
        slug: 'brand-copy',
        name: 'Brand Copy',
        nameZh: '品牌文案',
        skills: [
          ['Brand Copywriting', '品牌文案'],
          ['Slogan Writing', '广告语'],
        ],
        titles: [
          { zh: '品牌故事/广告语撰写 走心文案', en: 'Brand stories and slogans that connect' },
          { zh: '产品卖点提炼 详情页文案', en: 'Product selling points and page copy' },
        ],
        basicYuan: [100, 1000],
        days: [1, 5],
        packages: ['广告语3条', '品牌故事1篇+广告语5条', '品牌文案全案'],
      },
      {
        slug: 'social-media-copy',
        name: 'Social Media Posts',
        nameZh: '新媒体文章',
        skills: [
          ['WeChat Articles', '公众号写作'],
          ['Xiaohongshu Posts', '小红书文案'],
        ],
        titles: [
          { zh: '小红书种草文案 真实口吻 批量', en: 'Xiaohongshu product posts in an authentic voice' },
          { zh: '公众号文章代写 原创不洗稿', en: 'Original WeChat official-account articles' },
          { zh: '知乎回答/软文撰写 行业深度', en: 'In-depth Zhihu answers and sponsored articles' },
        ],
        basicYuan: [50, 500],
        days: [1, 4],
        packages: ['1篇800字', '3篇+配图建议', '月度10篇+选题策划'],
      },
      {
        slug: 'business-writing',
        name: 'Business Plans & Reports',
        nameZh: '商业计划书',
        skills: [
          ['Business Plans', '商业计划书'],
          ['PowerPoint', 'PPT制作'],
        ],
        titles: [
          { zh: '商业计划书撰写 融资BP 路演PPT', en: 'Business plans and investor pitch decks' },
          { zh: 'PPT美化设计 工作汇报/发布会', en: 'PowerPoint design for reports and launches' },
        ],
        basicYuan: [300, 3000],
        days: [2, 7],
        packages: ['PPT美化15页', 'BP撰写+PPT 20页', 'BP全案+财务测算+路演辅导'],
      },
    ],
  },
  {
    slug: 'translation',
    name: 'Translation',
    nameZh: '翻译',
    children: [
      {
        slug: 'english-translation',
        name: 'English Translation',
        nameZh: '英语翻译',
        skills: [
          ['Chinese–English Translation', '中英互译'],
          ['Proofreading', '校对润色'],
        ],
        titles: [
          { zh: '中英互译 人工翻译 专业八级', en: 'Chinese–English translation by a certified translator' },
          { zh: '学术论文英文润色 SCI投稿', en: 'Academic English editing for journal submissions' },
          {
            zh: '合同/标书英文翻译 法律术语准确',
            en: 'Contract and tender translation with precise legal terms',
          },
        ],
        basicYuan: [100, 1500],
        days: [1, 5],
        packages: ['1000字以内', '5000字以内+校对', '2万字以内+母语审校'],
      },
      {
        slug: 'japanese-translation',
        name: 'Japanese Translation',
        nameZh: '日语翻译',
        skills: [
          ['Chinese–Japanese Translation', '中日互译'],
          ['JLPT N1', '日语N1'],
        ],
        titles: [
          { zh: '日语翻译 中日互译 N1持证', en: 'Chinese–Japanese translation, JLPT N1 certified' },
          { zh: '日文游戏/动漫本地化翻译', en: 'Japanese game and anime localisation' },
        ],
        basicYuan: [120, 1500],
        days: [1, 5],
        packages: ['1000字以内', '5000字以内+校对', '2万字以内+母语审校'],
      },
      {
        slug: 'localization',
        name: 'Localisation',
        nameZh: '本地化',
        skills: [
          ['Software Localisation', '软件本地化'],
          ['Subtitle Translation', '字幕翻译'],
        ],
        titles: [
          {
            zh: 'App/网站多语言本地化 英日韩',
            en: 'App and website localisation into English, Japanese and Korean',
          },
          { zh: '视频字幕翻译 时间轴校准', en: 'Subtitle translation with timing' },
        ],
        basicYuan: [200, 2000],
        days: [2, 7],
        packages: ['1种语言，2000词', '2种语言，5000词', '5种语言，全量文案+测试'],
      },
    ],
  },
  {
    slug: 'data-entry',
    name: 'Data Entry',
    nameZh: '数据录入',
    children: [
      {
        slug: 'excel-processing',
        name: 'Excel & Spreadsheets',
        nameZh: 'Excel数据处理',
        skills: [
          ['Excel', 'Excel'],
          ['VBA', 'VBA'],
          ['Data Cleaning', '数据清洗'],
        ],
        titles: [
          { zh: 'Excel数据整理 表格制作 函数公式', en: 'Excel clean-up, spreadsheets and formulas' },
          { zh: 'Excel VBA 自动化报表', en: 'Automated Excel reports with VBA' },
        ],
        basicYuan: [50, 600],
        days: [1, 3],
        packages: ['500行以内', '5000行以内+公式', '自动化报表模板+使用培训'],
      },
      {
        slug: 'data-collection',
        name: 'Data Collection & Entry',
        nameZh: '信息采集录入',
        skills: [
          ['Data Entry', '数据录入'],
          ['Web Research', '信息检索'],
        ],
        titles: [
          { zh: '资料录入 图片转文字 准确率99%', en: 'Data entry and image-to-text, 99% accuracy' },
          { zh: '企业名录信息采集 整理成表', en: 'Company directory research into a spreadsheet' },
        ],
        basicYuan: [50, 500],
        days: [1, 4],
        packages: ['1000条以内', '5000条以内', '2万条以内+双人复核'],
      },
    ],
  },
  {
    slug: 'marketing',
    name: 'Digital Marketing',
    nameZh: '营销推广',
    children: [
      {
        slug: 'seo',
        name: 'SEO',
        nameZh: 'SEO优化',
        skills: [
          ['SEO', 'SEO'],
          ['Baidu SEO', '百度优化'],
        ],
        titles: [
          { zh: '百度SEO优化 关键词排名提升', en: 'Baidu SEO to lift keyword rankings' },
          { zh: '网站SEO诊断报告 整改方案', en: 'Website SEO audit with a fix-up plan' },
        ],
        basicYuan: [300, 3000],
        days: [3, 15],
        packages: ['诊断报告', '诊断+站内优化', '三个月持续优化'],
      },
      {
        slug: 'social-operations',
        name: 'Social Media Management',
        nameZh: '新媒体运营',
        skills: [
          ['Xiaohongshu Operations', '小红书运营'],
          ['Private Traffic', '私域运营'],
        ],
        titles: [
          {
            zh: '小红书账号代运营 笔记策划+发布',
            en: 'Xiaohongshu account management: planning and posting',
          },
          { zh: '私域社群运营方案 企业微信', en: 'Private-community playbook on WeCom' },
          { zh: '抖音账号定位与内容策划', en: 'Douyin account positioning and content planning' },
        ],
        basicYuan: [500, 5000],
        days: [5, 15],
        packages: ['账号诊断+定位', '一个月运营（12篇）', '三个月全托管运营'],
      },
    ],
  },
  {
    slug: 'audio',
    name: 'Audio & Voice',
    nameZh: '音频制作',
    children: [
      {
        slug: 'voice-over',
        name: 'Voice-over',
        nameZh: '配音',
        skills: [
          ['Mandarin Voice-over', '普通话配音'],
          ['English Voice-over', '英文配音'],
        ],
        titles: [
          { zh: '专业配音 宣传片/广告/有声书', en: 'Professional voice-over for promos, ads and audiobooks' },
          {
            zh: '抖音热门配音 男声女声童声',
            en: 'Trending Douyin voice-overs: male, female and child voices',
          },
        ],
        basicYuan: [50, 800],
        days: [1, 3],
        packages: ['300字以内', '1000字以内+后期', '5000字以内+配乐混音'],
      },
      {
        slug: 'music-production',
        name: 'Music Production',
        nameZh: '音乐制作',
        skills: [
          ['Composition', '作曲编曲'],
          ['Mixing', '混音'],
        ],
        titles: [
          { zh: '原创配乐/编曲 企业歌曲定制', en: 'Original scores and custom company songs' },
          { zh: '歌曲混音母带处理', en: 'Song mixing and mastering' },
        ],
        basicYuan: [300, 5000],
        days: [3, 14],
        packages: ['30秒配乐', '完整编曲', '作词作曲编曲+混音母带'],
      },
    ],
  },
];

/** Why a moderator rejected a listing (stored in `review_note`). */
export const REJECTION_NOTES = [
  '标题含有夸大宣传用语（“全网最低”“第一”），请修改后重新提交',
  '描述中出现站外联系方式，请删除后重新提交',
  '服务内容与所选类目不符，请选择正确的类目',
  '案例图片涉嫌侵权，请提供原创作品',
  '套餐价格与描述不一致，请核对后重新提交',
];

/** Listings the moderators would see highlighted: off-platform contact in the text. */
export const CONTACT_LEAKS = [
  '有问题可以加V：jx_demo_design 详聊',
  '急单请直接联系QQ 12345678',
  '电话联系更快：138-0013-8000',
];

export const LISTING_INTROS = [
  '从业{years}年，服务过{clients}+客户，{strength}。',
  '{years}年行业经验，{strength}，交付后提供免费答疑。',
  '专注{category}{years}年，{strength}，拒绝模板化敷衍。',
];

export const LISTING_STRENGTHS = [
  '沟通耐心、响应及时',
  '注重细节，按时交付',
  '曾服务多家上市公司和知名品牌',
  '团队协作，流程规范',
  '擅长把复杂需求讲清楚、做扎实',
];

export const LISTING_PROCESS = [
  '【服务流程】沟通需求 → 确认方案 → 制作 → 交付验收 → 售后支持',
  '【服务流程】下单前请先沟通需求，确认后再拍对应套餐；制作过程中每个节点同步进度。',
  '【服务流程】需求梳理 → 初稿 → 修改 → 定稿交付，源文件一并提供。',
];

export const LISTING_NOTES = [
  '【注意事项】加急订单请提前沟通；超出套餐范围的需求另行报价。',
  '【注意事项】交付后7天内有问题免费修改，超出修改次数按小时计费。',
  '【注意事项】不接违法违规内容；所有作品均为原创，可签署版权转让协议。',
];
