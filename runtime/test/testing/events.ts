// Builders of website-analytics events for tests (the AnalyticsEvent schema of
// pipelines/website-analytics.flow, as JSON values).
export const T0 = Date.UTC(2024, 0, 1);
export const SECOND = 1000;
export const MINUTE = 60_000;

export type EventType = 'PAGE_VIEW' | 'SESSION_START' | 'SESSION_END' | 'CONVERSION';

export interface AnalyticsEventJson {
  readonly eventId: string;
  readonly timestamp: number;
  readonly eventType: EventType;
  readonly userId: string;
  readonly sessionId: string;
  readonly pageViewData?: { readonly url: string; readonly title?: string };
  readonly sessionData?: { readonly country: string; readonly deviceType: 'DESKTOP' | 'MOBILE' | 'TABLET' };
  readonly conversionData?: { readonly orderId: string; readonly revenue: number };
}

let sequence = 0;

/** Restarts event ids at `e1` (two runs fed the same way then produce the same records). */
export function resetEventIds(): void {
  sequence = 0;
}

function base(type: EventType, at: number, user: string, session: string): AnalyticsEventJson {
  return { eventId: `e${++sequence}`, timestamp: at, eventType: type, userId: user, sessionId: session };
}

export function sessionStart(at: number, user: string, session: string, country = 'DE'): AnalyticsEventJson {
  return { ...base('SESSION_START', at, user, session), sessionData: { country, deviceType: 'DESKTOP' } };
}

export function pageView(at: number, user: string, session: string, url = '/'): AnalyticsEventJson {
  return { ...base('PAGE_VIEW', at, user, session), pageViewData: { url } };
}

export function conversion(at: number, user: string, session: string, revenue = 10): AnalyticsEventJson {
  return { ...base('CONVERSION', at, user, session), conversionData: { orderId: `o${sequence}`, revenue } };
}

export function sessionEnd(at: number, user: string, session: string): AnalyticsEventJson {
  return base('SESSION_END', at, user, session);
}
