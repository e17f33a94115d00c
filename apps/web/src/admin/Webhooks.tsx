/**
 * Webhooks: a URL subscribed to ticket events, each POST signed with HMAC-SHA256. The signing
 * secret is answered once, at creation, and shown here once. The delivery log (newest first)
 * says what was sent, how often it was tried and what the receiver answered; any delivery can be
 * sent again, and a ping tries the receiver.
 */
import { useState } from 'react';
import { useI18n } from '../i18n.ts';
import { adminApi, type CreatedWebhookOut, type TriggerEventName, type WebhookDeliveryOut, type WebhookOut } from './adminApi.ts';
import { ErrorNote, Field, FormFoot, ListHead, PanelHead, Refused, SecretOnce, isRefusal, useAction, useSave, useLoad } from './kit.tsx';
import { EnabledBadge, EventChecks } from './rules.tsx';

export function WebhooksScreen() {
  const { t } = useI18n();
  const hooks = useLoad(() => adminApi.webhooks(), []);
  const [open, setOpen] = useState<string | 'new' | null>(null);
  const [shown, setShown] = useState<{ hook: CreatedWebhookOut; rotated: boolean } | null>(null);
  if (isRefusal(hooks.error)) return <Refused error={hooks.error} />;
  const list = hooks.data ?? [];
  const current = open === 'new' ? null : list.find((x) => x.id === open) ?? null;
  const put = (w: WebhookOut) => hooks.setData([...list.filter((x) => x.id !== w.id), w].sort((a, b) => a.name.localeCompare(b.name)));
  return (
    <section className="admin-split wide" aria-labelledby="webhooks-title">
      <div className="admin-list">
        <ListHead id="webhooks-title" title={t('admin.webhooks')} newLabel={t('admin.webhook.new')} onNew={() => setOpen('new')} intro={t('admin.webhook.intro')} error={hooks.error} />
        {shown && (
          <SecretOnce
            key={shown.hook.secret}
            title={t(shown.rotated ? 'admin.webhook.rotatedTitle' : 'admin.webhook.createdTitle', { name: shown.hook.name })}
            label={t('admin.webhook.secret')}
            value={shown.hook.secret}
            onDone={() => setShown(null)}
          />
        )}
        <table className="admin-table">
          <thead><tr><th>{t('admin.name')}</th><th>{t('admin.webhook.url')}</th><th>{t('admin.trigger.events')}</th><th>{t('admin.rule.state')}</th></tr></thead>
          <tbody>
            {list.map((w) => (
              <tr key={w.id} className={w.id === open ? 'on' : ''}>
                <td><button className="link" onClick={() => setOpen(w.id)}>{w.name}</button></td>
                <td className="audit-data">{w.url}</td>
                <td className="small">{w.events.map((e) => t(`admin.rule.event.${e}`)).join(', ')}</td>
                <td><EnabledBadge enabled={w.enabled} /></td>
              </tr>
            ))}
          </tbody>
        </table>
        {hooks.data?.length === 0 && <p className="empty">{t('admin.webhook.none')}</p>}
      </div>
      {open && (
        <div className="admin-panel">
          <PanelHead id="webhook-title" title={current ? current.name : t('admin.webhook.new')} onClose={() => setOpen(null)} />
          <WebhookForm
            key={current?.id ?? 'new'}
            webhook={current}
            onCreated={(w) => {
              const { secret: _secret, ...listed } = w;
              put(listed);
              setShown({ hook: w, rotated: false });
              setOpen(w.id);
            }}
            onSaved={put}
            onDeleted={(id) => {
              hooks.setData(list.filter((x) => x.id !== id));
              setOpen(null);
            }}
          />
          {current && <RotateSecret key={`rotate-${current.id}`} webhook={current} onRotated={(hook) => setShown({ hook, rotated: true })} />}
          {current && <Deliveries key={current.id} webhook={current} />}
        </div>
      )}
    </section>
  );
}

function WebhookForm(props: { webhook: WebhookOut | null; onCreated(w: CreatedWebhookOut): void; onSaved(w: WebhookOut): void; onDeleted(id: string): void }) {
  const { t } = useI18n();
  const w = props.webhook;
  const [name, setName] = useState(w?.name ?? '');
  const [url, setUrl] = useState(w?.url ?? 'https://');
  const [events, setEvents] = useState<TriggerEventName[]>(w?.events ?? ['ticket.created']);
  const [enabled, setEnabled] = useState(w?.enabled ?? true);
  // A creation answers with the secret (shown once, by the screen); a change with the webhook.
  const saving = useSave<WebhookOut | CreatedWebhookOut>((x) => ('secret' in x ? props.onCreated(x) : props.onSaved(x)));
  async function submit(e: React.FormEvent) {
    e.preventDefault();
    const body = { name: name.trim(), url: url.trim(), events, enabled };
    await saving.save(() => (w ? adminApi.updateWebhook(w.id, body) : adminApi.createWebhook(body)));
  }
  return (
    <form className="admin-form" onSubmit={submit} aria-labelledby="webhook-title">
      <Field label={t('admin.name')}><input required maxLength={200} value={name} onChange={(e) => setName(e.target.value)} /></Field>
      <Field label={t('admin.webhook.url')} hint={t('admin.webhook.urlHint')}><input type="url" required maxLength={2000} value={url} onChange={(e) => setUrl(e.target.value)} /></Field>
      <EventChecks legend={t('admin.trigger.events')} value={events} onChange={setEvents} />
      <label className="check"><input type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} />{t('admin.rule.enabledLabel')}</label>
      <FormFoot save={saving} createLabel={t('admin.webhook.create')}
        del={w && { label: t('admin.webhook.delete'), confirm: t('admin.webhook.deleteConfirm', { name: w.name }), run: () => adminApi.deleteWebhook(w.id), done: () => props.onDeleted(w.id) }} />
    </form>
  );
}

/** A lost or leaked signing secret is replaced, not shown again: the new one appears once, above the list. */
function RotateSecret(props: { webhook: WebhookOut; onRotated(w: CreatedWebhookOut): void }) {
  const { t } = useI18n();
  const action = useAction();
  async function rotate() {
    if (!window.confirm(t('admin.webhook.rotateConfirm', { name: props.webhook.name }))) return;
    const w = await action.run(() => adminApi.rotateWebhookSecret(props.webhook.id));
    if (w) props.onRotated(w);
  }
  return (
    <div className="admin-form" role="group" aria-labelledby="rotate-title">
      <h4 id="rotate-title">{t('admin.webhook.secretTitle')}</h4>
      <p className="muted small">{t('admin.webhook.rotateHint')}</p>
      <ErrorNote error={action.error} />
      <div className="form-actions">
        <button type="button" className="btn" disabled={action.busy} onClick={() => void rotate()}>{action.busy ? t('admin.saving') : t('admin.webhook.rotate')}</button>
      </div>
    </div>
  );
}

/** The label of a delivery's state: a pending one already tried is being retried; a failed one gave up. */
function stateOf(d: WebhookDeliveryOut): 'pending' | 'retrying' | 'delivered' | 'failed' {
  return d.status === 'pending' && d.attempts > 0 ? 'retrying' : d.status;
}

/**
 * The log, with what an admin wiring a receiver needs: a ping to try it, and any past delivery
 * sent again (a new delivery with the same event id, signed with the current secret), e.g. once
 * the receiver is fixed. A disabled webhook sends nothing, so both wait until it is enabled.
 */
function Deliveries(props: { webhook: WebhookOut }) {
  const { t, dateTime } = useI18n();
  const deliveries = useLoad(() => adminApi.webhookDeliveries(props.webhook.id), [props.webhook.id]);
  const action = useAction();
  const [queued, setQueued] = useState<'redelivered' | 'pinged' | null>(null);
  const list = deliveries.data ?? [];
  const byId = new Map(list.map((d) => [d.id, d]));
  async function send(kind: 'redelivered' | 'pinged', f: () => Promise<WebhookDeliveryOut>) {
    setQueued(null);
    if (await action.run(f)) {
      setQueued(kind);
      deliveries.reload();
    }
  }
  const off = !props.webhook.enabled;
  return (
    <div className="admin-form" role="group" aria-labelledby="deliveries-title">
      <div className="admin-head">
        <h4 id="deliveries-title">{t('admin.webhook.deliveries')}</h4>
        <button type="button" className="btn btn-ghost btn-sm" disabled={action.busy || off} onClick={() => void send('pinged', () => adminApi.pingWebhook(props.webhook.id))}>{t('admin.webhook.ping')}</button>
        <button type="button" className="btn btn-ghost btn-sm" onClick={deliveries.reload}>{t('admin.webhook.refresh')}</button>
      </div>
      {off && <p className="muted small">{t('admin.webhook.disabledHint')}</p>}
      {queued && <p className="notice" role="status">{t(queued === 'pinged' ? 'admin.webhook.pingQueued' : 'admin.webhook.redeliveryQueued')}</p>}
      <ErrorNote error={action.error ?? deliveries.error} />
      {deliveries.data?.length === 0 && <p className="muted small">{t('admin.webhook.noDeliveries')}</p>}
      {list.length > 0 && (
        <table className="admin-table">
          <thead><tr><th>{t('admin.webhook.when')}</th><th>{t('admin.webhook.event')}</th><th>{t('admin.webhook.status')}</th><th>{t('admin.webhook.actions')}</th></tr></thead>
          <tbody>
            {list.map((d) => {
              const state = stateOf(d);
              const source = d.redeliveryOf ? byId.get(d.redeliveryOf) : undefined;
              return (
                <tr key={d.id} data-status={d.status} data-delivery={d.id} data-redelivery-of={d.redeliveryOf ?? undefined}>
                  <td className="nowrap">{dateTime(d.createdAt)}</td>
                  <td>
                    {d.event}
                    {d.redeliveryOf && (
                      <div className="muted small">
                        {source ? t('admin.webhook.redeliveryOf', { when: dateTime(source.createdAt) }) : t('admin.webhook.redeliveryOfOlder', { id: d.redeliveryOf.slice(0, 8) })}
                      </div>
                    )}
                  </td>
                  <td className="small">
                    <span className={state === 'delivered' ? 'badge' : state === 'failed' ? 'badge badge-danger' : 'badge badge-warn'}>{t(`admin.webhook.state.${state}`)}</span>
                    {' '}{t('admin.webhook.attempts', { n: d.attempts })}
                    {d.lastStatus !== null && <> · HTTP {d.lastStatus}</>}
                    {d.lastError && <div className="audit-data">{d.lastError}</div>}
                    <details>
                      <summary>{t('admin.webhook.payload')}</summary>
                      <pre>{JSON.stringify(d.payload, null, 2)}</pre>
                    </details>
                  </td>
                  <td>
                    <button type="button" className="btn btn-sm" disabled={action.busy || off} onClick={() => void send('redelivered', () => adminApi.redeliverWebhookDelivery(props.webhook.id, d.id))}>
                      {t('admin.webhook.redeliver')}
                    </button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </div>
  );
}
