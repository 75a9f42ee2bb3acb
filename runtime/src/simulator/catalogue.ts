// The simulated web shop ("TechStore"): its pages, products and prices, and the visitors' world:
// countries and cities, devices, browsers and user agents, referrers. Plain data, ranked by
// popularity; the model (model.ts) turns the rankings into Zipf-like weights.

export const SITE_ORIGIN = 'https://techstore.example';
export const SITE_NAME = 'TechStore';

export type PageKind = 'home' | 'listing' | 'category' | 'product' | 'blog' | 'info' | 'funnel';

export interface Page {
  readonly url: string;
  readonly title: string;
  readonly kind: PageKind;
  /** Index into CATEGORIES for category, product and blog pages (a blog post's related category). */
  readonly category: number;
  /** Product pages: the list price in USD. */
  readonly price: number;
}

export interface Category {
  readonly slug: string;
  readonly title: string;
  /** Products from most to least popular: slug, title, list price. */
  readonly products: readonly (readonly [slug: string, title: string, price: number])[];
}

export const CATEGORIES: readonly Category[] = [
  {
    slug: 'laptops',
    title: 'Laptops',
    products: [
      ['ultrabook-14', 'Ultrabook 14', 1299],
      ['student-laptop-15', 'Student Laptop 15', 649],
      ['gaming-laptop-16', 'Gaming Laptop 16', 1899],
      ['chromebook-11', 'Chromebook 11', 329],
      ['workstation-15', 'Workstation 15', 2499],
    ],
  },
  {
    slug: 'phones',
    title: 'Phones',
    products: [
      ['iphone-15', 'iPhone 15', 899],
      ['galaxy-ultra', 'Galaxy Ultra', 1199],
      ['pixel-pro', 'Pixel Pro', 999],
      ['budget-phone-a5', 'Budget Phone A5', 249],
      ['foldable-z', 'Foldable Z', 1799],
    ],
  },
  {
    slug: 'headphones',
    title: 'Headphones',
    products: [
      ['wireless-earbuds', 'Wireless Earbuds', 149],
      ['noise-cancelling-700', 'Noise Cancelling 700', 349],
      ['sport-earbuds', 'Sport Earbuds', 79],
      ['studio-headphones', 'Studio Headphones', 199],
    ],
  },
  {
    slug: 'tablets',
    title: 'Tablets',
    products: [
      ['tablet-air-10', 'Tablet Air 10', 599],
      ['tablet-pro-12', 'Tablet Pro 12', 1099],
      ['kids-tablet-8', 'Kids Tablet 8', 129],
    ],
  },
  {
    slug: 'monitors',
    title: 'Monitors',
    products: [
      ['4k-monitor-27', '4K Monitor 27"', 449],
      ['office-monitor-24', 'Office Monitor 24"', 179],
      ['ultrawide-34', 'Ultrawide 34"', 699],
    ],
  },
  {
    slug: 'smartwatches',
    title: 'Smartwatches',
    products: [
      ['smartwatch-series-9', 'Smartwatch Series 9', 399],
      ['fitness-band-5', 'Fitness Band 5', 59],
      ['rugged-watch', 'Rugged Watch', 799],
    ],
  },
  {
    slug: 'cameras',
    title: 'Cameras',
    products: [
      ['action-cam-4k', 'Action Cam 4K', 299],
      ['mirrorless-x100', 'Mirrorless X100', 1499],
      ['instant-camera', 'Instant Camera', 89],
    ],
  },
  {
    slug: 'accessories',
    title: 'Accessories',
    products: [
      ['usb-c-charger', 'USB-C Charger', 29.99],
      ['phone-case', 'Phone Case', 19.99],
      ['wireless-mouse', 'Wireless Mouse', 39.99],
      ['laptop-sleeve', 'Laptop Sleeve', 24.99],
      ['hdmi-cable', 'HDMI Cable', 12.99],
    ],
  },
];

/** Category popularity, most popular first (indices into CATEGORIES). */
export const CATEGORY_RANKING: readonly number[] = [0, 1, 2, 7, 3, 4, 5, 6];

/** Blog posts and the category each leads readers to. */
const BLOG_POSTS: readonly (readonly [slug: string, title: string, category: number])[] = [
  ['best-laptops-2024', 'The Best Laptops of 2024', 0],
  ['phone-buying-guide', 'Phone Buying Guide', 1],
  ['noise-cancelling-headphones-compared', 'Noise-Cancelling Headphones Compared', 2],
  ['home-office-setup', 'The Perfect Home Office Setup', 4],
  ['tablet-vs-laptop', 'Tablet vs Laptop: Which One?', 3],
  ['smartwatch-fitness-tracking', 'Fitness Tracking with Smartwatches', 5],
  ['beginners-guide-to-mirrorless', "A Beginner's Guide to Mirrorless Cameras", 6],
  ['black-friday-tech-deals', 'Black Friday Tech Deals', 7],
];

const INFO_PAGES: readonly (readonly [url: string, title: string, kind: PageKind])[] = [
  ['/', 'TechStore - Electronics, Laptops & Phones', 'home'],
  ['/products', 'All Products', 'listing'],
  ['/deals', "Today's Deals", 'listing'],
  ['/search', 'Search Results', 'listing'],
  ['/blog', 'Blog', 'listing'],
  ['/account', 'My Account', 'info'],
  ['/account/orders', 'My Orders', 'info'],
  ['/login', 'Sign In', 'info'],
  ['/support', 'Help & Support', 'info'],
  ['/support/shipping', 'Shipping Information', 'info'],
  ['/support/returns', 'Returns & Refunds', 'info'],
  ['/about', 'About Us', 'info'],
  ['/contact', 'Contact Us', 'info'],
];

/**
 * The checkout funnel, in order. The confirmation page is deliberately not under /checkout: a
 * pipeline that treats "a /checkout page view with no conversion after it" as an abandoned
 * checkout (website-analytics.flow does) would otherwise flag every completed order.
 */
export const FUNNEL_URLS = ['/cart', '/checkout', '/checkout/payment', '/order/confirmation'] as const;
const FUNNEL_TITLES = ['Shopping Cart', 'Checkout', 'Payment', 'Order Confirmation'] as const;

function buildPages(): Page[] {
  const pages: Page[] = [];
  const titled = (title: string): string => `${title} - ${SITE_NAME}`;
  for (const [url, title, kind] of INFO_PAGES) pages.push({ url, title: kind === 'home' ? title : titled(title), kind, category: -1, price: 0 });
  CATEGORIES.forEach((c, ci) => {
    pages.push({ url: `/products/${c.slug}`, title: titled(c.title), kind: 'category', category: ci, price: 0 });
    for (const [slug, title, price] of c.products) {
      pages.push({ url: `/products/${c.slug}/${slug}`, title: titled(title), kind: 'product', category: ci, price });
    }
  });
  for (const [slug, title, category] of BLOG_POSTS) pages.push({ url: `/blog/${slug}`, title: titled(title), kind: 'blog', category, price: 0 });
  FUNNEL_URLS.forEach((url, i) => pages.push({ url, title: titled(FUNNEL_TITLES[i] as string), kind: 'funnel', category: -1, price: 0 }));
  return pages;
}

/** Every page of the site; the model refers to pages by their index here. */
export const PAGES: readonly Page[] = buildPages();

export function pageIndex(url: string): number {
  const i = PAGES.findIndex((p) => p.url === url);
  if (i < 0) throw new Error(`no page ${url} in the catalogue`);
  return i;
}

/** Where sessions land, most frequent first (the home page, then search and social traffic targets). */
export const LANDING_RANKING: readonly string[] = [
  '/',
  '/products/laptops',
  '/blog/best-laptops-2024',
  '/deals',
  '/products/phones',
  '/products/laptops/ultrabook-14',
  '/blog/phone-buying-guide',
  '/products/phones/iphone-15',
  '/products/headphones',
  '/products',
  '/blog/noise-cancelling-headphones-compared',
  '/products/headphones/wireless-earbuds',
  '/blog/home-office-setup',
  '/search',
  '/products/phones/galaxy-ultra',
  '/support/returns',
  '/products/tablets',
  '/blog/black-friday-tech-deals',
  '/products/accessories',
  '/blog/tablet-vs-laptop',
  '/products/monitors',
  '/products/smartwatches',
  '/blog/smartwatch-fitness-tracking',
  '/products/cameras',
  '/blog/beginners-guide-to-mirrorless',
  '/support/shipping',
  '/account/orders',
  '/about',
  '/contact',
];

/** Where a browsing visitor goes next when not following a link from the current page, most frequent first. */
export const BROWSE_RANKING: readonly string[] = [
  '/',
  '/products/laptops',
  '/products/phones',
  '/search',
  '/products',
  '/deals',
  '/products/headphones',
  '/products/accessories',
  '/products/tablets',
  '/account',
  '/products/monitors',
  '/blog',
  '/products/smartwatches',
  '/login',
  '/products/cameras',
  '/support',
  '/account/orders',
  '/support/shipping',
  '/support/returns',
  '/blog/best-laptops-2024',
  '/blog/phone-buying-guide',
  '/about',
  '/contact',
];

/** Visitor countries, most frequent first, with their cities (most frequent first). */
export const COUNTRIES: readonly (readonly [code: string, cities: readonly string[]])[] = [
  ['US', ['New York', 'Los Angeles', 'Chicago', 'Houston', 'San Francisco', 'Seattle', 'Austin', 'Boston']],
  ['GB', ['London', 'Manchester', 'Birmingham', 'Edinburgh', 'Bristol']],
  ['DE', ['Berlin', 'Munich', 'Hamburg', 'Frankfurt', 'Cologne']],
  ['IN', ['Bengaluru', 'Mumbai', 'Delhi', 'Hyderabad', 'Chennai', 'Pune']],
  ['FR', ['Paris', 'Lyon', 'Marseille', 'Toulouse', 'Lille']],
  ['BR', ['São Paulo', 'Rio de Janeiro', 'Belo Horizonte', 'Brasília']],
  ['JP', ['Tokyo', 'Osaka', 'Yokohama', 'Nagoya', 'Fukuoka']],
  ['CA', ['Toronto', 'Vancouver', 'Montreal', 'Calgary', 'Ottawa']],
  ['AU', ['Sydney', 'Melbourne', 'Brisbane', 'Perth']],
  ['ES', ['Madrid', 'Barcelona', 'Valencia', 'Seville']],
  ['IT', ['Milan', 'Rome', 'Turin', 'Naples']],
  ['NL', ['Amsterdam', 'Rotterdam', 'Utrecht', 'The Hague']],
  ['MX', ['Mexico City', 'Guadalajara', 'Monterrey']],
  ['KR', ['Seoul', 'Busan', 'Incheon']],
  ['SE', ['Stockholm', 'Gothenburg', 'Malmö']],
  ['PL', ['Warsaw', 'Kraków', 'Wrocław']],
  ['SG', ['Singapore']],
  ['IE', ['Dublin', 'Cork']],
];

export const DEVICE_TYPES = ['DESKTOP', 'MOBILE', 'TABLET'] as const;
export type DeviceType = (typeof DEVICE_TYPES)[number];
export const DEVICE_WEIGHTS: readonly number[] = [0.52, 0.4, 0.08];

export interface Agent {
  readonly browser: string;
  readonly os: string;
  readonly userAgent: string;
}

/** Browser/OS combinations per device type (same order as DEVICE_TYPES), with their shares. */
export const AGENTS: readonly (readonly (readonly [Agent, number])[])[] = [
  [
    [{ browser: 'Chrome', os: 'Windows', userAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36' }, 0.45],
    [{ browser: 'Chrome', os: 'macOS', userAgent: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36' }, 0.14],
    [{ browser: 'Safari', os: 'macOS', userAgent: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Safari/605.1.15' }, 0.13],
    [{ browser: 'Edge', os: 'Windows', userAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Edg/120.0.2210.91' }, 0.12],
    [{ browser: 'Firefox', os: 'Windows', userAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:121.0) Gecko/20100101 Firefox/121.0' }, 0.08],
    [{ browser: 'Chrome', os: 'Linux', userAgent: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36' }, 0.04],
    [{ browser: 'Firefox', os: 'Linux', userAgent: 'Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0' }, 0.04],
  ],
  [
    [{ browser: 'Chrome', os: 'Android', userAgent: 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.6099.144 Mobile Safari/537.36' }, 0.48],
    [{ browser: 'Safari', os: 'iOS', userAgent: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Mobile/15E148 Safari/604.1' }, 0.38],
    [{ browser: 'Samsung Internet', os: 'Android', userAgent: 'Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/23.0 Chrome/115.0.0.0 Mobile Safari/537.36' }, 0.09],
    [{ browser: 'Chrome', os: 'iOS', userAgent: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/120.0.6099.119 Mobile/15E148 Safari/604.1' }, 0.05],
  ],
  [
    [{ browser: 'Safari', os: 'iPadOS', userAgent: 'Mozilla/5.0 (iPad; CPU OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Mobile/15E148 Safari/604.1' }, 0.6],
    [{ browser: 'Chrome', os: 'Android', userAgent: 'Mozilla/5.0 (Linux; Android 13; SM-X710) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36' }, 0.4],
  ],
];

/** Median page load time per device type (ms). */
export const PAGE_LOAD_MEDIAN_MS: readonly number[] = [850, 1450, 1150];

/** Where landing visits come from; `null` is direct traffic (no referrer). */
export const EXTERNAL_REFERRERS: readonly (readonly [string | null, number])[] = [
  [null, 0.34],
  ['https://www.google.com/search', 0.36],
  ['https://www.bing.com/search', 0.05],
  ['https://duckduckgo.com/', 0.02],
  ['https://www.facebook.com/', 0.05],
  ['https://t.co/', 0.03],
  ['https://www.reddit.com/', 0.03],
  ['https://www.youtube.com/', 0.03],
  ['https://www.instagram.com/', 0.03],
  ['https://newsletter.techstore.example/', 0.06],
];
