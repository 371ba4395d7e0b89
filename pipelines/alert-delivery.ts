/** Alerts delivered to a webhook beside the flow that raised them. */
import { catchError, concat, defer, finalize, ignoreElements, tap, throwError, type MonoTypeOperatorFunction, type SchedulerLike } from 'rxjs';
import { WebhookDelivery } from '../src/alerts/webhook-delivery.js';
import type { AlertEventRecord } from '../src/core/alerts.js';
import { alertPayload } from './alert-payload.js';

/** How long the end of a watch or an ingest waits for webhooks still being tried. */
const CLOSING_WAIT_MS = 20_000;

export interface DeliveryOptions {
  readonly url: string;
  readonly onNotice: (line: string) => void;
  readonly scheduler?: SchedulerLike;
}

/**
 * Every alert that passes is POSTed to the webhook, never waited for; when the flow ends (or
 * fails), what is still being tried gets a last while to arrive, and what does not is told.
 */
export function deliverAlerts<T extends { readonly type: string }>(options: DeliveryOptions): MonoTypeOperatorFunction<T> {
  return (events) =>
    defer(() => {
      const delivery = new WebhookDelivery({ url: options.url, onFailure: (line) => options.onNotice(line), ...(options.scheduler ? { scheduler: options.scheduler } : {}) });
      const close = defer(async () => {
        const left = await delivery.close(CLOSING_WAIT_MS);
        if (left > 0) options.onNotice(`webhook ${options.url}: ${left} alerts were not delivered before the end`);
      }).pipe(ignoreElements());
      return concat(
        events.pipe(
          tap((event) => {
            if (event.type === 'alert') {
              const alert = event as unknown as AlertEventRecord;
              delivery.send({ body: alertPayload(alert), label: `alert ${alert.id}` });
            }
          }),
          catchError((err: unknown) => concat(close, throwError(() => err))),
        ),
        close,
      ).pipe(finalize(() => void delivery.close(0)));
    });
}
