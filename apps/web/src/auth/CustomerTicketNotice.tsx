/**
 * A customer who opens a ticket link in the agents' app: the API decides whether they may see it;
 * when it answers 404 (someone else's ticket, or none), the page says so plainly.
 */
import { useEffect, useState } from 'react';
import { api, ApiError } from '../api.ts';
import { useI18n } from '../i18n.ts';

export function CustomerTicketNotice(props: { ticketRef: string }) {
  const { t } = useI18n();
  const [missing, setMissing] = useState(false);
  useEffect(() => {
    api.ticket(props.ticketRef).then(
      () => setMissing(false),
      (e: unknown) => setMissing(e instanceof ApiError && e.status === 404),
    );
  }, [props.ticketRef]);
  return missing ? <p className="notice" data-ticket-missing>{t('ticket.notFound')}</p> : null;
}
